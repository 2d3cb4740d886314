"""Metric histories in MLflow's shape: ``metrics/get-history`` and
``metrics/get-history-bulk-interval``, read from the store's series (every point, in step
order; MLflow's milliseconds from Atlas's seconds)."""

from __future__ import annotations

from atlas.domain import Series
from atlas.errors import NotFoundError
from atlas.names import is_job_id
from atlas.server.auth.access import Caller
from atlas.server.mlflow.errors import DOES_NOT_EXIST, INVALID_VALUE, MlflowError
from atlas.server.mlflow.requests import Body, count_field, int_field, run_id_of, text_field
from atlas.server.mlflow.runs import check_run
from atlas.server.mlflow.wire import json_number
from atlas.store.api import Store

__all__ = ["MAX_BULK_RUNS", "get_history", "get_history_bulk_interval"]

MAX_BULK_RUNS = 100
"""Most runs one bulk-interval request reads (MLflow's own limit)."""
_BULK_DEFAULT_POINTS = 320


def _points(series: Series, run_id: str | None = None) -> list[dict[str, object]]:
    points: list[dict[str, object]] = []
    for step, time, value in zip(series.steps, series.times, series.values, strict=True):
        point: dict[str, object] = {
            "key": series.key,
            "value": json_number(value),
            "timestamp": int(time * 1000),
            "step": step,
        }
        if run_id is not None:
            point["run_id"] = run_id
        points.append(point)
    return points


def _read(store: Store, run_id: str, key: str, **steps: int | None) -> Series:
    try:
        return store.read_series(run_id, key, **steps)
    except NotFoundError:
        store.get_job(run_id)  # an unknown run is RESOURCE_DOES_NOT_EXIST below
        return Series(key, [], [], [], 0, False)


def get_history(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetMetricHistory``: every point of one metric of one run; ``page_token`` is an
    offset into them."""
    run_id = run_id_of(body)
    key = text_field(body, "metric_key", required=True)
    check_run(store, caller, run_id)
    try:
        points = _points(_read(store, run_id, key))
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    max_results = count_field(body, "max_results", least=1)
    offset = count_field(body, "page_token", default=0) or 0
    if max_results is None:
        return {"metrics": points[offset:]}
    answer: dict[str, object] = {"metrics": points[offset : offset + max_results]}
    if offset + max_results < len(points):
        answer["next_page_token"] = str(offset + max_results)
    return answer


def get_history_bulk_interval(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetMetricHistoryBulkInterval``: one metric of several runs within a step range, at
    most ``max_results`` points per run (downsampled by the store, spikes kept)."""
    run_ids = body.get("run_ids")
    if isinstance(run_ids, str):
        run_ids = [run_ids]
    if not isinstance(run_ids, list) or not run_ids or len(run_ids) > MAX_BULK_RUNS:
        raise MlflowError(INVALID_VALUE, f"run_ids must name 1 to {MAX_BULK_RUNS} runs")
    key = text_field(body, "metric_key", required=True)
    start = int_field(body, "start_step")
    end = int_field(body, "end_step")
    wanted = count_field(body, "max_results", least=1, default=_BULK_DEFAULT_POINTS)
    points: list[dict[str, object]] = []
    for run_id in dict.fromkeys(str(r) for r in run_ids):
        if not is_job_id(run_id):
            raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found")
        check_run(store, caller, run_id)
        try:
            series = _read(store, run_id, key, min_step=start, max_step=end, max_points=wanted)
        except NotFoundError:
            raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
        points += _points(series, run_id)
    return {"metrics": points}
