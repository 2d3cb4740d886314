"""How the CLI shows times, durations, numbers and JSON."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from atlas.cli.formats import (
    cell,
    dumps,
    format_duration,
    format_number,
    format_size,
    format_time,
    job_duration,
)
from atlas.domain import Job, JobKind, JobStatus

T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


def _job(status: JobStatus, started: datetime | None, finished: datetime | None) -> Job:
    return Job(
        id="0" * 16,
        project="p",
        name="",
        user="",
        kind=JobKind.LOCAL,
        status=status,
        created_at=T0,
        started_at=started,
        finished_at=finished,
    )


def test_durations_read_naturally() -> None:
    assert format_duration(None) == "-"
    assert format_duration(4.25) == "4.2s"
    assert format_duration(192) == "3m 12s"
    assert format_duration(3720) == "1h 02m"
    assert format_duration(2 * 86400 + 3 * 3600) == "2d 03h"


def test_a_running_job_has_lasted_until_now_and_a_queued_one_not_at_all() -> None:
    running = _job(JobStatus.RUNNING, T0, None)
    assert job_duration(running, now=T0 + timedelta(seconds=90)) == 90.0
    finished = _job(JobStatus.COMPLETED, T0, T0 + timedelta(seconds=5))
    assert job_duration(finished) == 5.0
    assert job_duration(_job(JobStatus.QUEUED, None, None)) is None


def test_times_are_shown_in_the_local_time_zone() -> None:
    local = T0.astimezone()
    assert format_time(T0) == local.strftime("%Y-%m-%d %H:%M")
    assert format_time(T0, seconds=True, zone=True).endswith(str(local.tzname()))
    assert format_time(None) == "-"


def test_numbers_keep_non_finite_values_visible() -> None:
    assert format_number(0.123456789) == "0.123457"
    assert format_number(math.nan) == "nan"
    assert format_number(-math.inf) == "-inf"
    assert format_number(3) == "3"
    assert format_size(512) == "512 B"
    assert format_size(3 * 1024 * 1024) == "3.0 MiB"


def test_json_output_is_always_valid_json() -> None:
    text = dumps({"at": T0, "values": [math.nan, math.inf, -math.inf, 1.5]})
    assert json.loads(text) == {
        "at": "2026-11-25T14:00:00Z",
        "values": ["NaN", "Infinity", "-Infinity", 1.5],
    }


def test_control_characters_never_break_a_table_line() -> None:
    assert cell("two\nlines\ttab") == "two lines tab"
