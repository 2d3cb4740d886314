"""Recurring jobs' half of ``SqlStore``: schedules that submit a snapshot on a cron
expression (docs/jobs.md, "Recurring jobs").

``SqlSchedules`` opens the transactions; the work is done by ``schedules``.
"""

from __future__ import annotations

__all__ = ["SqlSchedules"]


class SqlSchedules:
    """Recurring jobs on the database of ``_engine`` (see ``ScheduleStore`` for each
    method's contract)."""
