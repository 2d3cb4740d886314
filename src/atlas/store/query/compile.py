"""Compile a filter's syntax tree into SQLAlchemy: a condition on ``JobRow`` for the page,
and a select of matching job ids for the count (see ``terms`` for the two shapes).

Every value is a bound parameter; no SQL text is built from the query. Semantics, the same
on SQLite and PostgreSQL:

- A comparison matches only jobs that have the value, with the literal's type: a number
  compares with numeric params, a string with string params, ``true``/``false`` with boolean
  params. So ``params.lr != 0.01`` skips jobs without ``lr``; ``not params.lr = 0.01`` is the
  exact complement and includes them. ``x not in (...)`` is ``not (x in (...))``.
- ``x = null`` matches jobs without the param, tag or metric (or whose param is JSON null, or
  whose job column is unset); ``x != null`` is its complement. ``x exists`` matches jobs that
  have the param (whatever its value), tag or metric, or whose job column is set.
- A NaN metric value (stored as NULL) matches no comparison.
- ``contains`` is case-insensitive (``lower() LIKE`` with ``%``, ``_`` and ``/`` escaped;
  Unicode case folding on PostgreSQL, ASCII only on SQLite). ``~`` searches with RE2 on SQLite
  (``engine`` registers ``regex.sqlite_regexp`` as ``REGEXP`` on every connection) and with
  ``~`` on PostgreSQL, given the pattern as ``regex.postgres_pattern`` spells it.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Float,
    Numeric,
    Select,
    and_,
    cast,
    extract,
    func,
    literal,
    or_,
)
from sqlalchemy.sql.elements import ColumnElement

from atlas.store.query.fields import JOB_FIELDS
from atlas.store.query.nodes import (
    And,
    Compare,
    Contains,
    Exists,
    Expr,
    Field,
    FieldKind,
    InList,
    Matches,
    Not,
    Or,
    Value,
    ValueKind,
)
from atlas.store.query.regex import postgres_pattern
from atlas.store.query.terms import (
    AllOf,
    AnyOf,
    JobCondition,
    KeyedRows,
    KeyTable,
    NoneOf,
    Term,
    as_condition,
    as_job_ids,
)
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow, UtcDateTime

__all__ = ["DIALECTS", "check_dialect", "compile_filter", "filter_job_ids", "job_column"]

DIALECTS = ("sqlite", "postgresql")
"""Database dialects the query language compiles for (``engine.dialect.name``)."""

_OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

Leaf = Compare | InList | Contains | Matches | Exists


def check_dialect(dialect: str) -> None:
    """Raise ``ValueError`` for a database the query language does not support."""
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported database dialect {dialect!r} (use {', '.join(DIALECTS)})")


_COLUMNS = {"sweep": "sweep_id"}
"""Job fields of the query language whose column has another name."""


def job_column(name: str, *, dialect: str, now: datetime) -> ColumnElement[Any]:
    """The SQL expression for job field ``name``; ``duration`` is in seconds, from
    ``started_at`` to ``finished_at`` (or ``now`` while the job runs), NULL before start."""
    if name != "duration":
        column: ColumnElement[Any] = getattr(JobRow, _COLUMNS.get(name, name))
        return column
    end = func.coalesce(JobRow.finished_at, literal(now, UtcDateTime()))
    # Rounded to the millisecond: julianday() arithmetic is off by up to ~50 microseconds.
    if dialect == "sqlite":
        seconds = (func.julianday(end) - func.julianday(JobRow.started_at)) * 86400.0
        return func.round(seconds, 3)
    return func.round(cast(extract("epoch", end - JobRow.started_at), Numeric), 3)


def compile_filter(
    expr: Expr, *, project_id: int, dialect: str, now: datetime
) -> ColumnElement[bool]:
    """The condition on ``JobRow`` that ``expr`` describes (params, tags and metrics are
    correlated ``EXISTS`` probes). Never NULL, so ``not`` is always an exact complement.

    ``dialect`` is the engine's dialect name (``sqlite`` or ``postgresql``); ``now`` ends
    the ``duration`` of running jobs. The caller restricts ``JobRow.project_id`` itself.
    """
    check_dialect(dialect)
    return as_condition(_Lowering(project_id, dialect, now).term(expr))


def filter_job_ids(
    expr: Expr, *, project_id: int, dialect: str, now: datetime
) -> Select[Any] | CompoundSelect[Any]:
    """A select of the ids of the jobs of ``project_id`` that ``expr`` matches, each once,
    built from index range scans combined with INTERSECT, UNION and EXCEPT (for counting)."""
    check_dialect(dialect)
    return as_job_ids(
        _Lowering(project_id, dialect, now).term(expr), project_id=project_id, dialect=dialect
    )


class _Lowering:
    """Turns the syntax tree into ``terms``: job-column conditions and keyed-row sets."""

    def __init__(self, project_id: int, dialect: str, now: datetime) -> None:
        self.project_id = project_id
        self.dialect = dialect
        self.now = now

    def term(self, node: Expr) -> Term:
        if isinstance(node, And):
            return AllOf(tuple(self.term(item) for item in node.items))
        if isinstance(node, Or):
            return AnyOf(tuple(self.term(item) for item in node.items))
        if isinstance(node, Not):
            inner = self.term(node.item)
            return inner.item if isinstance(inner, NoneOf) else NoneOf(inner)
        if node.field.kind is FieldKind.JOB:
            return JobCondition(self.job(node))
        return self.keyed(node)

    def pattern(self, node: Matches) -> str:
        # SQLite's REGEXP runs the pattern as written (on RE2); PostgreSQL needs its spelling.
        return postgres_pattern(node.pattern) if self.dialect == "postgresql" else node.pattern

    # -- job columns -------------------------------------------------------------------------
    def job(self, node: Leaf) -> ColumnElement[bool]:
        column = job_column(node.field.name, dialect=self.dialect, now=self.now)
        if isinstance(node, Exists):
            return column.is_not(None)
        if isinstance(node, Compare) and node.value.kind is ValueKind.NULL:
            return column.is_(None) if node.op == "=" else column.is_not(None)
        if isinstance(node, InList):
            return self.job_in(node, column)
        condition: ColumnElement[bool]
        if isinstance(node, Compare):
            condition = _OPERATORS[node.op](column, _literal(node.value))
        elif isinstance(node, Contains):
            condition = column.icontains(node.text, autoescape=True)
        else:
            condition = column.regexp_match(self.pattern(node))
        return _set_and(node.field, column, condition)

    def job_in(self, node: InList, column: ColumnElement[Any]) -> ColumnElement[bool]:
        data = [_literal(value) for value in node.values if value.kind is not ValueKind.NULL]
        conditions = [_set_and(node.field, column, column.in_(data))] if data else []
        if len(data) < len(node.values):
            conditions.append(column.is_(None))
        condition = or_(*conditions)
        return ~condition if node.negated else condition

    # -- params, tags and metrics ------------------------------------------------------------
    def keyed(self, node: Leaf) -> Term:
        table, key = _table(node.field), node.field.name
        if isinstance(node, Exists):
            return KeyedRows(table, self.project_id, key)
        if isinstance(node, InList):
            return self.keyed_in(node, table)
        if isinstance(node, Compare) and node.value.kind is ValueKind.NULL:
            has_value = KeyedRows(table, self.project_id, key, _not_null(table))
            return NoneOf(has_value) if node.op == "=" else has_value
        condition: ColumnElement[bool]
        if isinstance(node, Compare) and node.value.kind is ValueKind.BOOL:
            # "!= true" means "is false": a comparison needs a value of the literal's type.
            wanted = node.value.data if node.op == "=" else not node.value.data
            condition = ParamRow.value_json == json.dumps(wanted)
        elif isinstance(node, Compare):
            column = _typed_column(node.field, node.value.kind)
            condition = _OPERATORS[node.op](column, _literal(node.value))
        elif isinstance(node, Contains):
            column = _text_column(node.field)
            condition = column.icontains(node.text, autoescape=True)
        else:
            condition = _text_column(node.field).regexp_match(self.pattern(node))
        return KeyedRows(table, self.project_id, key, (condition,))

    def keyed_in(self, node: InList, table: KeyTable) -> Term:
        by_kind: dict[ValueKind, list[Value]] = {}
        for value in node.values:
            by_kind.setdefault(value.kind, []).append(value)
        matches = [
            _typed_column(node.field, kind).in_([_literal(value) for value in values])
            for kind, values in by_kind.items()
            if kind is not ValueKind.NULL
        ]
        parts: list[Term] = []
        if matches:
            parts.append(KeyedRows(table, self.project_id, node.field.name, (or_(*matches),)))
        if ValueKind.NULL in by_kind:
            parts.append(
                NoneOf(KeyedRows(table, self.project_id, node.field.name, _not_null(table)))
            )
        term = parts[0] if len(parts) == 1 else AnyOf(tuple(parts))
        return NoneOf(term) if node.negated else term


def _set_and(
    field: Field, column: ColumnElement[Any], condition: ColumnElement[bool]
) -> ColumnElement[bool]:
    # Guard nullable columns so the condition is FALSE, never NULL, on unset values.
    return and_(column.is_not(None), condition) if JOB_FIELDS[field.name].nullable else condition


def _table(field: Field) -> KeyTable:
    tables: dict[FieldKind, KeyTable] = {
        FieldKind.PARAM: ParamRow,
        FieldKind.TAG: TagRow,
        FieldKind.METRIC: MetricSummaryRow,
    }
    return tables[field.kind]


def _text_column(field: Field) -> ColumnElement[Any]:
    if field.kind is FieldKind.PARAM:
        return ParamRow.value_text.expression
    return TagRow.value.expression


def _typed_column(field: Field, kind: ValueKind) -> ColumnElement[Any]:
    if field.kind is FieldKind.PARAM:
        by_kind = {ValueKind.NUMBER: ParamRow.value_num, ValueKind.BOOL: ParamRow.value_json}
        return by_kind.get(kind, ParamRow.value_text).expression
    if field.kind is FieldKind.TAG:
        return TagRow.value.expression
    column: ColumnElement[Any] = getattr(MetricSummaryRow, field.agg or "last")
    return column


def _literal(value: Value) -> object:
    if value.kind is ValueKind.NUMBER:
        # Always a float parameter: SQLAlchemy would type ``3`` as INTEGER, and PostgreSQL
        # would then cast the 2.5 of ``x in (3, 2.5)`` or ``exit_code < 0.5`` to an integer.
        return literal(float(value.data), Float)  # type: ignore[arg-type]
    # A boolean param has value_num and value_text NULL: it matches on its JSON text.
    return json.dumps(value.data) if value.kind is ValueKind.BOOL else value.data


def _not_null(table: KeyTable) -> tuple[ColumnElement[bool], ...]:
    # A param set to JSON null counts as absent for ``= null``; tags and metrics have no null.
    return (ParamRow.value_json != "null",) if table is ParamRow else ()
