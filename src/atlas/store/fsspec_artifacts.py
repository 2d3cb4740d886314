"""Artifacts on any fsspec filesystem (``s3://bucket/prefix``, ``gs://...``, ``memory://``).

A file is written under a temporary key and moved to its name when complete. Object stores
cannot append, so ``append`` rewrites the file with the new bytes at its end (under a lock,
so appends from this process never interleave); logs stay small enough for that.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fsspec.core import url_to_fs

from atlas.errors import NotFoundError
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

__all__ = ["FsspecArtifactStore"]


class FsspecArtifactStore:
    """An ``ArtifactStore`` under the fsspec URL ``url``; ``storage_options`` go to the
    filesystem (credentials, endpoint, ...)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url
        fs, root = url_to_fs(url, **storage_options)
        self._fs: Any = fs
        self._root = str(root).rstrip("/")
        self._append_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FsspecArtifactStore({self.url!r})"

    def open_writer(self, relpath: str, *, max_bytes: int | None = None) -> _FsspecWriter:
        """A writer that replaces ``relpath`` when committed."""
        return _FsspecWriter(self._fs, relpath, self._key(relpath), max_bytes=max_bytes)

    def write(
        self, relpath: str, chunks: Iterable[bytes], *, max_bytes: int | None = None
    ) -> StoredFile:
        """Write ``chunks`` as the file ``relpath`` and return its size and hash."""
        return write_all(self.open_writer(relpath, max_bytes=max_bytes), chunks)

    def append(self, relpath: str, data: bytes) -> int:
        """Append ``data`` to ``relpath`` (created when missing); return the new size."""
        key = self._key(relpath)
        with self._append_lock:
            old = self._fs.cat_file(key) if self._fs.isfile(key) else b""
            return self.write(relpath, [old, data]).size

    def size(self, relpath: str) -> int:
        """The size of the file in bytes."""
        key = self._key(relpath)
        try:
            if self._fs.isfile(key):
                return int(self._fs.size(key))
        except FileNotFoundError:
            pass
        raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath})

    def exists(self, relpath: str) -> bool:
        """Whether the file exists."""
        return bool(self._fs.isfile(self._key(relpath)))

    def open_read(self, relpath: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start:end`` of the file in pieces (see ``ArtifactStore.open_read``)."""
        first, stop = byte_range(start, end, self.size(relpath), relpath)
        key = self._key(relpath)
        return read_pieces(lambda: self._fs.open(key, "rb"), relpath, first, stop)

    def delete(self, relpath: str) -> None:
        """Remove the file; nothing happens when it is missing."""
        key = self._key(relpath)
        if self._fs.isfile(key):
            self._fs.rm_file(key)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file under ``prefix``."""
        key = self._key(prefix)
        if self._fs.exists(key):
            self._fs.rm(key, recursive=True)

    def remove_stale_temp_files(self, *, older_than: float = STALE_TEMP_S) -> int:
        """Remove temporary keys not written for ``older_than`` seconds; how many. A key
        whose time the filesystem cannot tell is kept."""
        cutoff = time.time() - older_than
        removed = 0
        for key in self._fs.glob(f"{self._root}/**/*{TEMP_SUFFIX}"):
            try:
                modified = self._fs.modified(key)
            except (NotImplementedError, FileNotFoundError, OSError):
                continue
            stamp = modified.timestamp() if hasattr(modified, "timestamp") else float(modified)
            if stamp < cutoff:
                self._fs.rm_file(key)
                removed += 1
        return removed

    def _key(self, relpath: str) -> str:
        return f"{self._root}/{safe_relpath(relpath)}"


class _FsspecWriter(HashingWriter):
    def __init__(self, fs: Any, relpath: str, key: str, *, max_bytes: int | None) -> None:
        super().__init__(relpath, max_bytes=max_bytes)
        self._fs = fs
        self._key = key
        parent, name = posixpath.split(key)
        self._temp = posixpath.join(parent, temp_name(name))
        fs.makedirs(parent, exist_ok=True)
        self._file: Any = fs.open(self._temp, "wb")

    def _put(self, data: bytes) -> None:
        self._file.write(data)

    def _publish(self) -> None:
        file, self._file = self._file, None
        file.close()
        self._fs.mv(self._temp, self._key)

    def _discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._fs.exists(self._temp):
            self._fs.rm_file(self._temp)
