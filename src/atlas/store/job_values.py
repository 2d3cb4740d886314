"""Fields of many jobs as columns (the GUI workspace's scatter, parallel coordinates and
importances over up to ``MAX_VALUES_JOBS`` jobs).

The jobs are those the filter matches, newest first. A field is named as the query language
and ``sort`` name it (``params.lr``, ``metrics.loss.min``, ``tags.stage``, ``status``). The
jobs, with their own fields, are one query; without names and statuses they come from their
(project, created_at, id) index alone. A param, tag or metric field is one scan of its
(project, key, value, job) index over the whole project, joined to the jobs in Python by id
(a join in SQL probes the field's primary key once per job: over 100,000 jobs x 2 fields,
SQLite took 400 ms for the jobs with their joins, 280 ms for the jobs and two scans), and kept
in the store's ``ProjectCache`` until the project's next write. Params that are not numbers
are read from their JSON beside. For a few jobs (``FEW_JOBS``), their values alone are looked
up by id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.sql.elements import ColumnElement

from atlas.errors import QuerySyntaxError
from atlas.store.api import FieldValue, JobValues
from atlas.store.project_cache import ProjectCache, ProjectVersion
from atlas.store.query.compile import compile_filter, filter_job_ids, job_column
from atlas.store.query.nodes import And, Exists, Expr, Field, FieldKind
from atlas.store.query.parse import parse_filter, parse_sort
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow
from atlas.store.validation import decode_params

__all__ = ["FEW_JOBS", "ColumnCache", "field_name", "parse_field", "read_values"]

ColumnCache = ProjectCache[dict[str, FieldValue]]
"""Columns of a project's field values by job id, read whole."""

FEW_JOBS = 2_000
"""At most this many jobs, a field's values are looked up for them alone (not kept); more,
the field's whole column is read (one index scan) and kept."""

_CHUNK = 500
"""Job ids in one ``IN`` list."""


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
    version: ProjectVersion,
    fields: Sequence[str],
    *,
    filter: str,
    limit: int,
    present: Sequence[str] = (),
    with_names: bool = True,
    now: datetime | None = None,
    cache: ColumnCache | None = None,
    few_jobs: int = FEW_JOBS,
) -> JobValues:
    """``fields`` of the newest ``limit`` jobs of the project at ``version`` that ``filter``
    matches and that have every field of ``present`` (see ``Store.job_values``); columns
    read whole are kept in ``cache``, and taken from it while the project is unchanged; up
    to ``few_jobs`` jobs, their values alone are read."""
    project_id = version.project_id
    parsed = {name: parse_field(name) for name in dict.fromkeys(fields)}
    moment = now or datetime.now(UTC)
    dialect = conn.dialect.name
    expr = _with_present(parse_filter(filter), [parse_field(name) for name in present])
    # Without names, the jobs' (project, created_at, id) index is all SQLite reads of them.
    labels = (JobRow.name, JobRow.status) if with_names else ()
    expressions = {
        name: job_column(field.name, dialect=dialect, now=moment)
        for name, field in parsed.items()
        if field.kind is FieldKind.JOB
    }
    statement = select(JobRow.id, *labels, *expressions.values())
    statement = statement.where(JobRow.project_id == project_id)
    if expr is not None:
        statement = statement.where(
            compile_filter(expr, project_id=project_id, dialect=dialect, now=moment)
        )
    statement = statement.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)
    result = conn.execute(statement)
    # The driver's rows, without SQLAlchemy's result rows (half the time of 100,000 rows).
    rows = result.cursor.fetchall()
    result.close()
    head = 1 + len(labels)
    transposed = list(zip(*rows, strict=True)) if rows else [()] * (head + len(expressions))
    ids: list[str] = list(transposed[0])
    total = len(rows) if len(rows) < limit else _count(conn, project_id, expr, dialect, moment)
    job_values = dict(zip(expressions, transposed[head:], strict=True))
    out: dict[str, list[FieldValue]] = {}
    for name, field in parsed.items():
        if name in expressions:
            out[name] = _read_job(expressions[name], job_values[name], conn)
        else:
            found = _column(conn, version, field, ids if len(ids) <= few_jobs else None, cache)
            out[name] = list(map(found.get, ids))
    return JobValues(
        total=total,
        ids=ids,
        names=list(transposed[1]) if with_names else [],
        statuses=list(transposed[2]) if with_names else [],
        columns=out,
    )


def _read_job(
    expression: ColumnElement[Any], values: Sequence[Any], conn: Connection
) -> list[FieldValue]:
    # The dialect's type (SQLite's DATETIME parses the driver's text; the generic type's
    # processor would see the text itself).
    process = expression.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    converted = values if process is None else [process(value) for value in values]
    return [_job_value(value) for value in converted]


def _column(
    conn: Connection,
    version: ProjectVersion,
    field: Field,
    ids: list[str] | None,
    cache: ColumnCache | None,
) -> dict[str, FieldValue]:
    """The values of a param, tag or metric ``field`` by job: of the jobs ``ids`` alone, or
    without them of the whole project (one scan of the field's index), kept in ``cache``."""
    name = f"{field.kind}:{field.name}:{field.agg or ''}"
    kept = None if cache is None else cache.get(version, name)
    if kept is not None:
        return kept
    if ids is not None:
        return _scan(conn, version.project_id, field, ids)
    found = _scan(conn, version.project_id, field, None)
    if cache is not None:
        cache.put(version, name, found, items=len(found))
    return found


def _scan(
    conn: Connection, project_id: int, field: Field, ids: list[str] | None
) -> dict[str, FieldValue]:
    table: Any = {FieldKind.PARAM: ParamRow, FieldKind.TAG: TagRow}.get(
        field.kind, MetricSummaryRow
    )  # fmt: skip
    if field.kind is FieldKind.PARAM:
        column = table.value_num
    elif field.kind is FieldKind.TAG:
        column = table.value
    else:
        column = getattr(table, field.agg or "last")
    where = [table.project_id == project_id, table.key == field.name]
    found: dict[str, FieldValue] = {}
    for chunk in [None] if ids is None else _chunks(ids):
        scoped = where if chunk is None else [*where, table.job_id.in_(chunk)]
        # Only the field's index (project, key, value, job) is read for this part.
        found.update(_fetch(conn, select(table.job_id, column).where(*scoped)))
        if field.kind is FieldKind.PARAM:
            found.update(_other_params(conn, scoped))
    if field.kind is FieldKind.METRIC and field.agg not in ("count", "last_step"):
        # A summary's NULL is NaN (tables.MetricSummaryRow); no row is no metric.
        nan = math.nan
        if None in found.values():
            return {job_id: nan if value is None else value for job_id, value in found.items()}
    return found


def _other_params(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, FieldValue]:
    """Params that are not numbers (value_num NULL), decoded from their JSON."""
    query = select(ParamRow.job_id, ParamRow.value_json).where(*where, ParamRow.value_num.is_(None))
    rows = _fetch(conn, query)
    decoded = decode_params([text for _, text in rows])
    return {job_id: value for (job_id, _), value in zip(rows, decoded, strict=True)}


def _fetch(conn: Connection, query: Any) -> Sequence[Any]:
    # The driver's rows, without SQLAlchemy's result rows (half the time of 100,000 rows);
    # ids, numbers and text need no conversion.
    result = conn.execute(query)
    rows = result.cursor.fetchall()
    result.close()
    return rows


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[at : at + _CHUNK] for at in range(0, len(ids), _CHUNK)]


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
