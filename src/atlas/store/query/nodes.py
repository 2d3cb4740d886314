"""The syntax tree of the job query language (see docs/rest-api.md#filters).

Every node is a frozen dataclass carrying ``position``, the 0-based offset in the query text
where it starts, so later stages can point an error at the right character. Values are typed
by the parser (a time field's value is already a ``datetime``), so the compiler never has to
look at text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "And",
    "Compare",
    "Contains",
    "Exists",
    "Expr",
    "Field",
    "FieldKind",
    "InList",
    "Matches",
    "Not",
    "Or",
    "SortKey",
    "Value",
    "ValueKind",
]


class FieldKind(StrEnum):
    """Where a field's value lives."""

    JOB = "job"  # a column of the job itself: status, created_at, duration, ...
    PARAM = "param"
    TAG = "tag"
    METRIC = "metric"


class ValueKind(StrEnum):
    """The type of a literal, as the field it is compared with needs it."""

    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"
    NULL = "null"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a job: ``name`` is the column for job fields, else the key.

    ``agg`` is the metric summary column (``last``, ``min``, ``max``, ``count``,
    ``last_step``) for metrics and ``None`` otherwise.
    """

    kind: FieldKind
    name: str
    agg: str | None = None
    position: int = 0

    @property
    def label(self) -> str:
        """The field as a person would write it (``metrics.loss.min``)."""
        if self.kind is FieldKind.JOB:
            return self.name
        prefix = {FieldKind.PARAM: "params", FieldKind.TAG: "tags", FieldKind.METRIC: "metrics"}
        label = f"{prefix[self.kind]}.{self.name}"
        return f"{label}.{self.agg}" if self.agg else label


@dataclass(frozen=True, slots=True)
class Value:
    """A literal: ``data`` is a float/int, str, bool, None or an aware UTC datetime."""

    kind: ValueKind
    data: float | int | str | bool | datetime | None
    position: int = 0


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op value`` with ``op`` one of ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``."""

    field: Field
    op: str
    value: Value
    position: int = 0


@dataclass(frozen=True, slots=True)
class InList:
    """``field in (v1, v2, ...)``; ``negated`` for ``not in``."""

    field: Field
    values: tuple[Value, ...]
    negated: bool = False
    position: int = 0


@dataclass(frozen=True, slots=True)
class Contains:
    """``field contains "text"``, case-insensitive."""

    field: Field
    text: str
    position: int = 0


@dataclass(frozen=True, slots=True)
class Matches:
    """``field ~ "regex"`` (also ``matches``): the regex is found anywhere in the value."""

    field: Field
    pattern: str
    position: int = 0


@dataclass(frozen=True, slots=True)
class Exists:
    """``field exists``: the job has the param, tag or metric (or the column is set)."""

    field: Field
    position: int = 0


@dataclass(frozen=True, slots=True)
class And:
    """All of ``items`` (two or more)."""

    items: tuple[Expr, ...]
    position: int = 0


@dataclass(frozen=True, slots=True)
class Or:
    """Any of ``items`` (two or more)."""

    items: tuple[Expr, ...]
    position: int = 0


@dataclass(frozen=True, slots=True)
class Not:
    """The complement of ``item``: every job that ``item`` does not match."""

    item: Expr
    position: int = 0


Expr = Compare | InList | Contains | Matches | Exists | And | Or | Not
"""A filter expression."""


@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort field; jobs lacking the value come last in either direction."""

    field: Field
    descending: bool = False
    position: int = 0
