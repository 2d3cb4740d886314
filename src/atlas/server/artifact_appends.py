"""Artifacts that grow: ``POST /jobs/{id}/artifacts/{path}?offset=N`` appends to one.

A job's launcher sends each TensorBoard event file's new bytes this way while the job runs
(docs/tensorboard.md), so the artifact store holds the file as it grows, not only at the
end. The caller says where its bytes start (``offset``, the size it believes the artifact
has): an append sent twice (a retry after a timeout) or out of order is refused with
``ConflictError`` carrying the stored size, which the caller resumes from. Appends to one
artifact are serialised within a server.

The artifact's recorded SHA-256 is kept exact without reading the file again at every
append: the running hash of each artifact appended to lately is remembered
(:class:`RunningHashes`), and rebuilt from the file when it is not.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from atlas.domain import Artifact
from atlas.errors import ConflictError, NotFoundError, PayloadTooLargeError
from atlas.server.files import guess_mime, read_body
from atlas.server.job_files import artifact_kind
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, artifact_path, safe_relpath

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = ["MAX_RUNNING_HASHES", "RunningHashes", "append_artifact"]

MAX_RUNNING_HASHES = 4096
"""Artifacts whose running hash a server remembers (the least recently appended go first)."""


class RunningHashes:
    """The SHA-256 state of artifacts appended to lately, with the size it covers, and one
    lock per artifact so that two appends to it do not interleave."""

    def __init__(self, *, capacity: int = MAX_RUNNING_HASHES) -> None:
        self.capacity = capacity
        self._hashes: OrderedDict[tuple[str, str], tuple[int, _Hash]] = OrderedDict()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def lock(self, job_id: str, path: str) -> asyncio.Lock:
        """The lock of one artifact (dropped with its hash when the cache is full)."""
        return self._locks.setdefault((job_id, path), asyncio.Lock())

    def take(self, job_id: str, path: str, size: int) -> _Hash | None:
        """The running hash of ``path`` when it covers exactly ``size`` bytes."""
        found = self._hashes.pop((job_id, path), None)
        return found[1] if found is not None and found[0] == size else None

    def keep(self, job_id: str, path: str, size: int, state: _Hash) -> None:
        """Remember ``state`` as the hash of the first ``size`` bytes of ``path``."""
        self._hashes[(job_id, path)] = (size, state)
        while len(self._hashes) > self.capacity:
            old, _ = self._hashes.popitem(last=False)
            lock = self._locks.get(old)
            if lock is not None and not lock.locked():
                del self._locks[old]


async def append_artifact(
    request: Request,
    store: Store,
    artifacts: ArtifactStore,
    hashes: RunningHashes,
    *,
    job_id: str,
    path: str,
    offset: int,
    max_bytes: int,
    max_size: int,
) -> Artifact:
    """Append the request body (at most ``max_bytes``) to the job's artifact ``path`` at
    ``offset``, which must be its current size (``ConflictError`` with ``detail.size``
    otherwise, and for an artifact saved at steps); the artifact may not grow past
    ``max_size`` (``PayloadTooLargeError``). A missing artifact is created by an append at
    offset 0. Answers the artifact as recorded afterwards."""
    path = safe_relpath(path)
    await run_in_threadpool(store.get_job, job_id)
    data = await read_body(request, max_bytes=max_bytes)
    async with hashes.lock(job_id, path):
        size = await run_in_threadpool(_current_size, store, job_id, path)
        if offset != size:
            raise ConflictError(
                f"artifact {path!r} of job {job_id} has {size} bytes; the append starts at "
                f"{offset}",
                detail={"job_id": job_id, "path": path, "size": size, "offset": offset},
            )
        if size + len(data) > max_size:
            raise PayloadTooLargeError(
                f"artifact {path!r} would grow past {max_size} bytes",
                detail={"path": path, "size": size, "limit": max_size},
            )
        return await run_in_threadpool(_append, store, artifacts, hashes, job_id, path, size, data)


def _current_size(store: Store, job_id: str, path: str) -> int:
    try:
        artifact = store.get_artifact(job_id, path)
    except NotFoundError:
        return 0
    if artifact.step is not None:
        raise ConflictError(
            f"artifact {path!r} of job {job_id} was saved at steps: it cannot be appended to",
            detail={"job_id": job_id, "path": path, "size": artifact.size},
        )
    return artifact.size


def _append(
    store: Store,
    artifacts: ArtifactStore,
    hashes: RunningHashes,
    job_id: str,
    path: str,
    size: int,
    data: bytes,
) -> Artifact:
    relpath = artifact_path(job_id, path)
    state = hashes.take(job_id, path, size)
    if state is None:
        state = hashlib.sha256()
        if size:
            for piece in artifacts.open_read(relpath, 0, size):
                state.update(piece)
    new_size = artifacts.append(relpath, data) if data or not size else size
    state.update(data)
    mime = guess_mime(path)
    artifact = store.record_artifact(
        job_id,
        path=path,
        kind=artifact_kind(path, mime),
        mime=mime,
        size=new_size,
        sha256=state.hexdigest(),
    )
    hashes.keep(job_id, path, new_size, state)
    return artifact
