"""Recurring jobs' half of ``SqlStore``: schedules that submit a snapshot on a cron
expression (docs/jobs.md, "Recurring jobs").

``SqlSchedules`` opens the transactions; the work is done by ``schedules``.
"""

from __future__ import annotations

from datetime import datetime

from atlas.domain import Job, JobSpec
from atlas.schedules import Schedule
from atlas.store import job_pages, schedules
from atlas.store.account_store import SqlAccounts
from atlas.store.schedule_api import UNCHANGED, Unchanged

__all__ = ["SqlSchedules"]


class SqlSchedules(SqlAccounts):
    """Recurring jobs on the database of ``_engine`` (see ``ScheduleStore`` for each
    method's contract)."""

    def create_schedule(
        self,
        spec: JobSpec,
        *,
        cron: str,
        timezone: str,
        name: str,
        user: str,
        next_run_at: datetime | None,
    ) -> Schedule:
        """Keep a schedule submitting ``spec``."""
        with self._write() as conn:
            schedule_id = schedules.insert_schedule(
                conn,
                spec,
                cron=cron,
                timezone=timezone,
                name=name,
                user=user,
                next_run_at=next_run_at,
            )
            return schedules.get_schedule(conn, schedule_id)

    def get_schedule(self, schedule_id: str) -> Schedule:
        """The schedule."""
        with self._read() as conn:
            return schedules.get_schedule(conn, schedule_id)

    def list_schedules(self, project: str | None = None) -> list[Schedule]:
        """The project's schedules (``None``: every project's)."""
        with self._read() as conn:
            return schedules.list_schedules(conn, project)

    def update_schedule(
        self,
        schedule_id: str,
        *,
        name: str | None = None,
        cron: str | None = None,
        timezone: str | None = None,
        paused: bool | None = None,
        next_run_at: datetime | Unchanged | None = UNCHANGED,
    ) -> Schedule:
        """Change what is given and set the next run time (``UNCHANGED``: the row's)."""
        with self._write() as conn:
            schedules.update_schedule(
                conn,
                schedule_id,
                next_run_at=next_run_at,
                name=name,
                cron=cron,
                timezone=timezone,
                paused=paused,
            )
            return schedules.get_schedule(conn, schedule_id)

    def delete_schedule(self, schedule_id: str) -> None:
        """Delete the schedule (its jobs stay)."""
        with self._write() as conn:
            schedules.delete_schedule(conn, schedule_id)

    def due_schedules(self, now: datetime) -> list[Schedule]:
        """The schedules due at ``now``, the earliest first."""
        with self._read() as conn:
            return schedules.due_schedules(conn, now)

    def next_schedule_at(self) -> datetime | None:
        """The earliest next run time of a schedule not paused."""
        with self._read() as conn:
            return schedules.next_schedule_at(conn)

    def fire_schedule(
        self, schedule: Schedule, spec: JobSpec, *, next_run_at: datetime
    ) -> Job | None:
        """Fire the schedule's slot and queue ``spec`` in one transaction (a compare-and-set
        on the row as read); ``None`` when it changed meanwhile."""
        with self._write() as conn:
            job_id = schedules.fire(conn, schedule, spec, next_run_at=next_run_at)
            return job_pages.get_job(conn, job_id) if isinstance(job_id, str) else None

    def skip_schedule(self, schedule: Schedule, *, next_run_at: datetime, error: str) -> bool:
        """Move the schedule past its slot without a job, keeping ``error`` as its last
        error (a compare-and-set as ``fire_schedule``); ``False`` when it changed
        meanwhile."""
        with self._write() as conn:
            skipped = schedules.fire(conn, schedule, None, next_run_at=next_run_at, error=error)
            return skipped is True
