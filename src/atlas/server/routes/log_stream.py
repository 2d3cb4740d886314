"""``/api/v1/jobs/{id}/log/stream``: a job's log as server-sent events while it grows.

Each event carries new text as a JSON string (``data: "..."``) with the byte offset reached
as its ``id`` (a client that reconnects resumes with ``?offset=``); when the job has ended
and all its log was sent, a last ``event: end`` carries its status.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from atlas.domain import FINAL_STATUSES
from atlas.errors import NotFoundError, RangeNotSatisfiableError
from atlas.server.auth.access import JobViewer
from atlas.server.deps import ArtifactsDep, JobIdPath, StoreDep
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, log_path

__all__ = ["router"]

router = APIRouter(prefix="/jobs/{job_id}/log", tags=["logs"])

POLL_SECONDS = 0.2
"""How often a stream checks the log and the job's status for news."""
KEEPALIVE_SECONDS = 15.0
"""A comment line after this long without news, so a dead client is noticed."""
PIECE_BYTES = 64 * 1024

_SSE_ANSWER: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/event-stream": {}}, "description": "The log as server-sent events."}
}


@router.get("/stream", response_class=StreamingResponse, responses=_SSE_ANSWER)
async def stream_log(
    caller: JobViewer,
    job_id: JobIdPath,
    store: StoreDep,
    artifacts: ArtifactsDep,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> StreamingResponse:
    """The job's log from byte ``offset`` as server-sent events, ending with ``event: end``
    once the job has ended and its whole log was sent."""
    await run_in_threadpool(store.get_job, job_id)
    size = await run_in_threadpool(_size, artifacts, log_path(job_id))
    if offset > size:
        raise RangeNotSatisfiableError(
            f"offset {offset} is past the end of the log ({size} bytes)",
            detail={"size": size, "offset": offset},
        )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(store, artifacts, job_id, offset), media_type="text/event-stream", headers=headers
    )


async def _events(
    store: Store, artifacts: ArtifactStore, job_id: str, offset: int
) -> AsyncIterator[str]:
    relpath = log_path(job_id)
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    quiet = 0.0
    while True:
        # The status is read before the size: a job seen ended has all its log written.
        try:
            job = await run_in_threadpool(store.get_job, job_id)
        except NotFoundError:
            return  # the job was deleted meanwhile: nothing more will come
        size = await run_in_threadpool(_size, artifacts, relpath)
        sent = False
        while offset < size:
            end = min(size, offset + PIECE_BYTES)
            data = await run_in_threadpool(_read, artifacts, relpath, offset, end)
            offset = end
            text = decoder.decode(data)
            if text:
                sent = True
                yield f"id: {offset}\ndata: {json.dumps(text)}\n\n"
        if job.status in FINAL_STATUSES:
            rest = decoder.decode(b"", final=True)
            if rest:
                yield f"id: {offset}\ndata: {json.dumps(rest)}\n\n"
            yield f"event: end\ndata: {json.dumps(str(job.status))}\n\n"
            return
        quiet = 0.0 if sent else quiet + POLL_SECONDS
        if quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await anyio.sleep(POLL_SECONDS)


def _size(artifacts: ArtifactStore, relpath: str) -> int:
    try:
        return artifacts.size(relpath)
    except NotFoundError:
        return 0


def _read(artifacts: ArtifactStore, relpath: str, start: int, end: int) -> bytes:
    return b"".join(artifacts.open_read(relpath, start, end))
