"""Code snapshots over HTTP: the ``.tar.gz`` of a submitted folder, stored once per content
hash at ``snapshots/<sha256>.tar.gz`` in the artifact store.

An upload is streamed into place while it is hashed; it appears only when complete and when
its SHA-256 equals the name it was sent under (``InvalidInputError`` otherwise), and it is
refused past ``settings.max_snapshot_mb`` (``PayloadTooLargeError`` naming the setting).
Uploading a snapshot the server has already is a no-op.
"""

from __future__ import annotations

import hashlib

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from atlas.errors import InvalidInputError, NotFoundError, PayloadTooLargeError
from atlas.scheduler.files import snapshot_relpath
from atlas.server.files import FLUSH_BYTES, stream_file
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, ArtifactWriter

__all__ = ["has_snapshot", "receive_snapshot", "serve_job_snapshot"]

MIB = 1024 * 1024


def _too_large(size: int | None, max_mb: int) -> PayloadTooLargeError:
    shown = "the snapshot" if size is None else f"the snapshot ({size} bytes)"
    return PayloadTooLargeError(
        f"{shown} is larger than the server's limit of {max_mb} MiB (setting max_snapshot_mb, "
        "ATLAS_MAX_SNAPSHOT_MB): leave large data out of the folder with .atlasignore",
        detail={"max_bytes": max_mb * MIB, "setting": "max_snapshot_mb"},
    )


async def has_snapshot(artifacts: ArtifactStore, sha256: str) -> int | None:
    """The size of the stored snapshot, or ``None`` when the server does not have it."""
    relpath = snapshot_relpath(sha256)
    if not await run_in_threadpool(artifacts.exists, relpath):
        return None
    return await run_in_threadpool(artifacts.size, relpath)


async def receive_snapshot(
    request: Request, artifacts: ArtifactStore, sha256: str, *, max_mb: int
) -> tuple[int, bool]:
    """Store the request body as snapshot ``sha256``; return its size and whether it was
    new (``False``: the server had it already, the body is not read)."""
    relpath = snapshot_relpath(sha256)
    existing = await has_snapshot(artifacts, sha256)
    if existing is not None:
        return existing, False
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_mb * MIB:
        raise _too_large(int(declared), max_mb)
    writer = await run_in_threadpool(artifacts.open_writer, relpath, max_bytes=max_mb * MIB)
    try:
        digest = await _stream_into(request, writer, max_mb)
        if digest != sha256:
            raise InvalidInputError(
                f"the body's SHA-256 is {digest}, not the {sha256} it was sent as",
                detail={"errors": [{"field": "body", "message": "SHA-256 mismatch"}]},
            )
        stored = await run_in_threadpool(writer.commit)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(writer.abort)
        raise
    return stored.size, True


async def _stream_into(request: Request, writer: ArtifactWriter, max_mb: int) -> str:
    digest = hashlib.sha256()
    pending = bytearray()
    try:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= FLUSH_BYTES:
                digest.update(pending)
                await run_in_threadpool(writer.write, bytes(pending))
                pending.clear()
        digest.update(pending)
        await run_in_threadpool(writer.write, bytes(pending))
    except PayloadTooLargeError:
        raise _too_large(None, max_mb) from None
    except ClientDisconnect:
        raise InvalidInputError("the client went away before the upload ended") from None
    return digest.hexdigest()


async def serve_job_snapshot(store: Store, artifacts: ArtifactStore, job_id: str) -> Response:
    """The code snapshot of job ``job_id`` as ``application/gzip``; ``NotFoundError`` when
    the job has none (it was not submitted with code)."""
    job = await run_in_threadpool(store.get_job, job_id)
    if job.snapshot is None:
        raise NotFoundError(f"job {job_id} has no code snapshot", detail={"job_id": job_id})
    size = await has_snapshot(artifacts, job.snapshot)
    if size is None:
        raise NotFoundError(
            f"the snapshot {job.snapshot} of job {job_id} is missing from the artifact store",
            detail={"job_id": job_id, "snapshot": job.snapshot},
        )
    name = f"{job_id}-code.tar.gz"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "ETag": f'"{job.snapshot}"'}
    return await stream_file(
        artifacts,
        snapshot_relpath(job.snapshot),
        size=size,
        mime="application/gzip",
        range_header=None,
        headers=headers,
    )
