"""Cron expressions: parse the five fields and find the next time one fires.

The syntax is Vixie cron's (docs/jobs.md, "Recurring jobs"): ``minute hour day-of-month
month day-of-week``, each field ``*``, a number, a range ``a-b``, a step ``*/n``, ``a-b/n``
or ``a/n`` (``a`` to the field's end), or a comma-separated list of these; months ``jan``-
``dec`` and weekdays ``sun``-``sat`` by name too (day of week 0 and 7 are Sunday); the
shorthands ``@hourly``, ``@daily`` (``@midnight``), ``@weekly``, ``@monthly`` and ``@yearly``
(``@annually``). When both day fields are restricted (neither starts with ``*``), a day
matches when *either* does (``0 0 1 * mon``: the 1st and every Monday), as in Vixie cron.

Times are wall-clock times in the schedule's IANA time zone (UTC by default). Around a
daylight-saving change: a slot whose wall time does not exist (the hour skipped in spring)
fires once, at the first minute after the gap; a wall time that happens twice (the hour
repeated in autumn) fires at its first occurrence only.

An expression that can never fire (``0 0 30 2 *``: there is no 30 February) is refused when
parsed, so :func:`next_after` always finds a time within a few years and steps by fields
(months, days, hours, minutes), never minute by minute.

Pure standard library: the SDK, the store and the scheduler share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from atlas.errors import InvalidInputError
from atlas.names import invalid, shown

__all__ = ["MAX_CRON_LENGTH", "MAX_TIMEZONE_LENGTH", "Cron", "next_after", "parse", "zone"]

MAX_CRON_LENGTH = 200
"""The longest cron expression accepted, in characters."""
MAX_TIMEZONE_LENGTH = 64
"""The longest time zone name accepted, in characters."""

_SHORTHANDS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# name, lowest, highest, names (their index + lowest is their number)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February: leap years
_SEARCH_YEARS = 40
"""Years searched: a day of month on one weekday (``0 0 29 2 */7``) comes round within 28,
longer across a century's missing leap day."""


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed cron expression: the values each field allows (weekdays 0-6, Sunday 0) and
    whether a day field was left unrestricted (it starts with ``*``)."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def day_matches(self, year: int, month: int, day: int) -> bool:
        """Whether the date is one of the expression's days (Vixie's either-field rule when
        both day fields are restricted)."""
        weekday = (datetime(year, month, day).weekday() + 1) % 7  # Monday 0 -> Sunday 0
        in_days, in_weekdays = day in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays


@lru_cache(maxsize=256)
def parse(text: str) -> Cron:
    """The parsed expression; ``InvalidInputError`` (field ``cron``) naming what is wrong,
    also for an expression that never fires."""
    if not isinstance(text, str) or len(text) > MAX_CRON_LENGTH:
        raise invalid("cron", f"a cron expression is text of at most {MAX_CRON_LENGTH} characters")
    expanded = _SHORTHANDS.get(text.strip().lower(), text)
    if expanded.strip().startswith("@"):
        raise invalid(
            "cron",
            f"unknown shorthand {text.strip()!r}: use @hourly, @daily, @weekly, @monthly "
            "or @yearly",
        )
    parts = expanded.split()
    if len(parts) != len(_FIELDS):
        raise invalid(
            "cron",
            f"{text!r} has {len(parts)} fields; a cron expression has 5: minute hour "
            "day-of-month month day-of-week (e.g. '0 3 * * *')",
        )
    values = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    cron = Cron(
        text=" ".join(text.split()),
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=frozenset(day % 7 for day in values[4]),
        any_day=parts[2].startswith("*"),
        any_weekday=parts[4].startswith("*"),
    )
    _refuse_never(cron)
    return cron


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``UTC``, ``Europe/Paris``, ...); ``InvalidInputError``
    (field ``timezone``) when there is none of this name."""
    text = shown(name) if isinstance(name, str) else type(name).__name__
    message = f"unknown time zone {text!r}: use an IANA name such as 'UTC' or 'Europe/Paris'"
    if not isinstance(name, str) or not 0 < len(name) <= MAX_TIMEZONE_LENGTH:
        raise invalid("timezone", message)
    if name not in _zone_names():  # not "localtime": the same name everywhere
        raise invalid("timezone", message)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise invalid("timezone", message) from None


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    """The IANA zone names of this machine's time zone database (read once)."""
    return (frozenset(available_timezones()) | {"UTC"}) - {"localtime"}


def next_after(expr: Cron | str, when: datetime, tz: str = "UTC") -> datetime:
    """The first time after ``when`` (strictly; an aware datetime) at which ``expr`` fires
    in the zone ``tz``, as an aware UTC datetime with whole minutes (see the module
    docstring for daylight-saving changes)."""
    cron = parse(expr) if isinstance(expr, str) else expr
    info = zone(tz)
    if when.tzinfo is None:
        raise ValueError("next_after needs an aware datetime")
    wall = when.astimezone(info).replace(tzinfo=None, second=0, microsecond=0)
    while True:
        wall = _next_wall(cron, wall + timedelta(minutes=1))
        instant = _instant(wall, info)
        if instant > when:
            return instant


def _next_wall(cron: Cron, start: datetime) -> datetime:
    """The first wall-clock minute at or after ``start`` that the expression matches."""
    t = start
    end = start.year + _SEARCH_YEARS
    while t.year <= end:
        if t.month not in cron.months:
            t = _next_month(t)
        elif not cron.day_matches(t.year, t.month, t.day):
            t = datetime(t.year, t.month, t.day) + timedelta(days=1)
        elif t.hour not in cron.hours:
            t = datetime(t.year, t.month, t.day, t.hour) + timedelta(hours=1)
        elif t.minute not in cron.minutes:
            t = t.replace(second=0) + timedelta(minutes=1)
        else:
            return t
    raise invalid("cron", f"cron expression {cron.text!r} does not fire in {_SEARCH_YEARS} years")


def _next_month(t: datetime) -> datetime:
    return datetime(t.year + 1, 1, 1) if t.month == 12 else datetime(t.year, t.month + 1, 1)


def _instant(wall: datetime, info: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: its first occurrence when it happens twice; the
    first existing minute after it when it falls in a gap."""
    local = wall.replace(tzinfo=info, fold=0)
    if local.astimezone(UTC).astimezone(info).replace(tzinfo=None) == wall:
        return local.astimezone(UTC)
    later = wall
    for _ in range(24 * 60):  # a gap lasts an hour or two; a day bounds any zone's
        later += timedelta(minutes=1)
        local = later.replace(tzinfo=info, fold=0)
        if local.astimezone(UTC).astimezone(info).replace(tzinfo=None) == later:
            return local.astimezone(UTC)
    raise ValueError(f"no existing time after {wall} in {info.key}")  # pragma: no cover


def _field(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> frozenset[int]:
    """The values one field allows; ``InvalidInputError`` naming the field."""
    values: set[int] = set()
    for item in text.split(","):
        values.update(_item(item, name, low, high, names))
    return frozenset(values)


def _item(item: str, name: str, low: int, high: int, names: tuple[str, ...]) -> range:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isascii() or not step_text.isdigit() or int(step_text) < 1:
            raise _bad(name, item, "a step is a whole number of at least 1")
        step = int(step_text)
    if base == "*":
        first, last = low, high
    elif "-" in base:
        first_text, _, last_text = base.partition("-")
        first = _number(first_text, name, low, high, names)
        last = _number(last_text, name, low, high, names)
        if last < first:
            raise _bad(name, item, f"the range runs backwards ({first} > {last})")
    else:
        first = _number(base, name, low, high, names)
        last = high if slash else first
    if name == "day of week" and base == "*":
        last = 6  # 7 is Sunday again
    return range(first, last + 1, step)


def _number(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    lowered = text.strip().lower()
    if lowered in names:
        return names.index(lowered) + (low if name == "month" else 0)
    if not lowered.isascii() or not lowered.isdigit():
        raise _bad(name, text, f"expected a number from {low} to {high}" + _named(names))
    value = int(lowered)
    if not low <= value <= high:
        raise _bad(name, text, f"{value} is out of range {low}-{high}")
    return value


def _named(names: tuple[str, ...]) -> str:
    return f" or a name ({names[0]}-{names[-1]})" if names else ""


def _bad(name: str, text: str, why: str) -> InvalidInputError:
    return invalid("cron", f"cron {name} field {text!r}: {why}")


def _refuse_never(cron: Cron) -> None:
    """Refuse an expression that no date matches: only possible when the day of month alone
    restricts the days (weekdays come round every week) and no chosen month has such a day."""
    if cron.any_day or not cron.any_weekday:
        return
    if any(day <= _LONGEST_MONTH[month - 1] for month in cron.months for day in cron.days):
        return
    raise invalid(
        "cron",
        f"cron expression {cron.text!r} never fires: no chosen month has day {min(cron.days)}",
    )
