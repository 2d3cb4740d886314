"""The ``Store``'s contract for recurring jobs: schedules that submit a snapshot on a cron
expression (docs/jobs.md, "Recurring jobs"). ``SqlSchedules`` implements it."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ScheduleStore"]


class ScheduleStore(Protocol):
    """Recurring jobs: their definitions, and the slots they fired for."""
