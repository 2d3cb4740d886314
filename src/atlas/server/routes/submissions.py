"""``/api/v1/submissions``, ``/api/v1/snapshots`` and the scheduled job's actions: submit a
job, upload its code once, cancel it, run it again, fetch its code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from atlas.names import SHA256_PATTERN
from atlas.server import snapshots
from atlas.server.auth.access import (
    BodyProjectEditor,
    Caller,
    JobEditor,
    JobViewer,
    Need,
    SignedIn,
    access,
)
from atlas.server.deps import ArtifactsDep, JobIdPath, SchedulerDep, SettingsDep, StoreDep
from atlas.server.schemas import JobOut, RerunIn, SnapshotOut, SubmissionCreate

__all__ = ["router"]

router = APIRouter(tags=["scheduler"])

Sha256Path = Annotated[
    str, Path(pattern=SHA256_PATTERN, description="The SHA-256 of the .tar.gz, in hex.")
]
_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_TAR_ANSWER: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/gzip": {}}, "description": "The job's code as .tar.gz."}
}


@router.post("/submissions", status_code=201)
async def submit(
    caller: BodyProjectEditor, body: SubmissionCreate, scheduler: SchedulerDep
) -> JobOut:
    """Queue a job (its project is created when missing, owned by the caller); 422
    ``resource_unavailable`` when it can never fit this machine. A job's own token may
    submit child jobs (``parent_id``: that job) into its project."""
    spec = body.to_spec()
    if not caller.child_of_own_job(spec.project, spec.parent_id):
        await run_in_threadpool(caller.require, spec.project, create=True)
        await run_in_threadpool(caller.require_related, spec)
    return JobOut.from_domain(await run_in_threadpool(scheduler.submit, caller.own(spec)))


@router.put("/snapshots/{sha256}", openapi_extra=_RAW_BODY)
async def upload_snapshot(
    caller: Annotated[Caller, access(Need.SIGNED_IN, audit=False)],
    sha256: Sha256Path,
    request: Request,
    response: Response,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
) -> SnapshotOut:
    """Store a code snapshot under its SHA-256 (201), or nothing when it exists (200)."""
    size, created = await snapshots.receive_snapshot(
        request, artifacts, sha256, max_mb=settings.max_snapshot_mb
    )
    response.status_code = 201 if created else 200
    return SnapshotOut(sha256=sha256, size=size, created=created)


@router.head("/snapshots/{sha256}", include_in_schema=False)
async def snapshot_exists(
    caller: SignedIn, sha256: Sha256Path, artifacts: ArtifactsDep
) -> Response:
    """200 with the size when the server has the snapshot, else 404."""
    size = await snapshots.has_snapshot(artifacts, sha256)
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(size)})


@router.get("/jobs/{job_id}/snapshot", response_class=Response, responses=_TAR_ANSWER)
async def job_snapshot(
    caller: JobViewer, job_id: JobIdPath, store: StoreDep, artifacts: ArtifactsDep
) -> Response:
    """The job's code snapshot (.tar.gz); 404 when it was submitted without code."""
    return await snapshots.serve_job_snapshot(store, artifacts, job_id)


@router.post("/jobs/{job_id}/cancel")
async def cancel(caller: JobEditor, job_id: JobIdPath, scheduler: SchedulerDep) -> JobOut:
    """Cancel a queued job at once, or stop a running one (it ends ``cancelled``)."""
    return JobOut.from_domain(await run_in_threadpool(scheduler.cancel, job_id))


@router.post("/jobs/{job_id}/rerun", status_code=201)
async def rerun(
    caller: JobEditor, job_id: JobIdPath, scheduler: SchedulerDep, body: RerunIn | None = None
) -> JobOut:
    """Queue the job again with the same code, command and resources; ``params`` merged."""
    params = body.params if body is not None else {}
    job = await run_in_threadpool(scheduler.rerun, job_id, params, user=caller.job_user)
    return JobOut.from_domain(job)
