"""The sdist carries the GUI's sources and what builds them, and a wheel built from it
carries the built GUI."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import BUILD, DECOYS, run, sdist_names

pytestmark = pytest.mark.slow


def test_the_sdist_holds_the_gui_sources_and_its_api_schema(sdist: Path) -> None:
    names = sdist_names(sdist)
    for needed in (
        "pyproject.toml",
        "hatch_build.py",
        "web/package.json",
        "web/package-lock.json",
        "web/index.html",
        "web/vite.config.ts",
        "web/scripts/gen-api.mjs",
        "web/src/main.tsx",
        "src/atlas/server/static.py",
    ):
        assert needed in names
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/web/openapi.json"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        schema = json.load(extracted)
    assert "/api/v1/projects" in schema["paths"]


def test_the_sdist_leaves_out_a_checkouts_clutter(sdist: Path) -> None:
    names = sdist_names(sdist)
    assert not names & set(DECOYS)
    for folder in (
        "web/node_modules/",
        ".venv/",
        "bench/results/",
        "dist/",
        "src/atlas/server/static/",
    ):
        assert not [name for name in names if name.startswith(folder)], folder


def test_a_wheel_built_from_the_sdist_builds_the_gui(sdist: Path, tmp_path: Path) -> None:
    """What `python -m build` does: the wheel comes from the unpacked sdist, which has no
    built GUI and cannot import Atlas: the hook runs npm with the shipped schema."""
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.glob("atlas_ml-*")
    out = tmp_path / "out"
    result = run([*BUILD, "--wheel", "--outdir", out], cwd=unpacked)
    assert "building the web GUI (npm run build)" in result.stdout + result.stderr
    (wheel,) = out.glob("atlas_ml-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "atlas/server/static/index.html" in names
    assert [name for name in names if name.startswith("atlas/server/static/assets/")]


def test_without_node_a_wheel_from_the_sdist_names_what_to_install(
    sdist: Path, tmp_path: Path
) -> None:
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.glob("atlas_ml-*")
    nothing = tmp_path / "bin"
    nothing.mkdir()
    result = subprocess.run(
        [*BUILD, "--wheel", "--outdir", tmp_path / "out"],
        cwd=unpacked,
        env={**os.environ, "PATH": str(nothing)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "needs Node.js 20+ and npm (node and npm not found)" in result.stdout + result.stderr
    assert not list((tmp_path / "out").glob("*.whl"))
