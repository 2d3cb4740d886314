"""Liveness of tracked scripts: when the server last heard from a job's process, and the
running ``local`` jobs that fell silent.

A tracked script (``python train.py`` with ``import atlas``) has no launcher watching it, so
its SDK sends heartbeats; ``record_heartbeat`` stamps ``last_seen_at`` and brings a job that
was marked lost back to ``running``. ``mark_silent_lost`` is the watcher's step. Scheduled
jobs are never touched here: the scheduler owns their status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from atlas.domain import Heartbeat, JobError, JobKind, JobStatus, can_transition
from atlas.store.api_tokens import revoke_job_tokens
from atlas.store.jobs import lock_job, update_job
from atlas.store.notification_outbox import enqueue_job_event
from atlas.store.tables import jobs_table

__all__ = ["mark_silent_lost", "record_heartbeat"]

_J = jobs_table


def record_heartbeat(conn: Connection, job_id: str, at: datetime) -> Heartbeat:
    """Note that the process of job ``job_id`` is alive at ``at``; a ``local`` job marked
    ``lost`` runs again (its error cleared). ``NotFoundError`` for an unknown job."""
    lock_job(conn, job_id)
    row = conn.execute(select(_J.c.status, _J.c.kind).where(_J.c.id == job_id)).one()
    status, kind = JobStatus(row.status), JobKind(row.kind)
    if status == JobStatus.LOST and can_transition(status, JobStatus.RUNNING, kind):
        update_job(conn, job_id, status=JobStatus.RUNNING)  # stamps last_seen_at too
        return Heartbeat(JobStatus.RUNNING, kind)
    conn.execute(update(_J).where(_J.c.id == job_id).values(last_seen_at=at))
    return Heartbeat(status, kind)


def mark_silent_lost(conn: Connection, *, before: datetime, error: JobError) -> list[str]:
    """Mark ``lost``, with ``error``, every running ``local`` job last heard from before
    ``before``, as finished when it was last heard from; return their ids (one statement,
    so a job heard from meanwhile is left alone)."""
    assert can_transition(JobStatus.RUNNING, JobStatus.LOST, JobKind.LOCAL)
    silent = update(_J).where(
        _J.c.kind == str(JobKind.LOCAL),
        _J.c.status == str(JobStatus.RUNNING),
        _J.c.last_seen_at < before,
    )
    lost = silent.values(
        status=str(JobStatus.LOST),
        finished_at=_J.c.last_seen_at,
        error_type=error.type,
        error_message=error.message,
        error_traceback=error.traceback,
    ).returning(_J.c.id)
    job_ids = sorted(str(job_id) for job_id in conn.scalars(lost))
    revoke_job_tokens(conn, job_ids)
    enqueue_job_event(conn, job_ids, JobStatus.LOST)
    return job_ids
