"""The folder that lets a job's virtual environment ``import atlas`` without a network.

A job's environment is built from its own requirements.txt, which does not list Atlas. The
server's own installation is reused instead: a folder of symbolic links to the ``atlas``
package and to the packages its SDK needs at run time (httpx and what httpx requires, PyYAML),
exactly as the server has them installed. A ``.pth`` file in the environment adds this folder
at the *end* of ``sys.path``, so a package the job installed itself (another httpx) wins, and
nothing else of the server's installation leaks into the job. This works offline and for both
an editable and a regular install of Atlas.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import atlas

__all__ = [
    "PTH_NAME",
    "SDK_DISTRIBUTIONS",
    "overlay_links",
    "sdk_overlay",
    "write_pth",
]

SDK_DISTRIBUTIONS = ("httpx", "PyYAML")
"""The distributions the SDK imports at run time (with what they require, recursively)."""
PTH_NAME = "_atlas_sdk.pth"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"\bextra\s*==")


def overlay_links() -> dict[str, Path]:
    """Link name -> target for the overlay: ``atlas`` and the top-level modules (and
    ``.dist-info`` folders) of the SDK's distributions as installed for this interpreter."""
    links: dict[str, Path] = {"atlas": Path(atlas.__file__).resolve().parent}
    for dist in _required_distributions(SDK_DISTRIBUTIONS):
        for name in _top_level_entries(dist):
            target = Path(str(dist.locate_file(name))).resolve()
            if target.exists() and name not in links:
                links[name] = target
    return links


def _required_distributions(roots: tuple[str, ...]) -> list[metadata.Distribution]:
    """The installed distributions among ``roots`` and their requirements, recursively
    (optional extras left out; a requirement that is not installed is skipped)."""
    found: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[key] = dist
        for requirement in dist.requires or []:
            match = _NAME.match(requirement)
            if match and not _EXTRA.search(requirement):
                pending.append(match.group(1))
    return list(found.values())


def _top_level_entries(dist: metadata.Distribution) -> set[str]:
    """The first path parts of the distribution's files that are importable (packages,
    modules, extension modules) or its metadata folder."""
    entries: set[str] = set()
    for file in dist.files or []:
        parts = file.parts
        first = parts[0]
        if first in ("..", "__pycache__") or first.endswith(".data"):
            continue
        if len(parts) > 1 or first.endswith((".py", ".so", ".pyd")):
            entries.add(first)
    return entries


def sdk_overlay(root: Path) -> Path:
    """The overlay folder for this interpreter's Atlas under ``root`` (made when missing,
    atomically: built beside it, then renamed into place)."""
    links = overlay_links()
    digest = hashlib.sha256(
        "\n".join(f"{name}={target}" for name, target in sorted(links.items())).encode()
    ).hexdigest()[:16]
    folder = root / ".sdk" / digest
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{digest}.", dir=folder.parent))
    for name, target in links.items():
        (temp / name).symlink_to(target, target_is_directory=target.is_dir())
    try:
        temp.rename(folder)
    except OSError:  # another process put the same overlay in place first
        shutil.rmtree(temp, ignore_errors=True)
    return folder


def write_pth(site_packages: Path, overlay: Path) -> None:
    """Point the environment at ``overlay`` with a ``.pth`` file (replaced atomically, only
    when it changes: environments are shared by running jobs)."""
    pth = site_packages / PTH_NAME
    text = f"{overlay}\n"
    try:
        if pth.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    temp = pth.with_name(f".{PTH_NAME}.{uuid.uuid4().hex}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, pth)
