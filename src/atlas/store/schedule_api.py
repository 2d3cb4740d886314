"""The ``Store``'s contract for recurring jobs: schedules that submit a snapshot on a cron
expression (docs/jobs.md, "Recurring jobs"). ``SqlSchedules`` implements it.

The store keeps schedules and fires them; *when* they fire is computed by its caller
(:class:`atlas.scheduler.recurring.Recurring`, with :mod:`atlas.cron`), which passes each
next run time in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from atlas.domain import Job, JobSpec
from atlas.schedules import Schedule

__all__ = ["UNCHANGED", "ScheduleStore", "Unchanged"]

Unchanged = Literal["unchanged"]
UNCHANGED: Unchanged = "unchanged"
"""``update_schedule``'s ``next_run_at`` when the next run time stays as the row has it."""


class ScheduleStore(Protocol):
    """Recurring jobs: their definitions, and the slots they fired for."""

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
        """Keep a schedule submitting ``spec`` (a scheduled job's spec) in ``spec.project``
        (which must exist). ``InvalidInputError`` for a cron expression or time zone that
        :mod:`atlas.cron` refuses, a name too long, or a spec that is not a scheduled job."""
        ...

    def get_schedule(self, schedule_id: str) -> Schedule:
        """The schedule; ``NotFoundError`` when there is none of this id."""
        ...

    def list_schedules(self, project: str | None = None) -> list[Schedule]:
        """The project's schedules (``None``: every project's), by project, then name,
        then creation."""
        ...

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
        """Change what is given (``None``: unchanged) and set the next run time (``None``:
        none, as for a paused schedule; :data:`UNCHANGED`: as the row has it, so a rename
        never brings back a slot that fired since the caller read the schedule)."""
        ...

    def delete_schedule(self, schedule_id: str) -> None:
        """Delete the schedule (its jobs stay); ``NotFoundError`` when there is none."""
        ...

    def due_schedules(self, now: datetime) -> list[Schedule]:
        """The schedules not paused whose next run time is at or before ``now``, the
        earliest first."""
        ...

    def next_schedule_at(self) -> datetime | None:
        """The earliest next run time of a schedule not paused; ``None`` when none is."""
        ...

    def fire_schedule(
        self, schedule: Schedule, spec: JobSpec, *, next_run_at: datetime
    ) -> Job | None:
        """Fire ``schedule`` (as read) for its slot ``schedule.next_run_at``: in one
        transaction, move its last slot to that slot and its next run time to
        ``next_run_at`` only when the row is still as read (same last slot, next run time,
        cron and time zone, not paused, and that slot later than the last one fired: a
        compare-and-set), queue ``spec`` as a job, and clear the schedule's last error.
        ``None`` (nothing written) when the row changed meanwhile: another server or an
        earlier try fired this slot, or a user changed the schedule."""
        ...

    def skip_schedule(self, schedule: Schedule, *, next_run_at: datetime, error: str) -> bool:
        """Move ``schedule`` past its slot to ``next_run_at`` without queueing a job (its
        run could not be submitted, for the reason ``error``, kept as its ``last_error``
        with the time), by the same compare-and-set as :meth:`fire_schedule`; ``False``
        (nothing written) when the row changed meanwhile."""
        ...
