"""The cron parser and ``next_after``: fields, names, steps, Vixie's day rule, time zones and
daylight-saving changes, and expressions refused because they are wrong or never fire."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import cron
from atlas.errors import InvalidInputError

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # a Saturday


def _times(expr: str, start: datetime = T0, n: int = 3, tz: str = "UTC") -> list[str]:
    out, t = [], start
    for _ in range(n):
        t = cron.next_after(expr, t, tz)
        out.append(t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %a %H:%M"))
    return out


def test_daily_at_three() -> None:
    assert _times("0 3 * * *") == [
        "2026-03-29 Sun 03:00",
        "2026-03-30 Mon 03:00",
        "2026-03-31 Tue 03:00",
    ]


def test_next_is_strictly_after_even_on_a_slot() -> None:
    slot = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)
    assert cron.next_after("0 3 * * *", slot) == slot + timedelta(days=1)
    assert cron.next_after("0 3 * * *", slot - timedelta(seconds=1)) == slot
    assert cron.next_after("0 3 * * *", slot + timedelta(seconds=30)) == slot + timedelta(days=1)


def test_lists_ranges_steps_and_names() -> None:
    assert _times("*/20 * * * *", n=4) == [
        "2026-03-28 Sat 12:20",
        "2026-03-28 Sat 12:40",
        "2026-03-28 Sat 13:00",
        "2026-03-28 Sat 13:20",
    ]
    assert _times("15,45 9-17/4 * * MON-fri", n=4) == [
        "2026-03-30 Mon 09:15",
        "2026-03-30 Mon 09:45",
        "2026-03-30 Mon 13:15",
        "2026-03-30 Mon 13:45",
    ]
    assert _times("0 0 1 jan,Jul *", n=2) == ["2026-07-01 Wed 00:00", "2027-01-01 Fri 00:00"]
    assert _times("0 12 10/10 * *", n=3) == [
        "2026-03-30 Mon 12:00",
        "2026-04-10 Fri 12:00",
        "2026-04-20 Mon 12:00",
    ]


def test_sunday_is_zero_and_seven() -> None:
    assert _times("0 0 * * 0", n=1) == _times("0 0 * * 7", n=1) == _times("0 0 * * sun", n=1)
    assert _times("0 0 * * 5-7", n=3) == [
        "2026-03-29 Sun 00:00",
        "2026-04-03 Fri 00:00",
        "2026-04-04 Sat 00:00",
    ]


def test_shorthands() -> None:
    assert _times("@hourly", n=1) == ["2026-03-28 Sat 13:00"]
    assert _times("@daily", n=1) == _times("@midnight", n=1) == ["2026-03-29 Sun 00:00"]
    assert _times("@weekly", n=1) == ["2026-03-29 Sun 00:00"]
    assert _times("@monthly", n=1) == ["2026-04-01 Wed 00:00"]
    assert _times("@yearly", n=1) == _times("@annually", n=1) == ["2027-01-01 Fri 00:00"]


def test_both_day_fields_restricted_means_either() -> None:
    # Vixie cron: the 1st of the month OR a Monday.
    assert _times("0 0 1 * mon", n=3) == [
        "2026-03-30 Mon 00:00",
        "2026-04-01 Wed 00:00",
        "2026-04-06 Mon 00:00",
    ]
    # A day field starting with '*' is unrestricted: both must match (odd days that are
    # Mondays).
    assert _times("0 0 */2 * mon", n=2) == ["2026-04-13 Mon 00:00", "2026-04-27 Mon 00:00"]


def test_leap_day_and_rare_dates_are_found_quickly() -> None:
    assert _times("0 0 29 2 *", n=2) == ["2028-02-29 Tue 00:00", "2032-02-29 Sun 00:00"]
    started = time.perf_counter()
    assert _times("0 0 29 2 */7", n=1) == ["2032-02-29 Sun 00:00"]  # 29 Feb on a Sunday
    assert _times("59 23 31 12 *", n=1) == ["2026-12-31 Thu 23:59"]
    assert time.perf_counter() - started < 0.5


def test_time_zone_wall_clock() -> None:
    paris = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    assert cron.next_after("0 3 * * *", paris, "Europe/Paris") == datetime(
        2026, 6, 1, 1, 0, tzinfo=UTC
    )
    assert _times("0 3 * * *", paris, n=1, tz="America/New_York") == ["2026-06-01 Mon 03:00"]


def test_spring_gap_fires_once_at_the_end_of_the_gap() -> None:
    # Paris skips 02:00-03:00 on 29 March 2026 (01:00 UTC).
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 in Paris
    assert cron.next_after("30 2 * * *", start, "Europe/Paris") == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    # Every 15 minutes: the four slots in the gap become one run at 03:00 CEST.
    assert _times("*/15 * * * *", datetime(2026, 3, 29, 0, 40, tzinfo=UTC), 4, "Europe/Paris") == [
        "2026-03-29 Sun 01:45",
        "2026-03-29 Sun 03:00",
        "2026-03-29 Sun 03:15",
        "2026-03-29 Sun 03:30",
    ]


def test_autumn_overlap_fires_at_the_first_occurrence_only() -> None:
    # Paris repeats 02:00-03:00 on 25 October 2026 (00:00-01:00 UTC, then 01:00-02:00 UTC).
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    first = cron.next_after("30 2 * * *", start, "Europe/Paris")
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert cron.next_after("30 2 * * *", first, "Europe/Paris") == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC
    )
    # Asked during the repeated hour, the next run is not in the past.
    during = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 CET, the second pass
    assert cron.next_after("*/15 * * * *", during, "Europe/Paris") == datetime(
        2026, 10, 25, 2, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4,6,9,11 *", "never fires"),
        ("61 * * * *", "out of range 0-59"),
        ("* 24 * * *", "out of range 0-23"),
        ("* * 0 * *", "out of range 1-31"),
        ("* * * 13 *", "out of range 1-12"),
        ("* * * * 8", "out of range 0-7"),
        ("* * *", "has 3 fields"),
        ("* * * * * *", "has 6 fields"),
        ("", "has 0 fields"),
        ("@reboot", "unknown shorthand"),
        ("5-1 * * * *", "backwards"),
        ("*/0 * * * *", "step"),
        ("*/x * * * *", "step"),
        ("a * * * *", "expected a number"),
        ("1,,2 * * * *", "expected a number"),
        ("* * * foo *", "or a name (jan-dec)"),
        ("-1 * * * *", "expected a number"),
        ("\u0661 * * * *", "expected a number"),  # an Arabic-Indic digit is no cron number
        ("0 0 * * *" * 50, "at most 200"),
    ],
)
def test_bad_expressions_are_refused_with_a_reason(expr: str, words: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        cron.parse(expr)
    assert words in caught.value.message
    assert caught.value.detail["errors"][0]["field"] == "cron"  # type: ignore[index]


def test_time_zones_are_iana_names() -> None:
    assert cron.zone("Europe/Paris").key == "Europe/Paris"
    for bad in ["Mars/Olympus", "", "../etc/passwd", "x" * 100, "localtime", "UTC\x00", "\ud800"]:
        with pytest.raises(InvalidInputError) as caught:
            cron.zone(bad)
        assert caught.value.detail["errors"][0]["field"] == "timezone"  # type: ignore[index]


_FIELD = st.one_of(
    st.just("*"),
    st.integers(0, 5).map(str),
    st.integers(1, 12).map(lambda n: f"*/{n}"),
    st.tuples(st.integers(0, 3), st.integers(3, 6)).map(lambda ab: f"{ab[0]}-{ab[1]}"),
)
_EXPR = st.tuples(
    st.sampled_from(["*/5", "0", "7,37", "59"]),
    st.sampled_from(["*", "3", "22-23", "*/6"]),
    st.sampled_from(["*", "1", "15-20", "31", "*/10"]),
    st.sampled_from(["*", "2", "jan-mar", "*/4"]),
    _FIELD.map(lambda f: f.replace("*/1", "*")),
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    expr=_EXPR,
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    tz=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]),
)
def test_next_after_is_a_later_matching_minute_and_none_is_skipped(
    expr: str, start: datetime, tz: str
) -> None:
    try:
        parsed = cron.parse(expr)
    except InvalidInputError:
        return  # never fires (31 February): refused, not searched
    when = start.replace(tzinfo=UTC)
    found = cron.next_after(parsed, when, tz)
    assert found > when
    assert (found.second, found.microsecond) == (0, 0)
    wall = found.astimezone(ZoneInfo(tz))
    in_gap = wall.minute not in parsed.minutes or wall.hour not in parsed.hours
    if not in_gap:  # a slot in a spring gap fires at the gap's end instead
        assert wall.month in parsed.months
        assert parsed.day_matches(wall.year, wall.month, wall.day)
    # No matching minute lies between: check the UTC minutes of the next two hours.
    probe = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(120):
        if probe >= found:
            break
        local = probe.astimezone(ZoneInfo(tz))
        matches = (
            local.minute in parsed.minutes
            and local.hour in parsed.hours
            and local.month in parsed.months
            and parsed.day_matches(local.year, local.month, local.day)
        )
        assert not matches or local.fold == 1, (expr, probe, found)
        probe += timedelta(minutes=1)
