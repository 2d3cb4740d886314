"""Grouping jobs by their values of up to ``MAX_GROUP_FIELDS`` fields, with each group's
count and the mean, min and max of chosen metrics (the workspace table's row grouping).

Built on the columnar values (``job_values``): the fields of the newest ``MAX_VALUES_JOBS``
matching jobs are read in one query per kind, then grouped here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from atlas.errors import InvalidInputError
from atlas.names import MAX_GROUPS, invalid
from atlas.store.api import FieldValue, GroupSummary, JobGroup, JobGroups, JobValues

__all__ = ["group_values"]


def group_values(
    values: JobValues,
    by: Sequence[str],
    metrics: Sequence[str],
    *,
    order: Sequence[tuple[str, bool]] = (),
) -> JobGroups:
    """The groups of ``values`` by the columns ``by``, summarising the columns ``metrics``.

    ``order`` lists ``(column, descending)``: a column of ``by`` orders the groups by its
    value, one of ``metrics`` by its mean (groups without a value last either way); groups
    that tie are in the order of their values (numbers before text before other values,
    ``None`` last). ``InvalidInputError`` past ``MAX_GROUPS`` groups."""
    members: dict[tuple[str, ...], list[int]] = {}
    first: dict[tuple[str, ...], tuple[FieldValue, ...]] = {}
    for row in range(len(values.ids)):
        found = tuple(values.columns[name][row] for name in by)
        identity = tuple(_identity(value) for value in found)
        if identity not in members:
            if len(members) == MAX_GROUPS:
                raise _too_many(by)
            members[identity], first[identity] = [], found
        members[identity].append(row)
    ranked = sorted(members, key=lambda identity: [_order(v) for v in first[identity]])
    groups = [
        JobGroup(
            values=dict(zip(by, first[identity], strict=True)),
            count=len(members[identity]),
            summaries={m: _summary(values.columns[m], members[identity]) for m in metrics},
        )
        for identity in ranked
    ]
    for column, descending in reversed(order):  # stable sorts: the first key sorts last
        groups = _sorted(groups, column, descending, by)
    return JobGroups(total=values.total, groups=groups)


def _sorted(
    groups: list[JobGroup], column: str, descending: bool, by: Sequence[str]
) -> list[JobGroup]:
    def value(group: JobGroup) -> FieldValue:
        return group.values[column] if column in by else group.summaries[column].mean

    def absent(found: FieldValue) -> bool:
        return found is None or (isinstance(found, float) and math.isnan(found))

    present = [group for group in groups if not absent(value(group))]
    present.sort(key=lambda group: _order(value(group)), reverse=descending)
    return present + [group for group in groups if absent(value(group))]


def _identity(value: FieldValue) -> str:
    """One key per distinct value: ``1`` and ``1.0`` alike, ``"1"`` and ``true`` apart."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, bool):
        return f"b{value}"
    if isinstance(value, int | float):
        return f"n{float(value)!r}"
    return "j" + json.dumps(value, sort_keys=True, default=str)


def _order(value: FieldValue) -> tuple[int, float, str]:
    if value is None:
        return (4, 0.0, "")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return (2, 0.0, json.dumps(value, sort_keys=True, default=str))
    if isinstance(value, str):
        return (1, 0.0, value)
    if math.isnan(value):
        return (3, 0.0, "")
    return (0, float(value), "")


def _summary(column: list[FieldValue], rows: list[int]) -> GroupSummary:
    numbers = [
        float(value)
        for value in (column[row] for row in rows)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ]
    if not numbers:
        return GroupSummary(mean=None, min=None, max=None, count=0)
    mean = math.fsum(numbers) / len(numbers)
    return GroupSummary(mean=mean, min=min(numbers), max=max(numbers), count=len(numbers))


def _too_many(by: Sequence[str]) -> InvalidInputError:
    return invalid(
        "by",
        f"grouping by {', '.join(by)} makes more than {MAX_GROUPS:,} groups: "
        "group by fewer fields or narrow the filter",
    )
