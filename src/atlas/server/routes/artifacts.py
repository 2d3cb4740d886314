"""``/api/v1/jobs/{id}/artifacts``: files a job saved, uploaded and read as raw bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from atlas.server import job_files
from atlas.server.auth.access import JobData, JobViewer
from atlas.server.deps import ArtifactsDep, JobIdPath, SettingsDep, StoreDep
from atlas.server.schemas import ArtifactOut, ItemsOut

__all__ = ["router"]

router = APIRouter(prefix="/jobs/{job_id}/artifacts", tags=["artifacts"])

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MIB = 1024 * 1024

_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_FILE_ANSWER: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file."},
    206: {"content": {"application/octet-stream": {}}, "description": "The part asked for."},
}


@router.get("")
def list_artifacts(caller: JobViewer, job_id: JobIdPath, store: StoreDep) -> ItemsOut[ArtifactOut]:
    """The job's artifacts, by path."""
    items = [ArtifactOut.from_domain(a) for a in store.list_artifacts(job_id)]
    return ItemsOut[ArtifactOut](items=items)


@router.put("/{path:path}", status_code=201, openapi_extra=_RAW_BODY)
async def upload_artifact(
    caller: JobData,
    job_id: JobIdPath,
    path: str,
    request: Request,
    store: StoreDep,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
    step: Annotated[int | None, Query(ge=INT64_MIN, le=INT64_MAX)] = None,
) -> ArtifactOut:
    """Store the body as the job's artifact ``path`` (replacing an older one)."""
    artifact = await job_files.save_artifact(
        request,
        store,
        artifacts,
        job_id=job_id,
        path=path,
        step=step,
        max_bytes=settings.max_upload_mb * MIB,
    )
    return ArtifactOut.from_domain(artifact)


@router.get("/{path:path}", response_class=Response, responses=_FILE_ANSWER)
async def download_artifact(
    caller: JobViewer,
    job_id: JobIdPath,
    path: str,
    store: StoreDep,
    artifacts: ArtifactsDep,
    range: Annotated[str | None, Header()] = None,
) -> Response:
    """The artifact's bytes with its content type; one ``Range: bytes=a-b`` gives 206."""
    return await job_files.serve_artifact(
        store, artifacts, job_id=job_id, path=path, range_header=range
    )
