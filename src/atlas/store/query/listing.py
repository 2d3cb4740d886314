"""The job listing: a page of job ids, filtered and sorted in SQL, and the count of matches.

``SqlStore.list_jobs`` runs the two selects ``job_listing`` returns, then loads the rows of
the page's ids (keeping their order) with their params, tags and summaries.

The page is built so the database reads about one page of rows, not every match: it walks
an index in sort order (``(project_id, created_at, id)`` for the default sort, ``(project_id,
key, value, job_id)`` when the first sort field is a param, tag or metric) and checks the
filter on each job with primary-key probes, stopping when the page is full. Jobs lacking the
first sort value come last, so that sort is split into *bands* (jobs with a number, jobs with
a text, jobs without the value), each read in index order; the last band is read only when
the earlier ones do not fill the page.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Float,
    Integer,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from atlas.errors import InvalidInputError
from atlas.store.api import JobQuery
from atlas.store.query.compile import check_dialect, compile_filter, filter_job_ids, job_column
from atlas.store.query.fields import JOB_FIELDS
from atlas.store.query.nodes import FieldKind, SortKey
from atlas.store.query.parse import parse_filter, parse_sort
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "job_listing"]

MAX_LIMIT = 1000
"""Largest page a listing may ask for."""

MAX_OFFSET = 2**31 - 1
"""Largest offset a listing may ask for."""

# SQLite learnt "AS MATERIALIZED" in 3.35; older versions materialise a CTE used twice anyway.
_SQLITE_MATERIALIZED = sqlite3.sqlite_version_info >= (3, 35)


def job_listing(
    project_id: int, query: JobQuery, *, dialect: str, now: datetime | None = None
) -> tuple[Select[Any], Select[Any]]:
    """The selects for one page of ``query`` over the jobs of ``project_id``.

    Returns ``(page, count)``: ``page`` selects the ids of the page's jobs in order
    (filtered, sorted, ``limit``/``offset`` applied) as its only column; ``count`` selects
    the number of jobs the filter matches. ``dialect`` is ``engine.dialect.name``; ``now``
    (default: the current time) ends the ``duration`` of running jobs. Raises
    ``QuerySyntaxError`` for a bad filter or sort and ``InvalidInputError`` for a limit
    outside 1..1000 or an offset outside 0..2**31-1.

    Jobs lacking a sort value come last in either direction; params sort numbers first, then
    text, then other values (booleans, lists, null); ties go to the newest job, then the
    smallest id.
    """
    check_dialect(dialect)
    _check_page(query.limit, query.offset)
    expr = parse_filter(query.filter)
    keys = parse_sort(query.sort)
    moment = now or datetime.now(UTC)
    condition: list[ColumnElement[bool]] = []
    if expr is None:
        count = select(func.count()).select_from(JobRow).where(JobRow.project_id == project_id)
    else:
        condition.append(compile_filter(expr, project_id=project_id, dialect=dialect, now=moment))
        matching = filter_job_ids(expr, project_id=project_id, dialect=dialect, now=moment)
        count = select(func.count()).select_from(matching.subquery())
    pager = _Pager(project_id, condition, dialect, moment)
    return pager.page(keys, limit=query.limit, offset=query.offset), count


def _check_page(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise _invalid("limit", f"limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise _invalid(
            "offset", f"offset must be an integer from 0 to {MAX_OFFSET:,}, not {offset!r}"
        )


def _invalid(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, detail={"errors": [{"field": field, "message": message}]})


@dataclass(frozen=True, eq=False)
class _Order:
    """One ORDER BY term: an expression, its direction, and whether NULLs go last."""

    expression: SQLColumnExpression[Any]
    descending: bool = False
    nulls_last: bool = False

    def on(self, expression: SQLColumnExpression[Any] | None = None) -> UnaryExpression[Any]:
        """This ordering applied to ``expression`` (default: its own)."""
        target = self.expression if expression is None else expression
        ordered = target.desc() if self.descending else target.asc()
        return ordered.nulls_last() if self.nulls_last else ordered


@dataclass(frozen=True, eq=False)
class _Band:
    """Jobs whose first sort value is in one column of one keyed row, read in index order."""

    table: Any  # the aliased ParamRow, TagRow or MetricSummaryRow
    value: SQLColumnExpression[Any]  # the first sort value: a number, or text if is_text
    is_text: bool = False

    @property
    def number(self) -> SQLColumnExpression[Any] | None:
        return None if self.is_text else self.value

    @property
    def text(self) -> SQLColumnExpression[Any] | None:
        return self.value if self.is_text else None


class _Pager:
    """Builds the page select for a list of sort keys."""

    def __init__(
        self, project_id: int, condition: list[ColumnElement[bool]], dialect: str, now: datetime
    ) -> None:
        self.project_id = project_id
        self.condition = condition  # the filter's, if any
        self.where = [JobRow.project_id == project_id, *condition]
        self.dialect = dialect
        self.now = now

    def page(self, keys: list[SortKey], *, limit: int, offset: int) -> Select[Any]:
        if keys and keys[0].field.kind is not FieldKind.JOB:
            return self.banded(keys, limit=limit, offset=offset)
        statement, orders = self.joined(select(JobRow.id).where(*self.where), keys)
        ordering = [order.on() for order in orders + _tie_break(keys)]
        return statement.order_by(*ordering).limit(limit).offset(offset)

    # -- sort keys as ORDER BY terms ---------------------------------------------------------
    def joined(
        self, statement: Select[Any], keys: list[SortKey]
    ) -> tuple[Select[Any], list[_Order]]:
        """``statement`` with a LEFT OUTER JOIN per keyed sort key, and the key's orders."""
        orders: list[_Order] = []
        for key in keys:
            statement, key_orders = self.orders(statement, key)
            orders.extend(key_orders)
        return statement, orders

    def orders(self, statement: Select[Any], key: SortKey) -> tuple[Select[Any], list[_Order]]:
        field, down = key.field, key.descending
        if field.kind is FieldKind.JOB:
            column = job_column(field.name, dialect=self.dialect, now=self.now)
            return statement, [_Order(column, down, JOB_FIELDS[field.name].nullable)]
        table = aliased(_TABLES[field.kind])
        statement = statement.outerjoin(
            table, and_(table.job_id == JobRow.id, table.key == field.name)
        )
        if field.kind is FieldKind.PARAM:
            rank = case(
                (table.value_num.is_not(None), 0), (table.value_text.is_not(None), 1), else_=2
            )
            orders = [_Order(rank), _Order(table.value_num, down), _Order(table.value_text, down)]
            return statement, orders
        column = table.value if field.kind is FieldKind.TAG else getattr(table, field.agg or "last")
        return statement, [_Order(column, down, nulls_last=True)]

    # -- first key on a param, tag or metric -------------------------------------------------
    def banded(self, keys: list[SortKey], *, limit: int, offset: int) -> Select[Any]:
        first, rest = keys[0], keys[1:]
        wanted = offset + limit
        bands = _bands(first)
        parts = [self.band(index, band, first, rest, wanted) for index, band in enumerate(bands)]
        present = self.present(parts, first, rest, wanted)
        remaining = wanted - select(func.count()).select_from(present).scalar_subquery()
        missing = self.missing(len(bands), first, rest).limit(remaining)
        rows = union_all(select(*present.c), _wrapped(missing)).subquery()
        return (
            select(rows.c.id)
            .order_by(*_outer_order(rows.c, first, self.rest_orders(rest)))
            .limit(limit)
            .offset(offset)
        )

    def band(
        self, index: int, band: _Band, first: SortKey, rest: list[SortKey], wanted: int
    ) -> Select[Any]:
        table = band.table
        statement = (
            select(*self.columns(index, band.number, band.text))
            .select_from(table)
            .join(JobRow, JobRow.id == table.job_id)
            .where(table.project_id == self.project_id, table.key == first.field.name)
            # The keyed row's project_id already restricts the jobs; repeating it on jobs
            # would tempt SQLite to scan the jobs instead of the (project_id, key, value) index.
            .where(band.value.is_not(None), *self.condition)
        )
        statement, orders = self.joined(statement, rest)
        head = _Order(band.value, first.descending)
        statement = statement.add_columns(*_labelled(orders))
        ordering = [order.on() for order in [head, *orders, *_tie_break(rest)]]
        return statement.order_by(*ordering).limit(wanted)

    def present(
        self, parts: list[Select[Any]], first: SortKey, rest: list[SortKey], wanted: int
    ) -> CTE:
        """The first ``wanted`` jobs that have the first sort value, as a materialised CTE."""
        if len(parts) == 1:
            statement = parts[0]
        else:
            rows = union_all(*(_wrapped(part) for part in parts)).subquery()
            ordering = _outer_order(rows.c, first, self.rest_orders(rest))
            statement = select(*rows.c).order_by(*ordering).limit(wanted)
        cte = statement.cte("present")
        if self.dialect == "postgresql" or _SQLITE_MATERIALIZED:
            cte = cte.prefix_with("MATERIALIZED")
        return cte

    def missing(self, index: int, first: SortKey, rest: list[SortKey]) -> Select[Any]:
        """Jobs without the first sort value, in the order of the other keys."""
        table = aliased(_TABLES[first.field.kind])
        has_value = (
            select(table.job_id)
            .where(table.job_id == JobRow.id, table.key == first.field.name)
            .where(_bands_present(table, first))
            .correlate(JobRow)
            .exists()
        )
        statement = select(*self.columns(index, None, None)).where(*self.where, ~has_value)
        statement, orders = self.joined(statement, rest)
        statement = statement.add_columns(*_labelled(orders))
        return statement.order_by(*[order.on() for order in [*orders, *_tie_break(rest)]])

    def columns(
        self,
        index: int,
        number: SQLColumnExpression[Any] | None,
        text: SQLColumnExpression[Any] | None,
    ) -> list[SQLColumnExpression[Any]]:
        return [
            JobRow.id.label("id"),
            literal(index, Integer).label("band"),
            (cast(null(), Float) if number is None else number).label("v_num"),
            (cast(null(), Text) if text is None else text).label("v_text"),
            JobRow.created_at.label("created_at"),
        ]

    def rest_orders(self, rest: list[SortKey]) -> list[_Order]:
        """The orders of the other keys, as the bands label them (``s0``, ``s1``, ...)."""
        _, orders = self.joined(select(JobRow.id), rest)
        return orders


_TABLES: dict[FieldKind, Any] = {
    FieldKind.PARAM: ParamRow,
    FieldKind.TAG: TagRow,
    FieldKind.METRIC: MetricSummaryRow,
}


def _bands(first: SortKey) -> list[_Band]:
    field = first.field
    table = aliased(_TABLES[field.kind])
    if field.kind is FieldKind.PARAM:
        text_table = aliased(ParamRow)
        return [_Band(table, table.value_num), _Band(text_table, text_table.value_text, True)]
    if field.kind is FieldKind.TAG:
        return [_Band(table, table.value, True)]
    return [_Band(table, getattr(table, field.agg or "last"))]


def _bands_present(table: Any, first: SortKey) -> ColumnElement[bool]:
    field = first.field
    present: ColumnElement[bool]
    if field.kind is FieldKind.PARAM:
        present = table.value_num.is_not(None) | table.value_text.is_not(None)
    elif field.kind is FieldKind.TAG:
        present = table.value.is_not(None)
    else:
        present = getattr(table, field.agg or "last").is_not(None)
    return present


def _labelled(orders: list[_Order]) -> list[SQLColumnExpression[Any]]:
    return [order.expression.label(f"s{index}") for index, order in enumerate(orders)]


def _outer_order(columns: Any, first: SortKey, rest: list[_Order]) -> list[UnaryExpression[Any]]:
    """ORDER BY over the bands' union: band, first value, other keys (``sN``), tie break."""
    down = first.descending
    ordering = [
        columns.band.asc(),
        _Order(columns.v_num, down).on(),
        _Order(columns.v_text, down).on(),
    ]
    ordering += [order.on(columns[f"s{index}"]) for index, order in enumerate(rest)]
    ordering += [columns.created_at.desc(), columns.id.asc()]
    return ordering


def _tie_break(keys: list[SortKey]) -> list[_Order]:
    named = {key.field.name for key in keys if key.field.kind is FieldKind.JOB}
    orders = []
    if "created_at" not in named:
        orders.append(_Order(JobRow.created_at.expression, descending=True))
    if "id" not in named:
        orders.append(_Order(JobRow.id.expression))
    return orders


def _wrapped(statement: Select[Any]) -> Select[Any]:
    # SQLite refuses ORDER BY/LIMIT on a compound's member: select from it instead.
    rows = statement.subquery()
    return select(*rows.c)
