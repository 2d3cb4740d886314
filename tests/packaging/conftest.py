"""Fixtures for the packaging tests: the wheel and the sdist, built as a user builds them.

``source_tree`` is a copy of the checkout (its tracked files and those git does not ignore)
with the web GUI that ``make setup`` built, marked newer than its sources, so the build hook
packages it as it is (a fresh ``npm`` build takes a minute) and no build writes into the
checkout. It also holds what a working checkout has beside its sources (``web/node_modules``,
``.venv``, benchmark results, ``dist/``), so the tests see those left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUI = Path("src/atlas/server/static")
BUILD_TIMEOUT_S = 600.0
BUILD = (sys.executable, "-m", "build", "--installer", "uv")
"""`python -m build`, with uv making its isolated environments (pip takes minutes here)."""

DECOYS = (
    "web/node_modules/left-pad/index.js",
    ".venv/bin/python",
    "bench/results/ingest.json",
    "dist/atlas_ml-0.0.0-py3-none-any.whl",
    "web/e2e/.results/trace.zip",
)
"""Files of a working checkout that no distribution may carry."""


def run(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    timeout: float = BUILD_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end; ``AssertionError`` with its output when it fails."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited with {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )
    return result


def copy_checkout(target: Path) -> None:
    """Copy the checkout's files (tracked, or untracked and not ignored) into ``target``."""
    listing = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)
    for name in filter(None, listing.stdout.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)


@pytest.fixture(scope="session")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout with its built GUI, fresh, and a working checkout's clutter."""
    if not (REPO / GUI / "index.html").is_file():
        pytest.fail(f"the web GUI is not built in {REPO / GUI}: run `make setup` first")
    tree = tmp_path_factory.mktemp("checkout")
    copy_checkout(tree)
    shutil.copytree(REPO / GUI, tree / GUI, dirs_exist_ok=True)
    for name in DECOYS:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("not part of any distribution\n")
    fresh = time.time() + 1
    for path in (tree / GUI).rglob("*"):
        os.utime(path, (fresh, fresh))
    return tree


@pytest.fixture(scope="session")
def wheel_build(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel ``python -m build --wheel`` makes from ``source_tree``, and its output."""
    out = tmp_path_factory.mktemp("wheel")
    result = run([*BUILD, "--wheel", "--outdir", out], cwd=source_tree)
    (wheel,) = out.glob("atlas_ml-*.whl")
    return wheel, result.stdout + result.stderr


@pytest.fixture(scope="session")
def wheel(wheel_build: tuple[Path, str]) -> Path:
    """The wheel built from ``source_tree``."""
    return wheel_build[0]


@pytest.fixture(scope="session")
def sdist(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist ``python -m build --sdist`` makes from ``source_tree``."""
    out = tmp_path_factory.mktemp("sdist")
    run([*BUILD, "--sdist", "--outdir", out], cwd=source_tree)
    (archive,) = out.glob("atlas_ml-*.tar.gz")
    return archive


def sdist_names(archive: Path) -> set[str]:
    """The paths in an sdist, without its leading ``atlas_ml-VERSION/``."""
    with tarfile.open(archive) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
