"""Hatch build hook: the wheel carries the built web GUI, the sdist carries what builds it.

- **wheel** (``python -m build``, ``pip wheel .``, ``uv build``): the GUI built into
  ``src/atlas/server/static/`` is packaged, so an installed wheel serves it with no Node.js.
  It is built first (``npm ci`` when ``web/node_modules`` is missing or older than
  ``web/package-lock.json``, then ``npm run build``) when ``index.html`` is missing or older
  than any of the GUI's inputs (``gui_inputs``: the same files as the Makefile's
  ``WEB_INPUTS``); a fresh build from ``make setup`` is reused as it is. Only then are
  Node.js 20+ and npm needed.
- **editable wheel** (``pip install -e .``): nothing; ``make setup`` builds the GUI in place.
- **sdist**: adds ``web/openapi.json``, the server's OpenAPI schema dumped by the build
  environment's Python (the hook requires Atlas's runtime dependencies there) from ``src/``.
  The GUI's API client is generated from that schema, so a wheel built from the sdist builds
  the GUI without importing Atlas (``ATLAS_OPENAPI`` tells ``web/scripts/gen-api.mjs``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GUI_FOLDER = Path("src/atlas/server/static")
"""Where the web GUI is built (web/vite.config.ts) and served from (atlas/server/static.py)."""

OPENAPI = Path("web/openapi.json")
"""The schema the GUI's API client is generated from; shipped in the sdist."""

NODE_MAJOR = 20
NODE_NEEDED = (
    "building the Atlas web GUI needs Node.js {major}+ and npm ({found}). Install them "
    "(Debian/Ubuntu: apt-get install -y nodejs npm; others: https://nodejs.org), or build "
    "the wheel from a checkout where `make setup` has built the GUI."
)

# What the GUI's build reads: the Makefile's WEB_INPUTS (the API's code is one of them, as the
# GUI's client is generated from its schema).
_INPUT_FOLDERS = ("web/src", "web/public", "web/scripts", "src/atlas/server")
_INPUT_FILES = (
    "web/index.html",
    "web/package.json",
    "web/package-lock.json",
    "web/vite.config.ts",
    "web/tsconfig.json",
)


class GuiBuildError(Exception):
    """The GUI could not be built; the message says what to install or run."""


def gui_inputs(root: Path) -> Iterator[Path]:
    """Every file whose change makes the built GUI stale."""
    for name in _INPUT_FOLDERS:
        for path in (root / name).rglob("*"):
            relative = path.relative_to(root)
            if not path.is_file() or path.name.endswith(".gen.ts"):
                continue
            if "__pycache__" in relative.parts or relative.is_relative_to(GUI_FOLDER):
                continue
            yield path
    for name in _INPUT_FILES:
        if (root / name).is_file():
            yield root / name


def stale_input(root: Path) -> Path | None:
    """Why the GUI in ``root`` must be built: its ``index.html`` when missing, else the first
    input found newer than it; ``None`` when the built GUI is fresh."""
    index = root / GUI_FOLDER / "index.html"
    if not index.is_file():
        return index
    built = index.stat().st_mtime
    return next((path for path in gui_inputs(root) if path.stat().st_mtime > built), None)


def check_node() -> None:
    """``GuiBuildError`` naming Node.js 20+ and npm when either is missing or too old."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if not path)
        raise GuiBuildError(NODE_NEEDED.format(major=NODE_MAJOR, found=f"{missing} not found"))
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".", 1)[0])
    except ValueError:
        major = 0
    if major < NODE_MAJOR:
        raise GuiBuildError(NODE_NEEDED.format(major=NODE_MAJOR, found=f"found node {version}"))


def build_gui(root: Path, *, log: Callable[[str], object] = print) -> None:
    """Build ``web/`` into ``GUI_FOLDER``: ``npm ci`` when its packages are missing or older
    than the lock file, then ``npm run build``. In an sdist the API client is generated from
    the shipped ``web/openapi.json``; in a checkout from the schema dumped by ``ATLAS_PYTHON``
    or ``.venv``'s Python, as ``make setup`` does."""
    check_node()
    web = root / "web"
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    if _is_sdist(root) and (root / OPENAPI).is_file():
        env["ATLAS_OPENAPI"] = str(root / OPENAPI)
    installed = web / "node_modules" / ".package-lock.json"
    lock = web / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        log("atlas: installing the web GUI's packages (npm ci)")
        _npm(web, env, "ci", "--no-audit", "--no-fund")
    log("atlas: building the web GUI (npm run build)")
    _npm(web, env, "run", "build")
    if not (root / GUI_FOLDER / "index.html").is_file():
        raise GuiBuildError(f"npm run build left no {GUI_FOLDER / 'index.html'}")


def dump_schema(root: Path, target: Path) -> None:
    """Write the server's OpenAPI schema, dumped by this Python from ``root/src``, to
    ``target``."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "atlas.server.schema_document"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise GuiBuildError(f"could not dump the server's OpenAPI schema:\n{result.stderr}")
    json.loads(result.stdout)  # a schema, not a warning
    target.write_text(result.stdout, encoding="utf-8")


def _npm(web: Path, env: dict[str, str], *args: str) -> None:
    npm = shutil.which("npm")
    assert npm is not None  # check_node
    result = subprocess.run([npm, *args], cwd=web, env=env, check=False)
    if result.returncode != 0:
        raise GuiBuildError(f"`npm {' '.join(args)}` in {web} failed (exit {result.returncode})")


def _is_sdist(root: Path) -> bool:
    return (root / "PKG-INFO").is_file()


class AtlasBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Builds the GUI into the wheel; ships the OpenAPI schema in the sdist."""

    PLUGIN_NAME = "custom"
    _scratch: tempfile.TemporaryDirectory[str] | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if self.target_name == "sdist":
            self._ship_schema(root, build_data)
        elif self.target_name == "wheel" and version == "standard":
            self._ship_gui(root, build_data)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()

    def _ship_schema(self, root: Path, build_data: dict[str, Any]) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="atlas-openapi-")
        schema = Path(self._scratch.name) / "openapi.json"
        try:
            dump_schema(root, schema)
        except GuiBuildError as exc:
            raise SystemExit(f"atlas: {exc}") from None
        build_data["force_include"][str(schema)] = OPENAPI.as_posix()

    def _ship_gui(self, root: Path, build_data: dict[str, Any]) -> None:
        reason = stale_input(root)
        if reason is not None:
            self.app.display_info(f"atlas: the web GUI must be built ({reason.relative_to(root)})")
            try:
                build_gui(root, log=self.app.display_info)
            except GuiBuildError as exc:
                raise SystemExit(f"atlas: {exc}") from None
        else:
            self.app.display_info(f"atlas: packaging the built web GUI in {GUI_FOLDER}")
        # The folder is git-ignored, which hatch would otherwise honour.
        build_data["artifacts"].append(f"/{GUI_FOLDER.as_posix()}/")
