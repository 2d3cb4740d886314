"""A filter lowered to sets of job ids, and the two SQL shapes it is rendered in.

A compiled filter is a boolean tree whose leaves are either a condition on the job's own
columns (``JobCondition``) or "the job has a row in params/tags/metric_summaries with this key
matching these conditions" (``KeyedRows``). The tree renders as:

- ``as_condition``: a condition on ``JobRow`` where each ``KeyedRows`` is a correlated
  ``EXISTS`` probing the row's primary key (job_id, key). The page query uses it: it scans
  jobs in sort order and stops after one page, probing a handful of rows.
- ``as_job_ids``: a ``SELECT`` of the matching job ids built from ``INTERSECT``, ``UNION`` and
  ``EXCEPT`` of per-condition selects, each served by one ``(project_id, key, value)`` index.
  The count uses it: counting ``params.lr < 0.01`` reads one index range, never the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, except_, intersect, not_, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, TagRow

__all__ = [
    "MAX_SET_NESTING",
    "AllOf",
    "AnyOf",
    "JobCondition",
    "KeyTable",
    "KeyedRows",
    "NoneOf",
    "Term",
    "as_condition",
    "as_job_ids",
]

KeyTable = type[ParamRow] | type[TagRow] | type[MetricSummaryRow]

MAX_SET_NESTING = 4
"""Deepest nesting of INTERSECT/UNION/EXCEPT in ``as_job_ids`` before it scans the jobs."""


@dataclass(frozen=True, eq=False)
class JobCondition:
    """A condition on the job's own columns, never NULL."""

    condition: ColumnElement[bool]


@dataclass(frozen=True, eq=False)
class KeyedRows:
    """Jobs of ``project_id`` with a ``table`` row for ``key`` meeting all ``conditions``."""

    table: KeyTable
    project_id: int
    key: str
    conditions: tuple[ColumnElement[bool], ...] = ()


@dataclass(frozen=True, eq=False)
class AllOf:
    """Jobs in every one of ``items``."""

    items: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class AnyOf:
    """Jobs in any of ``items``."""

    items: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class NoneOf:
    """Jobs of the project not in ``item``."""

    item: Term


Term = JobCondition | KeyedRows | AllOf | AnyOf | NoneOf


def _is_plain(term: Term) -> bool:
    """Whether ``term`` only looks at the job's own columns."""
    if isinstance(term, JobCondition):
        return True
    if isinstance(term, AllOf | AnyOf):
        return all(_is_plain(item) for item in term.items)
    if isinstance(term, NoneOf):
        return _is_plain(term.item)
    return False


def as_condition(term: Term) -> ColumnElement[bool]:
    """``term`` as a condition on ``JobRow`` (``EXISTS`` probes for keyed rows)."""
    if isinstance(term, JobCondition):
        return term.condition
    if isinstance(term, KeyedRows):
        table = term.table
        # project_id lets PostgreSQL hash the (project_id, key, value) index range instead.
        probe = select(table.job_id).where(
            table.job_id == JobRow.id, table.project_id == term.project_id, table.key == term.key
        )
        return probe.where(*term.conditions).correlate(JobRow).exists()
    if isinstance(term, AllOf):
        return and_(*(as_condition(item) for item in term.items))
    if isinstance(term, AnyOf):
        return or_(*(as_condition(item) for item in term.items))
    return not_(as_condition(term.item))


def as_job_ids(term: Term, *, project_id: int, dialect: str) -> Select[Any] | CompoundSelect[Any]:
    """A select of the ids of the jobs of ``project_id`` that ``term`` matches (no duplicates).

    Past ``MAX_SET_NESTING`` nested set operations (SQLite's parser has a small stack), the
    select is one scan of the project's jobs with ``as_condition`` instead.
    """
    if _set_nesting(term) > MAX_SET_NESTING:
        return select(JobRow.id).where(JobRow.project_id == project_id, as_condition(term))
    return _job_ids(term, project_id=project_id, dialect=dialect)


def _set_nesting(term: Term) -> int:
    if _is_plain(term) or isinstance(term, KeyedRows | JobCondition):
        return 0
    if isinstance(term, NoneOf):
        return 1 + _set_nesting(term.item)
    return 1 + max(_set_nesting(item) for item in term.items)


def _job_ids(term: Term, *, project_id: int, dialect: str) -> Select[Any] | CompoundSelect[Any]:
    if isinstance(term, JobCondition) or _is_plain(term):
        return select(JobRow.id).where(JobRow.project_id == project_id, as_condition(term))
    if isinstance(term, KeyedRows):
        table = term.table
        return select(table.job_id).where(
            table.project_id == term.project_id, table.key == term.key, *term.conditions
        )
    if isinstance(term, NoneOf):
        every = select(JobRow.id).where(JobRow.project_id == project_id)
        inner = _job_ids(term.item, project_id=project_id, dialect=dialect)
        return except_(every, _operand(inner))
    plain = [item for item in term.items if _is_plain(item)]
    keyed = [item for item in term.items if not _is_plain(item)]
    if isinstance(term, AllOf) and dialect == "postgresql":
        # PostgreSQL hashes semi-joins faster than it intersects sets.
        sets = [_job_ids(item, project_id=project_id, dialect=dialect) for item in keyed]
        return select(JobRow.id).where(
            JobRow.project_id == project_id,
            *(as_condition(item) for item in plain),
            *(JobRow.id.in_(_operand(rows)) for rows in sets),
        )
    group = AllOf if isinstance(term, AllOf) else AnyOf
    # Conditions on job columns go into one select rather than one select each.
    parts = ([group(tuple(plain))] if plain else []) + keyed
    selects = [_operand(_job_ids(part, project_id=project_id, dialect=dialect)) for part in parts]
    if len(selects) == 1:
        return selects[0]
    return intersect(*selects) if isinstance(term, AllOf) else union(*selects)


def _operand(statement: Select[Any] | CompoundSelect[Any]) -> Select[Any]:
    # SQLite refuses a parenthesised compound inside another: select from it instead.
    if isinstance(statement, Select):
        return statement
    rows = statement.subquery()
    return select(*rows.c)
