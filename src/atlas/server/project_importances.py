"""Which params matter for a metric across a project's jobs (the workspace's importance
panel): Spearman's rank correlation of each numeric param with the metric, and the
model-based importance that sweeps use (``atlas.hpo.study.fitted_importances``: Optuna's
default evaluator), fit on the most recent ``MAX_IMPORTANCE_JOBS`` jobs that have the
metric as a finite number."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from atlas.domain import ParamValue
from atlas.hpo.study import fitted_importances, observed_distributions
from atlas.names import MAX_IMPORTANCE_JOBS, MAX_IMPORTANCE_PARAMS, invalid
from atlas.server.workspace_schemas import ProjectImportanceOut, ProjectImportancesOut
from atlas.store.api import JobValues, Store
from atlas.store.job_values import field_name, parse_field
from atlas.store.query.nodes import FieldKind

__all__ = ["MIN_JOBS", "project_importances"]

MIN_JOBS = 3
"""Fewest jobs with the metric that importances are computed over."""


def project_importances(
    store: Store, project: str, *, metric: str, filter: str, params: Sequence[str]
) -> ProjectImportancesOut:
    """The importances of ``params`` (default: every param of the project, at most
    ``MAX_IMPORTANCE_PARAMS``) for ``metric`` over the jobs ``filter`` matches (blocking)."""
    if parse_field(metric).kind is not FieldKind.METRIC:
        raise invalid("metric", f"metric must name a metric (metrics.<key>[.min]), not {metric!r}")
    keys = list(dict.fromkeys(params)) or store.list_param_keys(project)[:MAX_IMPORTANCE_PARAMS]
    if len(keys) > MAX_IMPORTANCE_PARAMS:
        raise invalid("params", f"at most {MAX_IMPORTANCE_PARAMS} params")
    names = {key: field_name("params", key) for key in keys}
    found = _read_values(store, project, metric, list(names.values()), filter=filter)
    rows, targets = _finite_rows(found, metric, names)
    if len(targets) < MIN_JOBS:
        reason = f"fewer than {MIN_JOBS} jobs have {metric} as a finite number"
        return ProjectImportancesOut(metric=metric, jobs=len(targets), items=[], reason=reason)
    dists = observed_distributions(rows)
    try:
        weights = fitted_importances(list(zip(rows, targets, strict=True)), dists)
    except (ValueError, RuntimeError) as exc:
        reason = f"Optuna could not compute them: {exc}"
        return ProjectImportancesOut(metric=metric, jobs=len(targets), items=[], reason=reason)
    items = [
        ProjectImportanceOut(
            param=key, correlation=_spearman(rows, targets, key), importance=weight
        )
        for key, weight in sorted(weights.items(), key=lambda item: -item[1])
    ]
    return ProjectImportancesOut(metric=metric, jobs=len(targets), items=items)


MAX_VALUES_READ = MAX_IMPORTANCE_JOBS * 4
"""Jobs read to find ``MAX_IMPORTANCE_JOBS`` whose metric is finite (NaN ones are skipped)."""

FIELDS_PER_READ = 60
"""Most fields one ``job_values`` read names: each is a join, and SQLite refuses a query of
more than 64 tables (a project of 100 params is read in two)."""


def _read_values(
    store: Store, project: str, metric: str, fields: list[str], *, filter: str
) -> JobValues:
    """``metric`` and ``fields`` of the newest ``MAX_VALUES_READ`` matching jobs that have the
    metric, read ``FIELDS_PER_READ`` fields at a time; a job some later read does not find
    (deleted in between) lacks that read's fields, one it adds (created in between) is left
    out, so every column belongs to the first read's jobs."""
    first, *rest = [
        fields[start : start + FIELDS_PER_READ - 1]
        for start in range(0, max(len(fields), 1), FIELDS_PER_READ - 1)
    ]
    found = store.job_values(
        project, [metric, *first], filter=filter, limit=MAX_VALUES_READ, present=[metric]
    )
    for chunk in rest:
        more = store.job_values(
            project, chunk, filter=filter, limit=MAX_VALUES_READ, present=[metric]
        )
        index = {job_id: position for position, job_id in enumerate(more.ids)}
        for name in chunk:
            column = more.columns[name]
            found.columns[name] = [
                None if job_id not in index else column[index[job_id]] for job_id in found.ids
            ]
    return found


def _finite_rows(
    found: JobValues, metric: str, names: dict[str, str]
) -> tuple[list[dict[str, ParamValue]], list[float]]:
    """Each job's params and metric, for the newest jobs whose metric is a finite number."""
    rows: list[dict[str, ParamValue]] = []
    targets: list[float] = []
    column = found.columns[metric]
    for index, value in enumerate(column):
        if not isinstance(value, int | float) or not math.isfinite(value):
            continue
        row = {key: found.columns[name][index] for key, name in names.items()}
        rows.append({key: v for key, v in row.items() if v is not None})  # type: ignore[misc]
        targets.append(float(value))
        if len(targets) == MAX_IMPORTANCE_JOBS:
            break
    return rows, targets


def _spearman(rows: list[dict[str, ParamValue]], targets: list[float], key: str) -> float | None:
    """Spearman's rank correlation of numeric param ``key`` with the metric, over the jobs
    that have it as a number; ``None`` for a param that is not numeric or does not vary."""
    pairs = [
        (float(row[key]), target)  # type: ignore[arg-type]
        for row, target in zip(rows, targets, strict=True)
        if isinstance(row.get(key), int | float) and not isinstance(row.get(key), bool)
    ]
    if len(pairs) < MIN_JOBS or len(pairs) < len([row for row in rows if key in row]):
        return None
    x, y = np.array(pairs).T
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def _ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The rank of each value, 1 for the smallest; ties share their mean rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    means: npt.NDArray[np.float64] = ends - (counts - 1) / 2.0
    return means[inverse]
