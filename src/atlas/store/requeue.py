"""A scheduled job queued again after an attempt that failed or was lost (its ``retries``),
as one transaction: the attempt is appended to the job's ``attempts`` and the job is
``queued`` again under the same id, never seen ``failed`` in between.

This is the scheduler's own move, not a status change a client may ask for: it is not in
``domain.TRANSITIONS``, so ``PATCH /jobs/{id}`` cannot queue a failed job again.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, select, update

from atlas.domain import GIVEN_GPUS, JobError, JobStatus
from atlas.errors import ConflictError, InvalidTransitionError
from atlas.names import invalid
from atlas.store.api_tokens import revoke_job_tokens
from atlas.store.conversions import dump_json, load_json, load_json_list, utc_now
from atlas.store.jobs import lock_job
from atlas.store.projects import touch_project
from atlas.store.tables import jobs_table

__all__ = ["MAX_ATTEMPT_MESSAGE", "RETRIED_STATUSES", "requeue_job"]

_J = jobs_table
RETRIED_STATUSES = frozenset({JobStatus.FAILED, JobStatus.LOST})
"""How an attempt may end for its job to be queued again (a cancelled job never is)."""
MAX_ATTEMPT_MESSAGE = 2000
"""Longest error message kept in an attempt's record (the job's log has the whole story)."""


def requeue_job(
    conn: Connection,
    job_id: str,
    *,
    status: JobStatus,
    exit_code: int | None,
    error: JobError | None,
    not_before: datetime,
) -> None:
    """Record the attempt of the starting or running scheduled job ``job_id`` that ended
    ``status`` (failed or lost) with ``exit_code`` and ``error``, and queue the job again:
    its ``queued_at`` becomes ``not_before`` (the scheduler starts it no earlier), its
    times, exit code, error, launch record and GPU indices are cleared, and the attempt's
    token is revoked. ``InvalidTransitionError`` when the job is not starting or running,
    ``ConflictError`` when it has no retries left."""
    if status not in RETRIED_STATUSES:
        raise invalid("status", "only a failed or lost attempt is retried")
    project = lock_job(conn, job_id)
    row = conn.execute(
        select(
            _J.c.status,
            _J.c.queued_at,
            _J.c.started_at,
            _J.c.retries,
            _J.c.attempts_json,
            _J.c.resources_json,
        ).where(_J.c.id == job_id)
    ).one()
    old = JobStatus(row.status)
    if old not in (JobStatus.STARTING, JobStatus.RUNNING) or row.queued_at is None:
        raise InvalidTransitionError(
            f"job {job_id} cannot be queued again: it is {old}",
            detail={"job_id": job_id, "from": str(old), "to": str(JobStatus.QUEUED)},
        )
    attempts = load_json_list(row.attempts_json)
    if len(attempts) >= row.retries:
        raise ConflictError(
            f"job {job_id} has no retries left ({row.retries} allowed)",
            detail={"job_id": job_id, "retries": row.retries},
        )
    now = utc_now()
    attempts.append(_attempt(len(attempts) + 1, status, exit_code, error, row.started_at, now))
    resources = load_json(row.resources_json)
    resources.pop(GIVEN_GPUS, None)  # the next attempt is given its own
    values = {
        "status": str(JobStatus.QUEUED),
        "queued_at": not_before,
        "started_at": None,
        "finished_at": None,
        "exit_code": None,
        "error_type": None,
        "error_message": None,
        "error_traceback": None,
        "launch_json": None,
        "pid": None,
        "pgid": None,
        "resources_json": dump_json(resources),
        "attempts_json": json.dumps(attempts, separators=(",", ":"), ensure_ascii=False),
    }
    conn.execute(update(_J).where(_J.c.id == job_id).values(values))
    revoke_job_tokens(conn, [job_id])  # each attempt gets its own token at launch
    touch_project(conn, project, now)


def _attempt(
    number: int,
    status: JobStatus,
    exit_code: int | None,
    error: JobError | None,
    started_at: datetime | None,
    finished_at: datetime,
) -> dict[str, object]:
    """One entry of ``jobs.attempts_json``: times as ISO 8601 text in UTC."""
    return {
        "attempt": number,
        "status": str(status),
        "exit_code": exit_code,
        "error": None
        if error is None
        else {"type": error.type, "message": error.message[:MAX_ATTEMPT_MESSAGE]},
        "started_at": None if started_at is None else started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
    }
