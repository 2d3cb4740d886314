"""Fields of many jobs as columns (the GUI workspace's scatter, parallel coordinates and
importances over up to ``MAX_VALUES_JOBS`` jobs), in one query per kind of field.

The jobs are those the filter matches, newest first (the job listing's default order). A
field is named as the query language and ``sort`` name it (``params.lr``,
``metrics.loss.min``, ``tags.stage``, ``status``). Params, tags and summaries are read per
key: for a large set of jobs, every row of the project under the key (its index range), kept
for the jobs asked for; for a few jobs, by their ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from atlas.errors import QuerySyntaxError
from atlas.store.api import FieldValue, JobValues
from atlas.store.conversions import float_from_db
from atlas.store.query.compile import compile_filter, filter_job_ids, job_column
from atlas.store.query.nodes import And, Exists, Expr, Field, FieldKind
from atlas.store.query.parse import parse_filter, parse_sort
from atlas.store.tables import JobRow, params_table, summaries_table, tags_table
from atlas.store.validation import decode_params

__all__ = ["field_name", "parse_field", "read_values"]

_BY_IDS = 1000
"""At most this many jobs read their keyed rows by id; more read the key's index range."""


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
    now: datetime | None = None,
) -> JobValues:
    """``fields`` of the newest ``limit`` jobs of ``project_id`` that ``filter`` matches and
    that have every field of ``present`` (see ``Store.job_values``)."""
    parsed = {name: parse_field(name) for name in dict.fromkeys(fields)}
    moment = now or datetime.now(UTC)
    dialect = conn.dialect.name
    expr = _with_present(parse_filter(filter), [parse_field(name) for name in present])
    where = [JobRow.project_id == project_id]
    if expr is not None:
        where.append(compile_filter(expr, project_id=project_id, dialect=dialect, now=moment))
    job_fields = {n: f for n, f in parsed.items() if f.kind is FieldKind.JOB}
    columns = [job_column(f.name, dialect=dialect, now=moment) for f in job_fields.values()]
    query = (
        select(JobRow.id, JobRow.name, JobRow.status, *columns)
        .where(*where)
        .order_by(JobRow.created_at.desc(), JobRow.id)
        .limit(limit)
    )
    rows = conn.execute(query).all()
    total = len(rows)
    if total == limit:
        total = _count(conn, project_id, expr, dialect, moment)
    ids = [row[0] for row in rows]
    out: dict[str, list[FieldValue]] = {}
    for offset, name in enumerate(job_fields):
        out[name] = [_job_value(row[3 + offset]) for row in rows]
    keyed = {n: f for n, f in parsed.items() if f.kind is not FieldKind.JOB}
    out |= _keyed_columns(conn, project_id, ids, keyed)
    return JobValues(
        total=total,
        ids=ids,
        names=[row[1] for row in rows],
        statuses=[row[2] for row in rows],
        columns={name: out[name] for name in parsed},
    )


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


def _job_value(value: object) -> FieldValue:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value is None or isinstance(value, int | float | str):
        return value
    return float(value)  # type: ignore[arg-type]  # a Decimal (PostgreSQL's duration)


def _keyed_columns(
    conn: Connection, project_id: int, ids: list[str], fields: dict[str, Field]
) -> dict[str, list[FieldValue]]:
    """The params, tags and metric summaries of ``fields``: one query per kind."""
    index = {job_id: i for i, job_id in enumerate(ids)}
    out: dict[str, list[FieldValue]] = {name: [None] * len(ids) for name in fields}
    for kind in (FieldKind.PARAM, FieldKind.TAG, FieldKind.METRIC):
        of_kind = {n: f for n, f in fields.items() if f.kind is kind}
        if of_kind and ids:
            _fill(conn, project_id, ids, index, kind, of_kind, out)
    return out


def _fill(
    conn: Connection,
    project_id: int,
    ids: list[str],
    index: dict[str, int],
    kind: FieldKind,
    fields: dict[str, Field],
    out: dict[str, list[FieldValue]],
) -> None:
    keys = sorted({field.name for field in fields.values()})
    by_key: dict[str, list[tuple[str, Field]]] = {}
    for name, field in fields.items():
        by_key.setdefault(field.name, []).append((name, field))
    for rows in _keyed_rows(conn, project_id, ids, kind, keys):
        if kind is FieldKind.PARAM:
            values: Iterable[Any] = decode_params([row[2] for row in rows])
        else:
            values = (None for _ in rows)
        for row, param in zip(rows, values, strict=True):
            at = index.get(row[0])
            if at is None:
                continue
            for name, field in by_key[row[1]]:
                out[name][at] = param if kind is FieldKind.PARAM else _keyed_value(kind, field, row)


_SUMMARY = ("last", "min", "max", "count", "last_step")


def _keyed_rows(
    conn: Connection, project_id: int, ids: list[str], kind: FieldKind, keys: list[str]
) -> Iterable[list[Any]]:
    """The rows of ``keys`` for the jobs ``ids`` (or every job of the project), in parts."""
    if kind is FieldKind.PARAM:
        t = params_table
        columns = [t.c.job_id, t.c.key, t.c.value_json]
    elif kind is FieldKind.TAG:
        t = tags_table
        columns = [t.c.job_id, t.c.key, t.c.value]
    else:
        t = summaries_table
        columns = [t.c.job_id, t.c.key, *(t.c[name] for name in _SUMMARY)]
    base = select(*columns).where(t.c.project_id == project_id, t.c.key.in_(keys))
    if len(ids) > _BY_IDS:
        yield list(conn.execute(base).all())
        return
    for start in range(0, len(ids), _BY_IDS):
        part = ids[start : start + _BY_IDS]
        yield list(conn.execute(base.where(t.c.job_id.in_(part))).all())


def _keyed_value(kind: FieldKind, field: Field, row: Any) -> FieldValue:
    if kind is FieldKind.TAG:
        return str(row[2])
    agg = field.agg or "last"
    value = row[2 + _SUMMARY.index(agg)]
    if agg in ("count", "last_step"):
        return int(value)
    return float_from_db(value)
