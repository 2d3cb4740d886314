"""The build hook's rules (hatch_build.py): when the GUI is rebuilt, and what it needs."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import REPO


def _load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hatch_build", REPO / "hatch_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def _tree(root: Path) -> Path:
    """A checkout's GUI inputs and a built GUI, the build newest."""
    files = [
        "web/src/main.tsx",
        "web/src/lib/api/schema.gen.ts",
        "web/public/favicon.svg",
        "web/scripts/gen-api.mjs",
        "web/package.json",
        "web/package-lock.json",
        "src/atlas/server/app.py",
        "src/atlas/server/__pycache__/app.cpython-311.pyc",
        "src/atlas/server/static/index.html",
        "src/atlas/server/static/assets/index.js",
    ]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
        os.utime(root / name, (1_000, 1_000))
    os.utime(root / "src/atlas/server/static/index.html", (2_000, 2_000))
    return root


def _touch(path: Path, when: float = 3_000) -> None:
    os.utime(path, (when, when))


def test_a_fresh_build_is_reused(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert hook.stale_input(root) is None


@pytest.mark.parametrize(
    "changed",
    [
        "web/src/main.tsx",
        "web/package-lock.json",
        "src/atlas/server/app.py",
        "web/public/favicon.svg",
    ],
)
def test_a_changed_source_or_api_makes_it_stale(tmp_path: Path, changed: str) -> None:
    root = _tree(tmp_path)
    _touch(root / changed)
    assert hook.stale_input(root) == root / changed


@pytest.mark.parametrize(
    "output",
    [
        "web/src/lib/api/schema.gen.ts",
        "src/atlas/server/__pycache__/app.cpython-311.pyc",
        "src/atlas/server/static/assets/index.js",
    ],
)
def test_build_products_do_not_make_it_stale(tmp_path: Path, output: str) -> None:
    root = _tree(tmp_path)
    _touch(root / output)
    assert hook.stale_input(root) is None


def test_a_missing_build_must_be_made(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    index = root / "src/atlas/server/static/index.html"
    index.unlink()
    assert hook.stale_input(root) == index


def test_the_inputs_are_the_makefiles(tmp_path: Path) -> None:
    """The hook rebuilds the GUI on the same files as `make web` (plus the lock file, which
    make follows through web/node_modules)."""
    printed = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            "_inputs: ; @printf '%s\\n' $(WEB_INPUTS)",
            "_inputs",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    from_make = {Path(name) for name in printed}
    from_hook = {path.relative_to(REPO) for path in hook.gui_inputs(REPO)}
    assert from_make, "the Makefile's WEB_INPUTS is empty"
    assert from_hook - from_make == {Path("web/package-lock.json")}
    assert from_make - from_hook == set()


def _programs(folder: Path, **scripts: str) -> str:
    folder.mkdir()
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    return str(folder)


def test_missing_node_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _programs(tmp_path / "bin"))
    with pytest.raises(hook.GuiBuildError) as caught:
        hook.check_node()
    message = str(caught.value)
    assert "Node.js 20+ and npm" in message
    assert "node and npm not found" in message
    assert "apt-get install -y nodejs npm" in message


def test_old_node_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _programs(tmp_path / "bin", node="echo v18.19.0", npm="true"))
    with pytest.raises(
        hook.GuiBuildError, match=r"Node\.js 20\+ and npm \(found node v18\.19\.0\)"
    ):
        hook.check_node()


def test_node_20_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _programs(tmp_path / "bin", node="echo v20.11.1", npm="true"))
    hook.check_node()
