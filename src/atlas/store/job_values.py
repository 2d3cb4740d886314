"""Fields of many jobs as columns (the GUI workspace's scatter, parallel coordinates and
importances over up to ``MAX_VALUES_JOBS`` jobs), in one query.

The jobs are those the filter matches, newest first. A field is named as the query language
and ``sort`` name it (``params.lr``, ``metrics.loss.min``, ``tags.stage``, ``status``). Each
param, tag or metric field is a LEFT OUTER JOIN of its table on the job and key (a primary
key probe per job), so the database answers every column in the jobs' order and Python only
transposes the rows: 100,000 jobs x 2 fields take about a third of a second of one slow
core, most of it SQLite's. Without names and statuses, the jobs come from their (project,
created_at, id) index alone, not their rows (about a quarter less of SQLite's time).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from atlas.errors import QuerySyntaxError
from atlas.store.api import FieldValue, JobValues
from atlas.store.query.compile import compile_filter, filter_job_ids, job_column
from atlas.store.query.nodes import And, Exists, Expr, Field, FieldKind
from atlas.store.query.parse import parse_filter, parse_sort
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow
from atlas.store.validation import decode_params

__all__ = ["field_name", "parse_field", "read_values"]


def field_name(group: str, key: str) -> str:
    """The query-language name of ``key`` in ``group`` (``params``, ``tags``, ``metrics``),
    quoted so that any key reads back as itself: ``params.`my key```."""
    quoted = key.replace("\\", "\\\\").replace("`", "\\`")
    return f"{group}.`{quoted}`"


def parse_field(name: str) -> Field:
    """The field ``name`` names (``QuerySyntaxError`` when none, or for more than one)."""
    keys = parse_sort(name)
    if len(keys) != 1 or keys[0].descending:
        raise QuerySyntaxError.at(f"expected one field, not {name!r}", query=name, position=0)
    return keys[0].field


def read_values(
    conn: Connection,
    project_id: int,
    fields: Sequence[str],
    *,
    filter: str,
    limit: int,
    present: Sequence[str] = (),
    with_names: bool = True,
    now: datetime | None = None,
) -> JobValues:
    """``fields`` of the newest ``limit`` jobs of ``project_id`` that ``filter`` matches and
    that have every field of ``present`` (see ``Store.job_values``)."""
    parsed = {name: parse_field(name) for name in dict.fromkeys(fields)}
    moment = now or datetime.now(UTC)
    dialect = conn.dialect.name
    expr = _with_present(parse_filter(filter), [parse_field(name) for name in present])
    # Without names, the jobs' (project, created_at, id) index is all SQLite reads of them.
    labels = (JobRow.name, JobRow.status) if with_names else ()
    head = 1 + len(labels)
    statement = select(JobRow.id, *labels).where(JobRow.project_id == project_id)
    if expr is not None:
        statement = statement.where(
            compile_filter(expr, project_id=project_id, dialect=dialect, now=moment)
        )
    columns: list[_Column] = []
    for field in parsed.values():
        statement, column = _joined(statement, field, dialect, moment)
        columns.append(column)
    statement = statement.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)
    result = conn.execute(statement)
    # The driver's rows, without SQLAlchemy's result rows (half the time of 100,000 rows);
    # columns that need it are converted by _Column.read, as SQLAlchemy would.
    rows = result.cursor.fetchall()
    result.close()
    transposed = list(zip(*rows, strict=True)) if rows else [()] * (head + _width(columns))
    total = len(rows) if len(rows) < limit else _count(conn, project_id, expr, dialect, moment)
    out: dict[str, list[FieldValue]] = {}
    at = head
    for name, column in zip(parsed, columns, strict=True):
        out[name] = column.read(transposed[at : at + column.width], conn)
        at += column.width
    return JobValues(
        total=total,
        ids=list(transposed[0]),
        names=list(transposed[1]) if with_names else [],
        statuses=list(transposed[2]) if with_names else [],
        columns=out,
    )


@dataclass(frozen=True, slots=True)
class _Column:
    """The selected columns of one field (``width`` of them) and how to read them."""

    width: int
    read: Callable[[list[tuple[Any, ...]], Connection], list[FieldValue]]


def _width(columns: list[_Column]) -> int:
    return sum(column.width for column in columns)


def _joined(statement: Any, field: Field, dialect: str, now: datetime) -> tuple[Any, _Column]:
    """``statement`` with the columns of ``field`` (and the join they need)."""
    if field.kind is FieldKind.JOB:
        expression = job_column(field.name, dialect=dialect, now=now)
        return statement.add_columns(expression), _Column(1, _job_reader(expression))
    table: Any = aliased({FieldKind.PARAM: ParamRow, FieldKind.TAG: TagRow}.get(
        field.kind, MetricSummaryRow
    ))  # fmt: skip
    statement = statement.outerjoin(table, and_(table.job_id == JobRow.id, table.key == field.name))
    if field.kind is FieldKind.PARAM:
        # Numbers as stored for the index (JSON reads 1 and 1.0 alike), the rest as JSON.
        other = case((table.value_num.is_(None), table.value_json))
        return statement.add_columns(table.value_num, other), _Column(2, _read_param)
    if field.kind is FieldKind.TAG:
        return statement.add_columns(table.value), _Column(1, lambda parts, _: list(parts[0]))
    agg = field.agg or "last"
    if agg in ("count", "last_step"):
        column = getattr(table, agg)
        return statement.add_columns(column), _Column(1, lambda parts, _: list(parts[0]))
    return statement.add_columns(getattr(table, agg), table.count), _Column(2, _read_summary)


def _job_reader(
    expression: ColumnElement[Any],
) -> Callable[[list[tuple[Any, ...]], Connection], list[FieldValue]]:
    def read(parts: list[tuple[Any, ...]], conn: Connection) -> list[FieldValue]:
        # The dialect's type (SQLite's DATETIME parses the driver's text; the generic
        # type's processor would see the text itself).
        process = expression.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
        values = parts[0] if process is None else [process(value) for value in parts[0]]
        return [_job_value(value) for value in values]

    return read


def _read_param(parts: list[tuple[Any, ...]], conn: Connection) -> list[FieldValue]:
    numbers, others = parts
    values: list[FieldValue] = list(numbers)
    texts = [(i, text) for i, text in enumerate(others) if text is not None]
    if texts:
        decoded = decode_params([text for _, text in texts])
        for (i, _), value in zip(texts, decoded, strict=True):
            values[i] = value
    return values


def _read_summary(parts: list[tuple[Any, ...]], conn: Connection) -> list[FieldValue]:
    # A summary's NULL is NaN (tables.MetricSummaryRow); no row (count NULL) is no metric.
    values, counts = parts
    nan = math.nan
    return [
        nan if value is None and count is not None else value
        for value, count in zip(values, counts, strict=True)
    ]


def _job_value(value: object) -> FieldValue:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value is None or isinstance(value, int | float | str):
        return value
    return float(value)  # type: ignore[arg-type]  # a Decimal (PostgreSQL's duration)


def _with_present(expr: Expr | None, present: list[Field]) -> Expr | None:
    items = ([] if expr is None else [expr]) + [Exists(field) for field in present]
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items))


def _count(
    conn: Connection, project_id: int, expr: Expr | None, dialect: str, now: datetime
) -> int:
    if expr is None:
        query = select(func.count()).select_from(JobRow).where(JobRow.project_id == project_id)
    else:
        matching = filter_job_ids(expr, project_id=project_id, dialect=dialect, now=now)
        query = select(func.count()).select_from(matching.subquery())
    return int(conn.scalar(query) or 0)
