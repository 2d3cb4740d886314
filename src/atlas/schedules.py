"""Recurring jobs as plain data (docs/jobs.md, "Recurring jobs"): a schedule that submits a
job on a cron expression, shared by the store, the server and the SDK's ``Client``.

*When* a schedule fires is :mod:`atlas.cron`'s and the scheduler's business
(:class:`atlas.scheduler.recurring.Recurring`); this module only holds what is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from atlas.domain import JobSpec

__all__ = ["Schedule"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring job. ``spec`` is the job each run submits (its project is the
    schedule's); ``next_run_at`` is ``None`` while paused; ``last_slot`` is the cron slot it
    last fired for and ``last_job_id`` that run's job (which may since have been deleted).

    ``last_error`` says why the schedule's latest slot submitted no job (its snapshot
    deleted, resources the machine no longer has, a maker who may no longer run jobs in the
    project), at ``last_error_at``; a run submitted later clears both."""

    id: str
    project: str
    name: str
    cron: str
    timezone: str
    spec: JobSpec
    created_by: str
    paused: bool
    next_run_at: datetime | None
    last_slot: datetime | None
    last_job_id: str | None
    created_at: datetime
    updated_at: datetime
    last_error: str | None = None
    last_error_at: datetime | None = None
