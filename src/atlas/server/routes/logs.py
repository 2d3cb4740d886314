"""``/api/v1/jobs/{id}/log``: a job's stdout and stderr, appended and read by offset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from atlas.server import job_files
from atlas.server.auth.access import JobData, JobViewer
from atlas.server.deps import ArtifactsDep, JobIdPath, SettingsDep, StoreDep
from atlas.server.schemas import LogAppendOut

__all__ = ["router"]

router = APIRouter(prefix="/jobs/{job_id}/log", tags=["logs"])

MIB = 1024 * 1024
MAX_APPEND_MB = 64
"""Most bytes one append may carry, in MiB (the upload limit when that is lower)."""

_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_LOG_ANSWER: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"text/plain": {}},
        "description": "The log's bytes from `offset`.",
        "headers": {
            job_files.LOG_SIZE_HEADER: {
                "description": "The log's whole size in bytes.",
                "schema": {"type": "integer"},
            }
        },
    }
}


@router.post("", openapi_extra=_RAW_BODY)
async def append_log(
    caller: JobData,
    job_id: JobIdPath,
    request: Request,
    store: StoreDep,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
) -> LogAppendOut:
    """Append the body's bytes to the job's log; answer the log's size."""
    max_bytes = min(settings.max_upload_mb, MAX_APPEND_MB) * MIB
    size = await job_files.append_log(request, store, artifacts, job_id=job_id, max_bytes=max_bytes)
    return LogAppendOut(size=size)


@router.get("", response_class=Response, responses=_LOG_ANSWER)
async def read_log(
    caller: JobViewer,
    job_id: JobIdPath,
    store: StoreDep,
    artifacts: ArtifactsDep,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> Response:
    """The log from byte ``offset`` (at most ``limit`` bytes); ``X-Atlas-Log-Size`` gives
    its size, so a reader polls from there."""
    return await job_files.read_log(store, artifacts, job_id=job_id, offset=offset, limit=limit)
