"""The files inside a job's code snapshot (the ``.tar.gz`` ``atlas submit`` uploaded), for
the GUI's Code tab: the list of files, and one file's bytes.

A tar has no index, so both read the archive as a stream from the artifact store. Listings
are cached per snapshot hash (a snapshot never changes); a file is read only up to
``MAX_VIEW_BYTES``, past which the client is told to download the whole snapshot.
"""

from __future__ import annotations

import io
import mimetypes
import tarfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from atlas.errors import InvalidInputError, NotFoundError
from atlas.scheduler.files import snapshot_relpath
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore

__all__ = ["MAX_VIEW_BYTES", "SnapshotFile", "list_snapshot_files", "read_snapshot_file"]

MAX_VIEW_BYTES = 32 * 1024 * 1024
"""Largest file of a snapshot served for viewing; larger ones are downloaded in the tar."""

_CACHE_SIZE = 32
_listings: OrderedDict[str, list[SnapshotFile]] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class SnapshotFile:
    """A regular file in a snapshot: its path (``/``-separated, relative) and size."""

    path: str
    size: int


class _ChunkReader(io.RawIOBase):
    """A readable file over the pieces ``ArtifactStore.open_read`` yields."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._buffer = piece
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _snapshot_of(store: Store, artifacts: ArtifactStore, job_id: str) -> str:
    job = store.get_job(job_id)
    if job.snapshot is None:
        raise NotFoundError(f"job {job_id} has no code snapshot", detail={"job_id": job_id})
    if not artifacts.exists(snapshot_relpath(job.snapshot)):
        raise NotFoundError(
            f"the snapshot {job.snapshot} of job {job_id} is missing from the artifact store",
            detail={"job_id": job_id, "snapshot": job.snapshot},
        )
    return job.snapshot


def _open(artifacts: ArtifactStore, sha256: str) -> tarfile.TarFile:
    reader = io.BufferedReader(_ChunkReader(artifacts.open_read(snapshot_relpath(sha256))))
    return tarfile.open(fileobj=reader, mode="r|gz")


def _clean(name: str) -> str | None:
    """The member's path as the GUI shows it, or ``None`` for an unsafe or empty one."""
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or parts[0] == "/" or ".." in parts:
        return None
    return "/".join(parts)


def list_snapshot_files(store: Store, artifacts: ArtifactStore, job_id: str) -> list[SnapshotFile]:
    """Every regular file in job ``job_id``'s snapshot, sorted by path; ``NotFoundError``
    when the job has no snapshot."""
    sha256 = _snapshot_of(store, artifacts, job_id)
    with _lock:
        cached = _listings.get(sha256)
        if cached is not None:
            _listings.move_to_end(sha256)
            return cached
    files: list[SnapshotFile] = []
    try:
        with _open(artifacts, sha256) as archive:
            for member in archive:
                path = _clean(member.name)
                if member.isfile() and path is not None:
                    files.append(SnapshotFile(path=path, size=member.size))
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InvalidInputError(f"the snapshot of job {job_id} cannot be read: {error}") from None
    files.sort(key=lambda f: f.path)
    with _lock:
        _listings[sha256] = files
        while len(_listings) > _CACHE_SIZE:
            _listings.popitem(last=False)
    return files


def read_snapshot_file(
    store: Store, artifacts: ArtifactStore, job_id: str, path: str
) -> tuple[bytes, str]:
    """The bytes of file ``path`` in job ``job_id``'s snapshot and its content type;
    ``NotFoundError`` when there is no such file, ``InvalidInputError`` past
    ``MAX_VIEW_BYTES``."""
    sha256 = _snapshot_of(store, artifacts, job_id)
    wanted = _clean(path)
    try:
        with _open(artifacts, sha256) as archive:
            for member in archive:
                if not member.isfile() or _clean(member.name) != wanted:
                    continue
                if member.size > MAX_VIEW_BYTES:
                    raise InvalidInputError(
                        f"{path} has {member.size} bytes, more than the "
                        f"{MAX_VIEW_BYTES} that can be viewed; download the snapshot",
                        detail={"errors": [{"field": "path.path", "message": "file too large"}]},
                    )
                handle = archive.extractfile(member)
                data = handle.read() if handle is not None else b""
                return data, _content_type(path)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InvalidInputError(f"the snapshot of job {job_id} cannot be read: {error}") from None
    raise NotFoundError(
        f"no file {path} in the code snapshot of job {job_id}",
        detail={"job_id": job_id, "path": path},
    )


def _content_type(path: str) -> str:
    """Text files as UTF-8 text (code has many extensions mimetypes does not know)."""
    guessed, _ = mimetypes.guess_type(path)
    if guessed and not guessed.startswith("text/") and guessed != "application/json":
        return guessed
    return "text/plain; charset=utf-8"
