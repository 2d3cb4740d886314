"""docs/deployment.md and the README describe the distribution as it is built."""

from __future__ import annotations

import re

from tests.packaging.conftest import REPO

DEPLOYMENT = (REPO / "docs/deployment.md").read_text()
CONTAINERFILE = (REPO / "Containerfile").read_text()


def test_every_build_argument_is_documented() -> None:
    arguments = re.findall(r"^ARG (\w+)", CONTAINERFILE, flags=re.M)
    assert arguments
    missing = [name for name in arguments if f"| `{name}` |" not in DEPLOYMENT]
    assert not missing, f"build arguments missing from docs/deployment.md: {missing}"


def test_every_setting_the_image_sets_is_documented() -> None:
    settings = re.findall(r"\b(ATLAS_\w+)=(\S+)", CONTAINERFILE)
    assert settings
    missing = [
        f"{name}={value}" for name, value in settings if f"`{name}={value}`" not in DEPLOYMENT
    ]
    assert not missing, f"the image's settings missing from docs/deployment.md: {missing}"


def test_the_make_targets_are_documented() -> None:
    makefile = (REPO / "Makefile").read_text()
    for target in ("dist", "image", "container-base"):
        assert f"## {target}:" in makefile
        assert f"make {target}" in DEPLOYMENT


def test_the_readme_runs_the_image_as_the_deployment_page_does() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(docs/deployment.md)" in readme
    run = re.findall(r"^podman run .*$", readme, flags=re.M)
    assert run
    assert "-p 127.0.0.1:5555:5555" in run[0]
    assert run[0] in DEPLOYMENT
