"""The code snapshot of a submitted folder: a deterministic ``.tar.gz``.

Which files: in a git checkout, what ``git ls-files --cached --others --exclude-standard``
lists (tracked files, and untracked ones ``.gitignore`` does not exclude); elsewhere every
file that the ``.gitignore`` files of the tree (same rules, :mod:`atlas.sdk.ignores`) leave.
Either way ``.atlasignore`` files (gitignore syntax) leave out more, and the ``.git`` folder is
never taken, nor a top-level ``.atlas`` folder (the control files Atlas keeps in a job's working
copy, when a job submits its own folder).

The archive is deterministic: entries sorted by path, mtimes 0, owner 0/0 without names,
modes 0644 or 0755 (executables), a gzip header without a name or time. The same folder
content always gives the same bytes, so the same sha256, and the server stores it once.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from atlas.errors import InvalidInputError, PayloadTooLargeError
from atlas.sdk.gitstate import in_git_checkout
from atlas.sdk.ignores import IgnoreRules

__all__ = [
    "ATLASIGNORE",
    "CONTROL_PREFIX",
    "WARN_BYTES",
    "Snapshot",
    "build_snapshot",
    "snapshot_files",
]

ATLASIGNORE = ".atlasignore"
WARN_BYTES = 50 * 1024 * 1024
CONTROL_PREFIX = ".atlas/"
"""Atlas's control files in a job's working copy (a job that submits its own folder)."""
_GIT_TIMEOUT = 30.0
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A built snapshot: the ``.tar.gz`` file, its sha256 (hex), size in bytes and how many
    files it holds. ``warnings`` are sentences for the user (a large snapshot, a skipped
    link). The caller deletes ``path`` when done with it."""

    path: Path
    sha256: str
    size: int
    files: int
    warnings: tuple[str, ...] = ()


def _git_files(folder: Path) -> list[str] | None:
    """The files git would take (see the module docstring); ``None`` outside a checkout."""
    if not in_git_checkout(folder):
        return None
    args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=folder,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return None
        listed = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, timeout=_GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


def _walk_files(folder: Path, rules: IgnoreRules) -> list[str]:
    """Every file below ``folder`` not excluded by ``rules`` (ignored folders are not
    entered)."""
    found: list[str] = []
    for top, dirs, files in os.walk(folder):
        relative = Path(top).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        rules.load(prefix.rstrip("/"))
        kept = []
        for name in sorted(dirs):
            path = prefix + name
            if name == ".git" or rules.ignored(path, is_dir=True):
                continue
            if os.path.islink(os.path.join(top, name)):
                found.append(path)  # a link to a folder is taken as a link, never followed
                continue
            kept.append(name)
        dirs[:] = kept
        found += [prefix + n for n in files if not rules.ignored(prefix + n, is_dir=False)]
    return sorted(found)


def snapshot_files(directory: str | os.PathLike[str]) -> list[str]:
    """The ``/``-separated paths, sorted, that a snapshot of ``directory`` holds."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInputError(f"cannot snapshot {folder}: not a folder")
    return [path for path in _candidates(folder) if not path.startswith(CONTROL_PREFIX)]


def _candidates(folder: Path) -> list[str]:
    from_git = _git_files(folder)
    if from_git is None:
        return _walk_files(folder, IgnoreRules(folder, (".gitignore", ATLASIGNORE)))
    rules = IgnoreRules(folder, (ATLASIGNORE,))
    kept = []
    for path in from_git:
        full = folder / path
        if not (full.is_file() or full.is_symlink()) or ".git" in path.split("/"):
            continue  # deleted but still tracked, a submodule, a nested repository's .git
        if not rules.excluded(path):
            kept.append(path)
    return kept


def _link_target(folder: Path, path: str) -> str | None:
    """The link's text when it points inside ``folder`` (relative), else ``None``."""
    full = folder / path
    target = os.readlink(full)
    if os.path.isabs(target):
        return None
    resolved = (full.parent / target).resolve()
    root = folder.resolve()
    return target if resolved == root or root in resolved.parents else None


def _member(folder: Path, path: str, warnings: list[str]) -> tuple[tarfile.TarInfo, Path | None]:
    """The tar header of ``path`` and the file to copy into it (``None`` for a link)."""
    full = folder / path
    info = tarfile.TarInfo(path)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if full.is_symlink():
        target = _link_target(folder, path)
        if target is None:
            warnings.append(f"left out {path}: a link to somewhere outside the folder")
            raise FileNotFoundError(path)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        info.mode = 0o777
        return info, None
    mode = full.stat().st_mode
    if not stat.S_ISREG(mode):
        raise FileNotFoundError(path)  # a socket, a fifo, a device: nothing to take
    info.mode = 0o755 if mode & stat.S_IXUSR else 0o644
    info.size = full.stat().st_size
    return info, full


class _Counting(io.RawIOBase):
    """A write-only file that hashes and counts what passes to ``sink``, and refuses to grow
    past ``limit`` bytes."""

    def __init__(self, sink: IO[bytes], limit: int | None) -> None:
        self.sink = sink
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise _TooLargeError
        self.digest.update(data)
        self.sink.write(data)
        return len(data)


class _TooLargeError(Exception):
    """The archive outgrew its limit (turned into ``PayloadTooLargeError``)."""


def _too_large(folder: Path, limit: int) -> PayloadTooLargeError:
    mib = limit / (1024 * 1024)
    return PayloadTooLargeError(
        f"the snapshot of {folder} is larger than {mib:g} MiB compressed (setting "
        "max_snapshot_mb, ATLAS_MAX_SNAPSHOT_MB): leave data, checkpoints and virtual "
        f"environments out with a {ATLASIGNORE} file (gitignore syntax), or raise the limit",
        detail={"limit": limit},
    )


def _write_archive(folder: Path, paths: list[str], sink: _Counting, warnings: list[str]) -> int:
    count = 0
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in paths:
            try:
                info, source = _member(folder, path, warnings)
                if source is None:
                    tar.addfile(info)
                else:
                    with source.open("rb") as handle:
                        tar.addfile(info, handle)
            except FileNotFoundError:
                continue  # removed while we read, or not a plain file or a link
            count += 1
    return count


def build_snapshot(
    directory: str | os.PathLike[str],
    *,
    limit_bytes: int | None,
    warn_bytes: int = WARN_BYTES,
    temp_dir: str | os.PathLike[str] | None = None,
) -> Snapshot:
    """Archive ``directory`` into a temporary ``.tar.gz`` (in ``temp_dir``, default the
    system's). ``PayloadTooLargeError`` when the compressed archive grows past
    ``limit_bytes`` (nothing is left behind); a warning above ``warn_bytes``."""
    folder = Path(directory)
    paths = snapshot_files(folder)
    warnings: list[str] = []
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept past this function)
        prefix="atlas-snapshot-", suffix=".tar.gz", dir=temp_dir, delete=False
    )
    target = Path(handle.name)
    try:
        with handle:
            sink = _Counting(handle, limit_bytes)
            count = _write_archive(folder, paths, sink, warnings)
    except _TooLargeError:
        target.unlink(missing_ok=True)
        raise _too_large(folder, limit_bytes or 0) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if sink.size > warn_bytes:
        warnings.append(
            f"the snapshot of {folder} is {sink.size / (1024 * 1024):.0f} MiB: is data in it? "
            f"leave it out with a {ATLASIGNORE} file (gitignore syntax)"
        )
    return Snapshot(target, sink.digest.hexdigest(), sink.size, count, tuple(warnings))
