"""``/api/v1/jobs``: jobs, their params and tags."""

from __future__ import annotations

from fastapi import APIRouter, Response

from atlas.server import removal
from atlas.server.deps import ArtifactsDep, JobIdPath, KeyPath, SchedulerDep, StoreDep
from atlas.server.schemas import JobCreate, JobOut, JobUpdate, ParamsIn, ParamsOut, TagsIn, TagsOut

__all__ = ["router"]

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=201)
def create_job(body: JobCreate, store: StoreDep) -> JobOut:
    """Create a job (and its project when missing); a local job starts running."""
    job = store.create_job(
        body.project,
        name=body.name,
        user=body.user,
        kind=body.kind,
        status=body.initial_status,
        command=body.command,
        params=body.params,
        tags=body.tags,
        git=body.git,
        environment=body.environment,
        resources=body.resources,
        priority=body.priority,
        parent_id=body.parent_id,
        job_id=body.id,
    )
    return JobOut.from_domain(job)


@router.get("/{job_id}")
def get_job(job_id: JobIdPath, store: StoreDep) -> JobOut:
    """One job with its params, tags and metric summaries."""
    return JobOut.from_domain(store.get_job(job_id))


@router.patch("/{job_id}")
def update_job(
    job_id: JobIdPath, body: JobUpdate, store: StoreDep, scheduler: SchedulerDep
) -> JobOut:
    """Rename a job, change its status (per ``domain.TRANSITIONS``) or record how it ended;
    a new ``priority`` moves a queued job in the scheduler's queue."""
    if body.priority is not None:
        scheduler.set_priority(job_id, body.priority)
    job = store.update_job(
        job_id,
        name=body.name,
        status=body.status,
        exit_code=body.exit_code,
        error=None if body.error is None else body.error.to_domain(),
    )
    return JobOut.from_domain(job)


@router.delete("/{job_id}", status_code=204)
def delete_job(
    job_id: JobIdPath, store: StoreDep, artifacts: ArtifactsDep, scheduler: SchedulerDep
) -> Response:
    """Delete a job, its rows and its files (a queued job leaves the queue, a running one is
    killed first)."""
    store.get_job(job_id)
    scheduler.forget(job_id)
    removal.delete_job(store, artifacts, job_id)
    return Response(status_code=204)


@router.put("/{job_id}/params")
def set_params(job_id: JobIdPath, body: ParamsIn, store: StoreDep) -> ParamsOut:
    """Merge params into the job's; answer all of them."""
    return ParamsOut(params=store.set_params(job_id, body.params))


@router.delete("/{job_id}/params/{key:path}", status_code=204)
def delete_param(job_id: JobIdPath, key: KeyPath, store: StoreDep) -> Response:
    """Remove one param; 404 when the job has no such param."""
    store.delete_param(job_id, key)
    return Response(status_code=204)


@router.put("/{job_id}/tags")
def set_tags(job_id: JobIdPath, body: TagsIn, store: StoreDep) -> TagsOut:
    """Merge tags into the job's; answer all of them."""
    return TagsOut(tags=store.set_tags(job_id, body.tags))


@router.delete("/{job_id}/tags/{key:path}", status_code=204)
def delete_tag(job_id: JobIdPath, key: KeyPath, store: StoreDep) -> Response:
    """Remove one tag; 404 when the job has no such tag."""
    store.delete_tag(job_id, key)
    return Response(status_code=204)
