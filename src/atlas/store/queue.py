"""The scheduler's rows: submitted jobs, the queue, launches and queue operations, as
functions over an open connection (one transaction).

A job is the scheduler's when it has a ``queued_at`` time (it came through a submission);
jobs created as ``queued`` by other means are never started by it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, update

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.errors import InvalidTransitionError, NotFoundError
from atlas.names import invalid
from atlas.store.api import ActiveJob, QueuedJob, QueueSummary
from atlas.store.api_tokens import revoke_job_tokens
from atlas.store.conversions import dump_json, load_json, utc_now
from atlas.store.jobs import insert_job, lock_job
from atlas.store.notification_outbox import enqueue_job_event
from atlas.store.projects import project_id, touch_project
from atlas.store.tables import jobs_table

__all__ = [
    "cancel_queued",
    "insert_submission",
    "list_active",
    "list_queued",
    "queue_summary",
    "record_launch",
    "set_priority",
    "start_job",
]

_J = jobs_table
_MAX_LAUNCH_JSON = 100_000


def insert_submission(conn: Connection, spec: JobSpec) -> str:
    """Create the submitted job ``spec`` describes as ``queued`` for the scheduler; return
    its id."""
    if spec.kind == JobKind.LOCAL:
        raise invalid("kind", "a tracked script (kind local) is not submitted to the scheduler")
    job_id = insert_job(conn, spec, status=JobStatus.QUEUED)
    conn.execute(update(_J).where(_J.c.id == job_id).values(queued_at=utc_now()))
    return job_id


def list_queued(conn: Connection) -> list[QueuedJob]:
    """The scheduler's queued jobs (any order): id, priority, queue time, resources, parent
    and user."""
    query = select(
        _J.c.id, _J.c.priority, _J.c.queued_at, _J.c.resources_json, _J.c.parent_id, _J.c.user
    ).where(_J.c.status == str(JobStatus.QUEUED), _J.c.queued_at.is_not(None))
    return [
        QueuedJob(
            id=row.id,
            priority=row.priority,
            queued_at=row.queued_at.timestamp(),
            resources=load_json(row.resources_json),
            parent_id=row.parent_id,
            user=row.user,
        )
        for row in conn.execute(query)
    ]


def queue_summary(conn: Connection) -> QueueSummary:
    """Count, latest queue time and priority sum of the scheduler's queued jobs."""
    query = select(
        func.count(), func.max(_J.c.queued_at), func.coalesce(func.sum(_J.c.priority), 0)
    ).where(_J.c.status == str(JobStatus.QUEUED), _J.c.queued_at.is_not(None))
    count, last, total = conn.execute(query).one()
    return QueueSummary(
        count=int(count),
        last_queued_at=last.timestamp() if last is not None else 0.0,
        priority_sum=int(total),
    )


def list_active(conn: Connection) -> list[ActiveJob]:
    """The scheduler's jobs that are starting or running, with their launch records."""
    active = [str(JobStatus.STARTING), str(JobStatus.RUNNING)]
    query = select(
        _J.c.id,
        _J.c.status,
        _J.c.resources_json,
        _J.c.launch_json,
        _J.c.timeout_s,
        _J.c.started_at,
        _J.c.parent_id,
        _J.c.user,
    ).where(_J.c.status.in_(active), _J.c.queued_at.is_not(None))
    return [_active(row) for row in conn.execute(query)]


def _active(row: Row[Any, Any, Any, Any, Any, Any, Any, Any]) -> ActiveJob:
    launch = json.loads(row.launch_json) if row.launch_json else None
    return ActiveJob(
        id=row.id,
        status=JobStatus(row.status),
        resources=load_json(row.resources_json),
        launch=launch if isinstance(launch, dict) else None,
        timeout=row.timeout_s,
        started_at=row.started_at,
        parent_id=row.parent_id,
        user=row.user,
    )


def start_job(conn: Connection, job_id: str, resources: Mapping[str, object]) -> None:
    """Move a queued job to ``starting`` with the resources it was given (its GPU indices
    included); ``InvalidTransitionError`` when it is no longer queued."""
    status = _locked_status(conn, job_id)
    if status != JobStatus.QUEUED:
        raise InvalidTransitionError(
            f"job {job_id} cannot start: it is {status}",
            detail={"job_id": job_id, "from": str(status), "to": str(JobStatus.STARTING)},
        )
    values = {"status": str(JobStatus.STARTING), "resources_json": dump_json(resources)}
    conn.execute(update(_J).where(_J.c.id == job_id).values(values))


def record_launch(
    conn: Connection,
    job_id: str,
    *,
    launch: Mapping[str, object],
    pid: int | None,
    pgid: int | None,
) -> None:
    """Keep the executor's record of a starting job's launch and the launcher's pid and
    process group (the job stays ``starting`` until its command runs)."""
    status = _locked_status(conn, job_id)
    if status != JobStatus.STARTING:
        raise InvalidTransitionError(
            f"job {job_id} was not starting: it is {status}",
            detail={"job_id": job_id, "from": str(status), "to": str(JobStatus.STARTING)},
        )
    text = json.dumps(dict(launch), separators=(",", ":"), default=str)
    if len(text) > _MAX_LAUNCH_JSON:
        raise invalid("launch", "the executor's launch record is too large")
    values = {"launch_json": text, "pid": pid, "pgid": pgid}
    conn.execute(update(_J).where(_J.c.id == job_id).values(values))


def cancel_queued(conn: Connection, project: str | None, at: datetime) -> list[str]:
    """Cancel the scheduler's queued jobs (only ``project``'s when given); return their ids."""
    where = [_J.c.status == str(JobStatus.QUEUED), _J.c.queued_at.is_not(None)]
    if project is not None:
        where.append(_J.c.project_id == project_id(conn, project))
    ids = [str(job_id) for job_id in conn.scalars(select(_J.c.id).where(*where))]
    if ids:
        values = {"status": str(JobStatus.CANCELLED), "finished_at": at}
        conn.execute(update(_J).where(_J.c.id.in_(ids), *where).values(values))
        revoke_job_tokens(conn, ids)
        enqueue_job_event(conn, ids, JobStatus.CANCELLED)
        for pid in set(conn.scalars(select(_J.c.project_id).where(_J.c.id.in_(ids)))):
            touch_project(conn, int(pid), at)
    return ids


def set_priority(conn: Connection, job_id: str, priority: int) -> None:
    """Change the job's priority (a queued job moves in the queue)."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise invalid("priority", "priority must be an integer")
    if not -(2**31) <= priority < 2**31:
        raise invalid("priority", "priority is out of range")
    pid = lock_job(conn, job_id)
    conn.execute(update(_J).where(_J.c.id == job_id).values(priority=priority))
    touch_project(conn, pid)


def _locked_status(conn: Connection, job_id: str) -> JobStatus:
    lock_job(conn, job_id)
    status = conn.scalar(select(_J.c.status).where(_J.c.id == job_id))
    if status is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return JobStatus(status)
