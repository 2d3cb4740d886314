"""The job listing: a page of job ids, filtered and sorted in SQL, and the count of matches.

``SqlStore.list_jobs`` runs the two selects ``job_listing`` returns, then loads the rows of
the page's ids (keeping their order) with their params, tags and summaries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from atlas.errors import InvalidInputError
from atlas.store.api import JobQuery
from atlas.store.query.compile import check_dialect, compile_filter, job_column, nan_as_null
from atlas.store.query.fields import JOB_FIELDS
from atlas.store.query.nodes import FieldKind, SortKey
from atlas.store.query.parse import parse_filter, parse_sort
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow

__all__ = ["MAX_LIMIT", "job_listing"]

MAX_LIMIT = 1000
"""Largest page a listing may ask for."""


def job_listing(
    project_id: int, query: JobQuery, *, dialect: str, now: datetime | None = None
) -> tuple[Select[str], Select[int]]:
    """The selects for one page of ``query`` over the jobs of ``project_id``.

    Returns ``(page, count)``: ``page`` selects ``JobRow.id`` of the page's jobs in order
    (filtered, sorted, ``limit``/``offset`` applied); ``count`` selects the number of jobs
    the filter matches. ``dialect`` is ``engine.dialect.name``; ``now`` (default: the current
    time) ends the ``duration`` of running jobs. Raises ``QuerySyntaxError`` for a bad filter
    or sort and ``InvalidInputError`` for a limit outside 1..1000 or a negative offset.

    Sorting puts jobs lacking the value last in either direction; params sort numbers first,
    then text, then other values; ties go to the newest job, then the smallest id.
    """
    check_dialect(dialect)
    _check_page(query.limit, query.offset)
    expr = parse_filter(query.filter)
    keys = parse_sort(query.sort)
    moment = now or datetime.now(UTC)
    where: ColumnElement[bool] = JobRow.project_id == project_id
    if expr is not None:
        condition = compile_filter(expr, project_id=project_id, dialect=dialect, now=moment)
        where = and_(where, condition)
    count = select(func.count()).select_from(JobRow).where(where)
    page = _Sorter(dialect, moment).apply(select(JobRow.id).where(where), keys)
    return page.limit(query.limit).offset(query.offset), count


def _check_page(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise _invalid("limit", f"limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise _invalid("offset", f"offset must be an integer of 0 or more, not {offset!r}")


def _invalid(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, detail={"errors": [{"field": field, "message": message}]})


class _Sorter:
    """Adds ORDER BY terms, with one LEFT OUTER JOIN per sorted param, tag or metric key."""

    def __init__(self, dialect: str, now: datetime) -> None:
        self.dialect = dialect
        self.now = now

    def apply(self, statement: Select[str], keys: list[SortKey]) -> Select[str]:
        terms: list[UnaryExpression[Any]] = []
        for key in keys:
            statement, key_terms = self.terms(statement, key)
            terms.extend(key_terms)
        named = {key.field.name for key in keys if key.field.kind is FieldKind.JOB}
        if "created_at" not in named:
            terms.append(JobRow.created_at.desc())
        if "id" not in named:
            terms.append(JobRow.id.asc())
        return statement.order_by(*terms)

    def terms(
        self, statement: Select[str], key: SortKey
    ) -> tuple[Select[str], list[UnaryExpression[Any]]]:
        field = key.field
        if field.kind is FieldKind.JOB:
            column = job_column(field.name, dialect=self.dialect, now=self.now)
            return statement, [_direction(column, key, JOB_FIELDS[field.name].nullable)]
        if field.kind is FieldKind.PARAM:
            param = aliased(ParamRow)
            statement = statement.outerjoin(
                param, and_(param.job_id == JobRow.id, param.key == field.name)
            )
            number = nan_as_null(param.value_num, dialect=self.dialect)
            rank = case((number.is_not(None), 0), (param.value_text.is_not(None), 1), else_=2)
            return statement, [
                rank.asc(),
                _direction(number, key, nullable=False),
                _direction(param.value_text, key, nullable=False),
            ]
        if field.kind is FieldKind.TAG:
            tag = aliased(TagRow)
            statement = statement.outerjoin(
                tag, and_(tag.job_id == JobRow.id, tag.key == field.name)
            )
            return statement, [_direction(tag.value, key, nullable=True)]
        summary = aliased(MetricSummaryRow)
        statement = statement.outerjoin(
            summary, and_(summary.job_id == JobRow.id, summary.key == field.name)
        )
        value = nan_as_null(getattr(summary, field.agg or "last"), dialect=self.dialect)
        return statement, [_direction(value, key, nullable=True)]


def _direction(
    column: SQLColumnExpression[Any], key: SortKey, nullable: bool
) -> UnaryExpression[Any]:
    ordered = column.desc() if key.descending else column.asc()
    return ordered.nulls_last() if nullable else ordered
