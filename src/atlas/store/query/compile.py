"""Compile a filter's syntax tree into a SQLAlchemy condition over ``JobRow``.

Every value is a bound parameter; no SQL text is built from the query. A condition on a
param, tag or metric is ``jobs.id IN (SELECT job_id FROM <table> WHERE project_id = :p AND
key = :k AND <cond>)``, which uses the ``(project_id, key, value)`` indexes and composes
under ``and``, ``or`` and ``not``.

Semantics (the same on SQLite and PostgreSQL):

- A comparison matches only jobs that have the value, with the literal's type: a number
  compares with numeric params, a string with string params, ``true``/``false`` with boolean
  params. So ``params.lr != 0.01`` skips jobs without ``lr``; ``not params.lr = 0.01`` is the
  exact complement and includes them. ``x not in (...)`` is ``not (x in (...))``.
- ``x = null`` matches jobs without the param, tag or metric (or whose param is JSON null, or
  whose job column is unset); ``x != null`` is its complement. ``x exists`` matches jobs that
  have the param (whatever its value), tag or metric, or whose job column is set.
- A NaN metric value matches no comparison (SQLite stores it as NULL; PostgreSQL would
  otherwise order NaN above every number).
- ``contains`` is case-insensitive (``lower() LIKE`` with ``%`` and ``_`` escaped; Unicode
  case folding on PostgreSQL, ASCII only on SQLite). ``~`` searches with Python's ``re`` on
  SQLite (SQLAlchemy's pysqlite dialect registers ``REGEXP``) and with ``~`` on PostgreSQL.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    SQLColumnExpression,
    and_,
    extract,
    func,
    literal,
    not_,
    or_,
    select,
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
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow

__all__ = ["DIALECTS", "check_dialect", "compile_filter", "job_column", "nan_as_null"]

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
_FLOAT_AGGREGATES = frozenset({"last", "min", "max"})
_NAN = float("nan")

KeyTable = type[ParamRow] | type[TagRow] | type[MetricSummaryRow]


def check_dialect(dialect: str) -> None:
    """Raise ``ValueError`` for a database the query language does not support."""
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported database dialect {dialect!r} (use {', '.join(DIALECTS)})")


def job_column(name: str, *, dialect: str, now: datetime) -> ColumnElement[Any]:
    """The SQL expression for job field ``name``; ``duration`` is in seconds, from
    ``started_at`` to ``finished_at`` (or ``now`` while the job runs), NULL before start."""
    if name != "duration":
        column: ColumnElement[Any] = getattr(JobRow, name)
        return column
    end = func.coalesce(JobRow.finished_at, literal(now, DateTime(timezone=True)))
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(JobRow.started_at)) * 86400.0
    return extract("epoch", end - JobRow.started_at)


def nan_as_null(column: SQLColumnExpression[Any], *, dialect: str) -> SQLColumnExpression[Any]:
    """``column`` with NaN read as NULL (PostgreSQL stores NaN; SQLite already has NULL)."""
    return func.nullif(column, _NAN) if dialect == "postgresql" else column


def compile_filter(
    expr: Expr, *, project_id: int, dialect: str, now: datetime
) -> ColumnElement[bool]:
    """The condition on ``JobRow`` that ``expr`` describes, for jobs of ``project_id``.

    ``dialect`` is the engine's dialect name (``sqlite`` or ``postgresql``); ``now`` is the
    end of a running job's ``duration``. The condition is never NULL, so ``not`` is always
    an exact complement.
    """
    check_dialect(dialect)
    return _Compiler(project_id, dialect, now).expr(expr)


class _Compiler:
    def __init__(self, project_id: int, dialect: str, now: datetime) -> None:
        self.project_id = project_id
        self.dialect = dialect
        self.now = now

    def expr(self, node: Expr) -> ColumnElement[bool]:
        if isinstance(node, And):
            return and_(*(self.expr(item) for item in node.items))
        if isinstance(node, Or):
            return or_(*(self.expr(item) for item in node.items))
        if isinstance(node, Not):
            return not_(self.expr(node.item))
        if node.field.kind is FieldKind.JOB:
            return self.job(node)
        return self.keyed(node)

    # -- job columns -------------------------------------------------------------------------
    def job(self, node: Compare | InList | Contains | Matches | Exists) -> ColumnElement[bool]:
        column = job_column(node.field.name, dialect=self.dialect, now=self.now)
        if isinstance(node, Exists):
            return column.is_not(None)
        if isinstance(node, Compare) and node.value.kind is ValueKind.NULL:
            return column.is_(None) if node.op == "=" else column.is_not(None)
        if isinstance(node, InList):
            return self.job_in(node, column)
        condition: ColumnElement[bool]
        if isinstance(node, Compare):
            condition = _OPERATORS[node.op](column, node.value.data)
        elif isinstance(node, Contains):
            condition = column.icontains(node.text, autoescape=True)
        else:
            condition = column.regexp_match(node.pattern)
        return self.set_and(node.field, column, condition)

    def job_in(self, node: InList, column: ColumnElement[Any]) -> ColumnElement[bool]:
        data = [value.data for value in node.values if value.kind is not ValueKind.NULL]
        conditions = [self.set_and(node.field, column, column.in_(data))] if data else []
        if len(data) < len(node.values):
            conditions.append(column.is_(None))
        return _negate_if(or_(*conditions), node.negated)

    @staticmethod
    def set_and(
        field: Field, column: ColumnElement[Any], condition: ColumnElement[bool]
    ) -> ColumnElement[bool]:
        # Guard nullable columns so the condition is FALSE, never NULL, on unset values.
        return (
            and_(column.is_not(None), condition) if JOB_FIELDS[field.name].nullable else condition
        )

    # -- params, tags and metrics ------------------------------------------------------------
    def keyed(self, node: Compare | InList | Contains | Matches | Exists) -> ColumnElement[bool]:
        field = node.field
        table, column = self.value_column(field)
        if isinstance(node, Exists):
            return self.member(table, field.name)
        if isinstance(node, Compare):
            if node.value.kind is ValueKind.NULL:
                has_value = self.member(table, field.name, *_not_null(table))
                return not_(has_value) if node.op == "=" else has_value
            return self.member(table, field.name, self.compare(field, node.op, node.value))
        if isinstance(node, InList):
            return self.keyed_in(node, table)
        if isinstance(node, Contains):
            return self.member(table, field.name, column.icontains(node.text, autoescape=True))
        return self.member(table, field.name, column.regexp_match(node.pattern))

    def keyed_in(self, node: InList, table: KeyTable) -> ColumnElement[bool]:
        by_kind: dict[ValueKind, list[Value]] = {}
        for value in node.values:
            by_kind.setdefault(value.kind, []).append(value)
        conditions: list[ColumnElement[bool]] = []
        in_conditions = [
            self.typed_column(node.field, kind).in_([self.literal(v) for v in values])
            for kind, values in by_kind.items()
            if kind is not ValueKind.NULL
        ]
        if in_conditions:
            conditions.append(self.member(table, node.field.name, or_(*in_conditions)))
        if ValueKind.NULL in by_kind:
            conditions.append(not_(self.member(table, node.field.name, *_not_null(table))))
        return _negate_if(or_(*conditions), node.negated)

    def compare(self, field: Field, op: str, value: Value) -> ColumnElement[bool]:
        column = self.typed_column(field, value.kind)
        condition = _OPERATORS[op](column, self.literal(value))
        if self.may_hold_nan(field, value.kind) and op in (">", ">=", "!="):
            # PostgreSQL orders NaN above every number and never NULL: keep it out.
            return and_(condition, column != _NAN)
        return condition

    def may_hold_nan(self, field: Field, kind: ValueKind) -> bool:
        if self.dialect != "postgresql" or kind is not ValueKind.NUMBER:
            return False
        return field.kind is FieldKind.PARAM or field.agg in _FLOAT_AGGREGATES

    @staticmethod
    def literal(value: Value) -> object:
        # Booleans are matched on the param's JSON text, which the store writes with json.
        return json.dumps(value.data) if value.kind is ValueKind.BOOL else value.data

    @staticmethod
    def value_column(field: Field) -> tuple[KeyTable, ColumnElement[Any]]:
        if field.kind is FieldKind.PARAM:
            return ParamRow, ParamRow.value_text.expression
        if field.kind is FieldKind.TAG:
            return TagRow, TagRow.value.expression
        return MetricSummaryRow, getattr(MetricSummaryRow, field.agg or "last")

    @staticmethod
    def typed_column(field: Field, kind: ValueKind) -> ColumnElement[Any]:
        if field.kind is FieldKind.PARAM:
            by_kind = {ValueKind.NUMBER: ParamRow.value_num, ValueKind.BOOL: ParamRow.value_json}
            return by_kind.get(kind, ParamRow.value_text).expression
        if field.kind is FieldKind.TAG:
            return TagRow.value.expression
        column: ColumnElement[Any] = getattr(MetricSummaryRow, field.agg or "last")
        return column

    def member(
        self, table: KeyTable, key: str, *conditions: ColumnElement[bool]
    ) -> ColumnElement[bool]:
        rows = select(table.job_id).where(
            table.project_id == self.project_id, table.key == key, *conditions
        )
        return JobRow.id.in_(rows)


def _not_null(table: KeyTable) -> tuple[ColumnElement[bool], ...]:
    # A param set to JSON null counts as absent for ``= null``; tags and metrics have no null.
    return (ParamRow.value_json != "null",) if table is ParamRow else ()


def _negate_if(condition: ColumnElement[bool], negated: bool) -> ColumnElement[bool]:
    return not_(condition) if negated else condition
