"""The fields a query may name and the values each accepts.

Resolves a path token (``status``, ``params.lr``, ``metrics.loss.min``) into a ``Field`` and
types the literals compared with it, so every semantic error is reported with the position
of the offending part before any SQL is built.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from atlas.domain import JobKind, JobStatus
from atlas.errors import QuerySyntaxError
from atlas.names import MAX_KEY_LENGTH
from atlas.store.query.lexer import Segment, Token
from atlas.store.query.nodes import Field, FieldKind, Value, ValueKind

__all__ = [
    "JOB_FIELDS",
    "MAX_KEY_LENGTH",
    "METRIC_AGGREGATES",
    "FieldType",
    "JobFieldSpec",
    "check_text_field",
    "check_value",
    "resolve_field",
]

METRIC_AGGREGATES = ("last", "min", "max", "count", "last_step")
"""Columns of a metric summary a query may name; ``last`` when none is given."""

_GROUPS = {"params": FieldKind.PARAM, "tags": FieldKind.TAG, "metrics": FieldKind.METRIC}
_EQUALITY_OPS = frozenset({"=", "!=", "in"})
_NOT_AGGREGATES = frozenset({"avg", "average", "mean", "median", "sum", "total", "first", "std"})
"""Aggregates people ask for that metric summaries do not keep: an error, not part of a key."""
_TIME_EXAMPLE = '"2026-11-01" or "2026-11-01T14:30:00Z"'


class FieldType(StrEnum):
    """What a job column holds."""

    TEXT = "text"
    TIME = "time"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class JobFieldSpec:
    """A job column: its type, whether it may be unset, and its allowed values if fixed."""

    type: FieldType
    nullable: bool = False
    choices: tuple[str, ...] = ()


JOB_FIELDS: dict[str, JobFieldSpec] = {
    "id": JobFieldSpec(FieldType.TEXT),
    "name": JobFieldSpec(FieldType.TEXT),
    "status": JobFieldSpec(FieldType.TEXT, choices=tuple(s.value for s in JobStatus)),
    "user": JobFieldSpec(FieldType.TEXT),
    "kind": JobFieldSpec(FieldType.TEXT, choices=tuple(k.value for k in JobKind)),
    "command": JobFieldSpec(FieldType.TEXT),
    "created_at": JobFieldSpec(FieldType.TIME),
    "started_at": JobFieldSpec(FieldType.TIME, nullable=True),
    "finished_at": JobFieldSpec(FieldType.TIME, nullable=True),
    "duration": JobFieldSpec(FieldType.NUMBER, nullable=True),
    "exit_code": JobFieldSpec(FieldType.NUMBER, nullable=True),
    "priority": JobFieldSpec(FieldType.NUMBER),
    "sweep": JobFieldSpec(FieldType.TEXT, nullable=True),
}
"""Job columns a query may name (``duration`` is computed: seconds from start to end/now;
``sweep`` is the id of the sweep a trial job belongs to, column ``sweep_id``)."""


def _fail(message: str, query: str, position: int) -> QuerySyntaxError:
    return QuerySyntaxError.at(message, query=query, position=position)


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def resolve_field(token: Token, query: str) -> Field:
    """The field named by the path ``token``; ``QuerySyntaxError`` when there is none.

    After ``params.``, ``tags.`` or ``metrics.`` the whole rest of the path is the key, its
    segments joined by dots (``params.model.layers`` is the param ``model.layers``); for
    metrics an unquoted last segment naming an aggregate is the aggregate instead
    (``metrics.val.loss.min``).
    """
    first, *rest = token.segments
    group = _GROUPS.get(first.text) if not first.quoted else None
    if group is None:
        return _job_field(first, rest, query)
    if not rest:
        example = {"params": "params.lr", "tags": "tags.stage", "metrics": "metrics.loss"}
        raise _fail(
            f"expected a key after {first.text!r} (e.g. {example[first.text]})",
            query,
            first.position + len(first.text),
        )
    agg = None
    if group is FieldKind.METRIC:
        agg, rest = _metric_aggregate(rest, query)
    key = ".".join(segment.text for segment in rest)
    if len(key) > MAX_KEY_LENGTH:
        raise _fail(f"key longer than {MAX_KEY_LENGTH} characters", query, rest[0].position)
    return Field(group, key, agg, token.position)


def _job_field(first: Segment, rest: list[Segment], query: str) -> Field:
    name = first.text
    if name not in JOB_FIELDS:
        if rest:
            suggestion = _suggest(name, list(_GROUPS))
            raise _fail(
                f"unknown field group {name!r} (use params, tags or metrics){suggestion}",
                query,
                first.position,
            )
        suggestion = _suggest(name, [*JOB_FIELDS, *_GROUPS])
        raise _fail(f"unknown job field {name!r}{suggestion}", query, first.position)
    if rest:
        raise _fail(f"job field {name!r} has no parts after '.'", query, rest[0].position - 1)
    return Field(FieldKind.JOB, name, None, first.position)


def _metric_aggregate(parts: list[Segment], query: str) -> tuple[str, list[Segment]]:
    """The aggregate a metric path names (``last`` by default) and the segments of its key."""
    last = parts[-1]
    if len(parts) > 1 and not last.quoted:
        if last.text in METRIC_AGGREGATES:
            return last.text, parts[:-1]
        if last.text.lower() in _NOT_AGGREGATES:
            dotted = ".".join(part.text for part in parts)
            raise _fail(
                f"unknown metric aggregate {last.text!r} (use {', '.join(METRIC_AGGREGATES)}); "
                f"for a key ending in '.{last.text}' quote it: metrics.`{dotted}`",
                query,
                last.position,
            )
    return "last", parts


def check_text_field(field: Field, operator: str, query: str) -> None:
    """Raise unless ``field`` holds text that ``contains`` or ``~`` can search."""
    if field.kind in (FieldKind.PARAM, FieldKind.TAG):
        return
    if field.kind is FieldKind.JOB and JOB_FIELDS[field.name].type is FieldType.TEXT:
        return
    what = "a number" if field.kind is FieldKind.METRIC else _job_type_phrase(field.name)
    raise _fail(
        f"{operator!r} needs a text field, and {field.label} is {what}", query, field.position
    )


def _job_type_phrase(name: str) -> str:
    return {FieldType.TIME: "a time", FieldType.NUMBER: "a number", FieldType.TEXT: "text"}[
        JOB_FIELDS[name].type
    ]


def check_value(field: Field, op: str, value: Value, source: str, query: str) -> Value:
    """Type ``value`` (written as ``source``) for comparing with ``field`` by ``op``.

    ``op`` is a comparison operator or ``in``. Returns the value as the compiler needs it
    (a time field's string becomes an aware UTC datetime, a status is lower-cased).
    """
    if value.kind is ValueKind.NULL:
        if op not in _EQUALITY_OPS:
            raise _fail(f"null only compares with = and != (not {op})", query, value.position)
        return value
    if field.kind is FieldKind.PARAM:
        if value.kind is ValueKind.BOOL and op not in _EQUALITY_OPS:
            raise _fail(f"{source} only compares with = and != (not {op})", query, value.position)
        return value
    if field.kind is FieldKind.TAG:
        return _expect_string(field, value, source, query, "tags hold text")
    if field.kind is FieldKind.METRIC:
        return _expect_number(field, value, query, "metrics are numbers")
    return _job_value(field, op, value, source, query)


def _job_value(field: Field, op: str, value: Value, source: str, query: str) -> Value:
    spec = JOB_FIELDS[field.name]
    if spec.type is FieldType.NUMBER:
        unit = " of seconds" if field.name == "duration" else ""
        return _expect_number(field, value, query, f"{field.name} is a number{unit}")
    if spec.type is FieldType.TIME:
        return _time_value(field, value, query)
    value = _expect_string(field, value, source, query, f"{field.name} is text")
    if spec.choices:
        return _choice_value(field, op, value, spec.choices, query)
    return value


def _expect_string(field: Field, value: Value, source: str, query: str, why: str) -> Value:
    if value.kind is not ValueKind.STRING:
        raise _fail(f'{why}; quote the value: {field.label} = "{source}"', query, value.position)
    return value


def _expect_number(field: Field, value: Value, query: str, why: str) -> Value:
    if value.kind is not ValueKind.NUMBER:
        raise _fail(f"{why}; compare {field.label} with a number", query, value.position)
    return value


def _choice_value(
    field: Field, op: str, value: Value, choices: tuple[str, ...], query: str
) -> Value:
    if op not in _EQUALITY_OPS:
        raise _fail(f"{field.name} compares only with =, != and in", query, value.position)
    text = str(value.data).lower()
    if text not in choices:
        suggestion = _suggest(text, list(choices))
        raise _fail(
            f"unknown {field.name} {value.data!r} (use {', '.join(choices)}){suggestion}",
            query,
            value.position,
        )
    return Value(ValueKind.STRING, text, value.position)


def _time_value(field: Field, value: Value, query: str) -> Value:
    problem = f"expected a time for {field.name}, such as {_TIME_EXAMPLE}"
    if value.kind is not ValueKind.STRING:
        raise _fail(problem, query, value.position)
    try:
        moment = datetime.fromisoformat(str(value.data).strip())
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _fail(f"invalid time {value.data!r}: {problem}", query, value.position) from None
    return Value(ValueKind.TIME, moment, value.position)
