"""Artifacts in a local folder: written to a temporary file beside the target, fsynced and
moved into place with ``os.replace``, so a reader sees the old file or the new, never part."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from atlas.errors import ConflictError, NotFoundError
from atlas.store.artifact_paths import safe_relpath
from atlas.store.artifact_writing import (
    STALE_TEMP_S,
    TEMP_SUFFIX,
    HashingWriter,
    StoredFile,
    byte_range,
    read_pieces,
    temp_name,
    write_all,
)

__all__ = ["LocalArtifactStore"]


class LocalArtifactStore:
    """An ``ArtifactStore`` in the folder ``root`` (created when missing)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._append_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalArtifactStore({str(self.root)!r})"

    def open_writer(self, relpath: str, *, max_bytes: int | None = None) -> _LocalWriter:
        """A writer that replaces ``relpath`` atomically when committed."""
        target = self._path(relpath)
        _make_parent(target, relpath)
        return _LocalWriter(relpath, target, max_bytes=max_bytes)

    def write(
        self, relpath: str, chunks: Iterable[bytes], *, max_bytes: int | None = None
    ) -> StoredFile:
        """Write ``chunks`` as the file ``relpath`` (atomically) and return its size and hash."""
        return write_all(self.open_writer(relpath, max_bytes=max_bytes), chunks)

    def append(self, relpath: str, data: bytes) -> int:
        """Append ``data`` to ``relpath`` (created when missing) durably; return the new size.
        All or nothing: when a write fails (a full disk), the file is cut back to its size
        before."""
        target = self._path(relpath)
        _make_parent(target, relpath)
        with self._append_lock, open(target, "ab", buffering=0) as file:
            start = file.seek(0, os.SEEK_END)
            try:
                view = memoryview(data)
                while view:  # an unbuffered write may write part of it
                    view = view[file.write(view) or 0 :]
                os.fsync(file.fileno())
            except OSError:
                os.ftruncate(file.fileno(), start)
                raise
            return start + len(data)

    def size(self, relpath: str) -> int:
        """The size of the file in bytes."""
        target = self._path(relpath)
        try:
            if target.is_file():
                return target.stat().st_size
        except OSError:
            pass
        raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath})

    def exists(self, relpath: str) -> bool:
        """Whether the file exists."""
        return self._path(relpath).is_file()

    def open_read(self, relpath: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start:end`` of the file in pieces (see ``ArtifactStore.open_read``)."""
        first, stop = byte_range(start, end, self.size(relpath), relpath)
        path = self._path(relpath)
        return read_pieces(lambda: open(path, "rb"), relpath, first, stop)

    def delete(self, relpath: str) -> None:
        """Remove the file; nothing happens when it is missing."""
        self._path(relpath).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Remove the folder ``prefix`` and everything in it."""
        target = self._path(prefix)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    def remove_stale_temp_files(self, *, older_than: float = STALE_TEMP_S) -> int:
        """Remove temporary files not written for ``older_than`` seconds; how many."""
        cutoff = time.time() - older_than
        removed = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                if not name.endswith(TEMP_SUFFIX):
                    continue
                path = os.path.join(folder, name)
                try:
                    if os.stat(path).st_mtime < cutoff:
                        os.unlink(path)
                        removed += 1
                except FileNotFoundError:
                    continue  # its writer finished or removed it meanwhile
        return removed

    def _path(self, relpath: str) -> Path:
        return self.root / safe_relpath(relpath)


class _LocalWriter(HashingWriter):
    def __init__(self, relpath: str, target: Path, *, max_bytes: int | None) -> None:
        super().__init__(relpath, max_bytes=max_bytes)
        self._target = target
        self._temp = target.with_name(temp_name(target.name))
        self._file: BinaryIO | None = open(self._temp, "xb")  # noqa: SIM115 (closed in _publish)

    def _put(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)

    def _publish(self) -> None:
        assert self._file is not None
        file, self._file = self._file, None
        with file:
            file.flush()
            os.fsync(file.fileno())
        if self._target.is_dir():
            raise ConflictError(
                f"{self.relpath!r} is a folder of artifacts", detail={"path": self.relpath}
            )
        os.replace(self._temp, self._target)
        _fsync_dir(self._target.parent)

    def _discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._temp.unlink(missing_ok=True)


def _make_parent(target: Path, relpath: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise ConflictError(
            f"a part of {relpath!r} is a file, not a folder", detail={"path": relpath}
        ) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
