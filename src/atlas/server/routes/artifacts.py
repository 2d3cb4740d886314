"""Files a job saved: ``/api/v1/jobs/{id}/artifacts`` uploaded and read as raw bytes, every
step of a path kept (``/jobs/{id}/versions/{path}``), and media keys for the GUI
(``/jobs/{id}/media``; ``/projects/{name}/media`` across jobs). See docs/media.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from atlas.errors import NotFoundError
from atlas.names import (
    MAX_APPEND_BYTES,
    MAX_COMPARED_JOBS,
    MAX_VERSIONS_LISTED,
    check_artifact_path,
    check_job_id,
)
from atlas.server import artifact_appends, job_files
from atlas.server.auth.access import JobData, JobViewer, ProjectViewer
from atlas.server.deps import ArtifactsDep, JobIdPath, ProjectPath, SettingsDep, StoreDep
from atlas.server.schemas import ArtifactOut, ItemsOut, MediaCellOut, MediaKeyOut
from atlas.store.api import Store

__all__ = ["router"]

router = APIRouter(tags=["artifacts"])

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MIB = 1024 * 1024
_ARTIFACTS = "/jobs/{job_id}/artifacts"

Step = Annotated[int | None, Query(ge=INT64_MIN, le=INT64_MAX)]

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


@router.get(_ARTIFACTS)
def list_artifacts(caller: JobViewer, job_id: JobIdPath, store: StoreDep) -> ItemsOut[ArtifactOut]:
    """The job's artifacts, by path (the latest save of each)."""
    items = [ArtifactOut.from_domain(a) for a in store.list_artifacts(job_id)]
    return ItemsOut[ArtifactOut](items=items)


@router.put(_ARTIFACTS + "/{path:path}", status_code=201, openapi_extra=_RAW_BODY)
async def upload_artifact(
    caller: JobData,
    job_id: JobIdPath,
    path: str,
    request: Request,
    store: StoreDep,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
    step: Step = None,
    caption: str | None = None,
) -> ArtifactOut:
    """Store the body as the job's artifact ``path`` (replacing the latest save); with
    ``step``, also as the version of that step (replacing one saved at the same step)."""
    artifact = await job_files.save_artifact(
        request,
        store,
        artifacts,
        job_id=job_id,
        path=path,
        step=step,
        caption=caption,
        max_bytes=settings.max_upload_mb * MIB,
    )
    return ArtifactOut.from_domain(artifact)


@router.post(_ARTIFACTS + "/{path:path}", openapi_extra=_RAW_BODY)
async def append_artifact(
    caller: JobData,
    job_id: JobIdPath,
    path: str,
    request: Request,
    store: StoreDep,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)],
) -> ArtifactOut:
    """Append the body to the job's artifact ``path`` (created by an append at offset 0);
    ``offset`` must be its current size, else 409 with ``detail.size``: how a job's
    TensorBoard event files reach the store as they grow (docs/tensorboard.md)."""
    artifact = await artifact_appends.append_artifact(
        request,
        store,
        artifacts,
        request.app.state.running_hashes,
        job_id=job_id,
        path=path,
        offset=offset,
        max_bytes=MAX_APPEND_BYTES,
        max_size=settings.max_upload_mb * MIB,
    )
    return ArtifactOut.from_domain(artifact)


@router.get(_ARTIFACTS + "/{path:path}", response_class=Response, responses=_FILE_ANSWER)
async def download_artifact(
    caller: JobViewer,
    job_id: JobIdPath,
    path: str,
    store: StoreDep,
    artifacts: ArtifactsDep,
    range: Annotated[str | None, Header()] = None,
    step: Step = None,
) -> Response:
    """The artifact's bytes with its content type (the latest save, or the version saved at
    ``step``); one ``Range: bytes=a-b`` gives 206."""
    return await job_files.serve_artifact(
        store, artifacts, job_id=job_id, path=path, range_header=range, step=step
    )


@router.get("/jobs/{job_id}/versions/{path:path}")
def list_versions(
    caller: JobViewer,
    job_id: JobIdPath,
    path: str,
    store: StoreDep,
    min_step: Step = None,
    max_step: Step = None,
    limit: Annotated[int, Query(ge=1, le=MAX_VERSIONS_LISTED)] = 1000,
) -> ItemsOut[ArtifactOut]:
    """Every version of the artifact ``path`` (one per step it was saved at), by step."""
    versions = store.list_artifact_versions(
        job_id, check_artifact_path(path), min_step=min_step, max_step=max_step, limit=limit
    )
    return ItemsOut[ArtifactOut](items=[ArtifactOut.from_domain(v) for v in versions])


@router.get("/jobs/{job_id}/media")
def list_media(caller: JobViewer, job_id: JobIdPath, store: StoreDep) -> ItemsOut[MediaKeyOut]:
    """The job's media keys (``atlas.log_image`` and the like), with every step kept."""
    items = [MediaKeyOut.from_domain(m) for m in store.list_media(job_id)]
    return ItemsOut[MediaKeyOut](items=items)


@router.get("/projects/{name}/media")
async def compare_media(
    caller: ProjectViewer,
    name: ProjectPath,
    store: StoreDep,
    path: Annotated[str, Query()],
    job_id: Annotated[list[str], Query(min_length=1, max_length=MAX_COMPARED_JOBS)],
    step: Step = None,
) -> ItemsOut[MediaCellOut]:
    """For each job asked (in the order asked), its version of ``path`` at the greatest
    step at or before ``step`` (the latest without ``step``), or null: the compare page."""
    path = check_artifact_path(path)
    cells = [
        await run_in_threadpool(_cell, store, name, check_job_id(one, field="job_id"), path, step)
        for one in job_id
    ]
    return ItemsOut[MediaCellOut](items=cells)


def _cell(store: Store, project: str, job_id: str, path: str, step: int | None) -> MediaCellOut:
    if store.get_job(job_id).project != project:
        raise NotFoundError(
            f"job {job_id} is not in project {project!r}",
            detail={"job_id": job_id, "project": project},
        )
    version = store.find_artifact_version_at(job_id, path, step)
    return MediaCellOut(
        job_id=job_id, version=None if version is None else ArtifactOut.from_domain(version)
    )
