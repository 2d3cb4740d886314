"""``/api/v1/jobs``: jobs, their params and tags."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Response

from atlas.domain import FINAL_STATUSES, SCHEDULER_KINDS, Job
from atlas.errors import NotFoundError, SchedulerOwnsStatusError
from atlas.server import removal
from atlas.server.auth.access import BodyProjectEditor, JobData, JobEditor, JobViewer, OwnJobEditor
from atlas.server.deps import ArtifactsDep, JobIdPath, KeyPath, LookupsDep, SchedulerDep, StoreDep
from atlas.server.schemas import (
    HeartbeatOut,
    JobCreate,
    JobOut,
    JobUpdate,
    ParamsIn,
    ParamsOut,
    TagsIn,
    TagsOut,
)

__all__ = ["router"]

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=201)
def create_job(caller: BodyProjectEditor, body: JobCreate, store: StoreDep) -> JobOut:
    """Create a job (and its project when missing, owned by the caller); a local job starts
    running. With authentication on, the job's user is the caller."""
    caller.require(body.project, create=True)
    spec = caller.own(body.to_spec())
    caller.require_related(spec)
    job = store.create_job(spec, job_id=body.id, started_at=body.started_at)
    return JobOut.from_domain(job)


@router.get("/{job_id}")
def get_job(caller: JobViewer, job_id: JobIdPath, store: StoreDep) -> JobOut:
    """One job with its params, tags and metric summaries (a sweep's trial: its number)."""
    job = store.get_job(job_id)
    number = None
    if job.sweep_id is not None:
        with contextlib.suppress(NotFoundError):  # its sweep was deleted meanwhile
            trials = store.list_trials(job.sweep_id)
            number = next((t.number for t in trials if t.job_id == job.id), None)
    return JobOut.from_domain(job, sweep_trial=number)


@router.patch("/{job_id}")
def update_job(
    caller: OwnJobEditor,
    job_id: JobIdPath,
    body: JobUpdate,
    store: StoreDep,
    scheduler: SchedulerDep,
    lookups: LookupsDep,
) -> JobOut:
    """Rename a job, change its status (per ``domain.TRANSITIONS``) or record how it ended
    (``at``: when, by the client's clock); a new ``priority`` moves a queued job in the
    scheduler's queue. How a scheduled job ends is the scheduler's to record: setting its
    status, exit code or error answers 409 ``scheduler_owns_status``."""
    if body.status is not None or body.exit_code is not None or body.error is not None:
        _refuse_if_scheduled(store.get_job(job_id))
    if body.priority is not None:
        scheduler.set_priority(job_id, body.priority)
    job = store.update_job(
        job_id,
        name=body.name,
        status=body.status,
        exit_code=body.exit_code,
        error=None if body.error is None else body.error.to_domain(),
        at=body.at,
    )
    if job.status in FINAL_STATUSES:
        lookups.forget_token()  # the store revoked the job's own tokens
    return JobOut.from_domain(job)


def _refuse_if_scheduled(job: Job) -> None:
    if job.kind in SCHEDULER_KINDS:
        raise SchedulerOwnsStatusError(
            f"job {job.id} is a scheduled job: only the scheduler records its status and "
            f"exit code (it is {job.status}); to stop it, cancel it with `atlas stop "
            f"{job.id}` or POST /api/v1/jobs/{job.id}/cancel",
            detail={"job_id": job.id, "status": str(job.status)},
        )


@router.post("/{job_id}/heartbeat")
def heartbeat(caller: JobData, job_id: JobIdPath, store: StoreDep) -> HeartbeatOut:
    """A tracked script's sign of life (its SDK sends one every ``heartbeat_interval``
    seconds): a running ``local`` job silent for ``lost_after`` seconds is marked ``lost``,
    and a lost one that sends this runs again. Answers the job's status and kind."""
    beat = store.record_heartbeat(job_id)
    return HeartbeatOut(status=beat.status, kind=beat.kind)


@router.delete("/{job_id}", status_code=204)
def delete_job(
    caller: JobEditor,
    job_id: JobIdPath,
    store: StoreDep,
    artifacts: ArtifactsDep,
    scheduler: SchedulerDep,
    lookups: LookupsDep,
) -> Response:
    """Delete a job, its rows and its files (a queued job leaves the queue, a running one is
    killed first)."""
    removal.remove_job(store, artifacts, job_id, scheduler=scheduler, lookups=lookups)
    return Response(status_code=204)


@router.put("/{job_id}/params")
def set_params(caller: JobData, job_id: JobIdPath, body: ParamsIn, store: StoreDep) -> ParamsOut:
    """Merge params into the job's; answer all of them."""
    return ParamsOut(params=store.set_params(job_id, body.params))


@router.delete("/{job_id}/params/{key:path}", status_code=204)
def delete_param(
    caller: OwnJobEditor, job_id: JobIdPath, key: KeyPath, store: StoreDep
) -> Response:
    """Remove one param; 404 when the job has no such param."""
    store.delete_param(job_id, key)
    return Response(status_code=204)


@router.put("/{job_id}/tags")
def set_tags(caller: JobData, job_id: JobIdPath, body: TagsIn, store: StoreDep) -> TagsOut:
    """Merge tags into the job's; answer all of them."""
    return TagsOut(tags=store.set_tags(job_id, body.tags))


@router.delete("/{job_id}/tags/{key:path}", status_code=204)
def delete_tag(caller: OwnJobEditor, job_id: JobIdPath, key: KeyPath, store: StoreDep) -> Response:
    """Remove one tag; 404 when the job has no such tag."""
    store.delete_tag(job_id, key)
    return Response(status_code=204)
