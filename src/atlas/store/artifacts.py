"""The artifact store: where the bytes of artifacts and logs live, and how they are named.

The metadata store records *what* a job saved; an ``ArtifactStore`` holds the bytes, under
the layout ``jobs/<job_id>/artifacts/<path>`` and ``jobs/<job_id>/log.txt``. Every path is
checked by :func:`safe_relpath` so nothing a client sends escapes its job's folder. A file
appears only when complete, so a reader never sees part of a file. Three implementations: a
local folder, an S3 bucket (``s3://bucket/prefix``, :mod:`atlas.store.s3_artifacts`) and any
other fsspec URL (``gs://``, ``memory://``, ...). All behave alike, appends included (a local
file grows; an object store adds a part object per append, :mod:`atlas.store.part_files`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from atlas.store.artifact_paths import (
    MAX_PART_BYTES,
    MAX_PATH_LENGTH,
    artifact_path,
    artifact_version_path,
    job_prefix,
    log_path,
    safe_relpath,
)
from atlas.store.artifact_writing import READ_CHUNK_BYTES, STALE_TEMP_S, StoredFile
from atlas.store.fsspec_artifacts import FsspecArtifactStore
from atlas.store.local_artifacts import LocalArtifactStore
from atlas.store.s3_artifacts import S3ArtifactStore, S3Options

__all__ = [
    "MAX_PART_BYTES",
    "MAX_PATH_LENGTH",
    "READ_CHUNK_BYTES",
    "ArtifactStore",
    "ArtifactWriter",
    "FsspecArtifactStore",
    "LocalArtifactStore",
    "S3ArtifactStore",
    "S3Options",
    "StoredFile",
    "artifact_path",
    "artifact_version_path",
    "job_prefix",
    "log_path",
    "open_artifact_store",
    "safe_relpath",
]


class ArtifactWriter(Protocol):
    """A file being written: ``write`` pieces, then leave the ``with`` block to move it into
    place (or ``commit()``); an exception in the block discards it (as does ``abort()``)."""

    def write(self, data: bytes) -> None:
        """Add ``data``; ``PayloadTooLargeError`` (and the file discarded) past the limit."""

    def commit(self) -> StoredFile:
        """Move the file into place and return what was stored."""

    def abort(self) -> None:
        """Discard the file; nothing is left behind."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ArtifactStore(Protocol):
    """Files addressed by safe relative paths (see :func:`safe_relpath`).

    Unknown paths raise ``NotFoundError``, unsafe ones ``InvalidInputError``.
    """

    def open_writer(self, relpath: str, *, max_bytes: int | None = None) -> ArtifactWriter:
        """A writer that replaces ``relpath`` atomically when committed. ``max_bytes`` bounds
        the file's size (``PayloadTooLargeError`` beyond it)."""
        ...

    def write(
        self, relpath: str, chunks: Iterable[bytes], *, max_bytes: int | None = None
    ) -> StoredFile:
        """Write ``chunks`` as the file ``relpath`` (atomically) and return its size and hash."""
        ...

    def append(self, relpath: str, data: bytes) -> int:
        """Append ``data`` to ``relpath`` (created when missing); return the new size."""
        ...

    def size(self, relpath: str) -> int:
        """The size of the file in bytes."""
        ...

    def exists(self, relpath: str) -> bool:
        """Whether the file exists."""
        ...

    def open_read(self, relpath: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start:end`` of the file (``end`` exclusive, clamped to the size) in
        pieces. Checked before the first piece: ``NotFoundError`` for a missing file,
        ``RangeNotSatisfiableError`` when ``start`` is past the end or ``end < start``.
        ``start`` equal to the size gives nothing (a log reader polling at the end)."""
        ...

    def delete(self, relpath: str) -> None:
        """Remove the file; nothing happens when it is missing."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file under the folder ``prefix`` (a job's files: ``job_prefix(id)``)."""
        ...

    def remove_stale_temp_files(self, *, older_than: float = STALE_TEMP_S) -> int:
        """Remove the temporary files of writes that never finished (a server killed in
        the middle of an upload) not written for ``older_than`` seconds; return how many.
        A failed write removes its own; this is for those no process lived to remove."""
        ...


def open_artifact_store(location: str, *, s3: S3Options | None = None) -> ArtifactStore:
    """The artifact store at ``location``: a folder path or ``file://`` URL (local), an
    ``s3://bucket/prefix`` reached with ``s3`` (checked at once: ``InvalidInputError`` saying
    why the bucket cannot be used), or any other fsspec URL (``gs://...``, ``memory://...``)."""
    scheme, sep, rest = location.partition("://")
    if not sep:
        return LocalArtifactStore(Path(location).expanduser())
    if scheme == "file":
        return LocalArtifactStore(Path(rest).expanduser())
    if scheme in ("s3", "s3a"):
        store = S3ArtifactStore(location, options=s3)
        store.check()
        return store
    return FsspecArtifactStore(location)
