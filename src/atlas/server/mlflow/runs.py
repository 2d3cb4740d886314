"""MLflow runs as Atlas jobs: create, read, update, delete, search, and what they log.

A run is a job of kind ``mlflow`` (never marked lost: the client sends no heartbeats), run
id = job id. Params, tags and metrics go through the store's batch paths: ``log-batch`` is
one ``set_params``, one ``set_tags`` and one ``append_metrics`` of columns per metric key.
Every function runs on a worker thread and checks the caller's role in the run's project.
"""

from __future__ import annotations

import array
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePosixPath

from atlas.domain import JobKind, JobSpec, JobStatus, ParamValue
from atlas.errors import InvalidTransitionError, NotFoundError, QuerySyntaxError
from atlas.names import MAX_TAG_VALUE_LENGTH, shown
from atlas.server.auth.access import Caller
from atlas.server.mlflow.errors import DOES_NOT_EXIST, INVALID_VALUE, MlflowError
from atlas.server.mlflow.experiments import project_of, require_experiment
from atlas.server.mlflow.filters import atlas_filter, atlas_sort
from atlas.server.mlflow.requests import (
    Body,
    int_field,
    items_field,
    number_field,
    run_id_of,
    text_field,
)
from atlas.server.mlflow.wire import (
    STATUS_OF_RUN,
    from_ms,
    is_model_tag,
    param_value,
    run_json,
)
from atlas.store.api import JobQuery, SeriesBatch, Store
from atlas.store.query import MAX_LIMIT

__all__ = [
    "MAX_SEARCH_RESULTS",
    "check_mlflow_run",
    "check_run",
    "create_run",
    "delete_tag",
    "get_run",
    "log_batch",
    "log_inputs",
    "log_metric",
    "log_param",
    "search_runs",
    "set_tag",
    "update_run",
]

MAX_SEARCH_RESULTS = MAX_LIMIT
"""Most runs one ``search`` answers (the store's largest job page)."""

RUN_NAME_TAG = "mlflow.runName"


def check_run(store: Store, caller: Caller, run_id: str) -> str:
    """The project of run ``run_id`` after checking the caller's role in it;
    ``RESOURCE_DOES_NOT_EXIST`` for an unknown run. With authentication off nothing is read:
    the write itself finds an unknown run."""
    if not caller.auth:
        caller.require("")
        return ""
    try:
        project = store.job_project(run_id)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    caller.require(project)
    return project


def _require_mlflow_run(store: Store, run_id: str) -> None:
    """Refuse to change the status or end time of, or delete, a job that is not an MLflow
    client's run: the scheduler (or the tracked script) records those of other jobs."""
    try:
        job = store.get_job(run_id)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    if job.kind is not JobKind.MLFLOW:
        raise MlflowError(
            INVALID_VALUE,
            f"Run {run_id} is an Atlas job of kind {job.kind}, not an MLflow client's run: "
            f"its status is Atlas's to record; use `atlas stop {run_id}` or "
            f"`atlas jobs delete {run_id}`",
        )


def check_mlflow_run(store: Store, caller: Caller, run_id: str) -> None:
    """:func:`check_run`, then refuse a job that is not an MLflow client's run (its status,
    end time and existence are the scheduler's or its script's, not the MLflow API's)."""
    check_run(store, caller, run_id)
    _require_mlflow_run(store, run_id)


def _get_job_json(store: Store, run_id: str) -> dict[str, object]:
    try:
        return run_json(store.get_job(run_id))
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None


def _tag_key(body: Body) -> str:
    """The ``key`` of a tag a client sets or deletes; the tags logged models keep their
    records in are refused (only the ``logged-models`` routes write them)."""
    key = text_field(body, "key", required=True)
    if is_model_tag(key):
        raise MlflowError(
            INVALID_VALUE,
            f"the tag {shown(key)!r} holds Atlas's record of logged models: "
            "change a model through the logged-models API",
        )
    return key


def _tags(items: list[Mapping[str, object]]) -> dict[str, str]:
    """The tags of ``items``. The client's own ``mlflow.*`` tags (a run's description in
    ``mlflow.note.content``, MLflow 2's ``mlflow.log-model.history``) may run past Atlas's
    tag limit: they are cut to it, ending with "…", rather than failing the run."""
    tags: dict[str, str] = {}
    for item in items:
        key = _tag_key(item)
        value = item.get("value", "")
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_TAG_VALUE_LENGTH and key.startswith("mlflow."):
            text = text[: MAX_TAG_VALUE_LENGTH - 1] + "…"
        tags[key] = text
    return tags


def _script(tags: Mapping[str, str]) -> str:
    """A run's default name, as a tracked script's job is named: the stem of the script the
    client reports (``mlflow.source.name``)."""
    source = tags.get("mlflow.source.name", "")
    return PurePosixPath(source.replace("\\", "/")).stem if source.endswith(".py") else ""


def create_run(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``CreateRun``: a running job of kind ``mlflow`` in the experiment's project."""
    project = require_experiment(store, caller, text_field(body, "experiment_id", default="0"))
    tags = _tags(items_field(body, "tags"))
    name = text_field(body, "run_name") or tags.pop(RUN_NAME_TAG, "") or _script(tags)
    tags.pop(RUN_NAME_TAG, None)
    start = int_field(body, "start_time")
    spec = JobSpec(
        project=project,
        kind=JobKind.MLFLOW,
        name=name,
        user=text_field(body, "user_id") or tags.get("mlflow.user", ""),
        command=tags.get("mlflow.source.name", ""),
        tags=tags,
    )
    started = None if start is None else _time(start, "start_time")
    job = store.create_job(caller.own(spec), status=JobStatus.RUNNING, started_at=started)
    return {"run": run_json(job)}


def get_run(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetRun``."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    return {"run": _get_job_json(store, run_id)}


def _time(milliseconds: int, field: str) -> datetime:
    try:
        return from_ms(milliseconds, field)
    except ValueError as exc:
        raise MlflowError(INVALID_VALUE, str(exc)) from None


def update_run(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``UpdateRun``: status (RUNNING/FINISHED/FAILED/KILLED), end time, run name. Status
    and end time change only for runs of MLflow clients (kind ``mlflow``)."""
    run_id = run_id_of(body)
    status_text = text_field(body, "status")
    status = STATUS_OF_RUN.get(status_text) if status_text else None
    if status_text and status is None:
        raise MlflowError(INVALID_VALUE, f"Invalid status {shown(status_text)!r}")
    end = int_field(body, "end_time")
    if status is None and end is None:
        check_run(store, caller, run_id)
    else:
        check_mlflow_run(store, caller, run_id)
    at = _time(end, "end_time") if end is not None and status is not JobStatus.RUNNING else None
    name = text_field(body, "run_name") or None
    try:
        job = store.update_job(run_id, name=name, status=status, at=at)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    except InvalidTransitionError as exc:
        if status is JobStatus.RUNNING:
            raise MlflowError(
                INVALID_VALUE,
                f"Run {run_id} has ended; Atlas does not reopen an ended run: start a new one",
            ) from None
        raise MlflowError(INVALID_VALUE, exc.message) from None
    return {"run_info": run_json(job)["info"]}


_Columns = tuple["array.array[int]", "array.array[float]", "array.array[float]"]
_WHOLE = frozenset({int, str})
_NUMBER = frozenset({int, float})


def _batch_columns(metrics: list[Mapping[str, object]]) -> list[SeriesBatch]:
    """The metrics of a request as one batch of columns per key: read at once when every
    field has its usual type (the client's log-batch of 1,000 points), else field by field
    so that the first bad one is named."""
    try:
        return _plain_columns(metrics)
    except (KeyError, TypeError, ValueError, OverflowError):
        return _checked_columns(metrics)


def _plain_columns(metrics: list[Mapping[str, object]]) -> list[SeriesBatch]:
    columns: dict[str, _Columns] = {}
    for metric in metrics:
        key, step, stamp, value = (
            metric["key"],
            metric.get("step", 0),
            metric["timestamp"],
            metric["value"],
        )
        if type(key) is not str or not key or type(value) not in _NUMBER:
            raise TypeError(key)
        if type(step) not in _WHOLE or type(stamp) not in _WHOLE:
            raise TypeError(key)
        found = columns.get(key)
        if found is None:
            found = columns[key] = (array.array("q"), array.array("d"), array.array("d"))
        found[0].append(int(step))  # type: ignore[call-overload]
        found[1].append(int(stamp) / 1000)  # type: ignore[call-overload]
        found[2].append(float(value))  # type: ignore[arg-type]
    return [SeriesBatch(key, s, t, v) for key, (s, t, v) in columns.items()]


def _checked_columns(metrics: list[Mapping[str, object]]) -> list[SeriesBatch]:
    columns: dict[str, tuple[array.array[int], array.array[float], array.array[float]]] = (
        defaultdict(lambda: (array.array("q"), array.array("d"), array.array("d")))
    )
    for metric in metrics:
        key = metric.get("key")
        if not isinstance(key, str) or not key:
            raise MlflowError(INVALID_VALUE, "Missing value for required parameter 'key'")
        steps, times, values = columns[key]
        steps.append(int_field(metric, "step", default=0) or 0)
        timestamp = int_field(metric, "timestamp")
        if timestamp is None:
            raise MlflowError(INVALID_VALUE, "Missing value for required parameter 'timestamp'")
        times.append(timestamp / 1000)
        values.append(number_field(metric, "value"))
    return [SeriesBatch(key, s, t, v) for key, (s, t, v) in columns.items()]


def _params(items: list[Mapping[str, object]]) -> dict[str, ParamValue]:
    params: dict[str, ParamValue] = {}
    for item in items:
        key = text_field(item, "key", required=True)
        value = item.get("value", "")
        params[key] = param_value(value if isinstance(value, str) else str(value))
    return params


def _write(
    store: Store,
    run_id: str,
    metrics: list[SeriesBatch],
    params: dict[str, ParamValue],
    tags: dict[str, str],
) -> None:
    try:
        if params:
            store.set_params(run_id, params)
        if tags:
            name = tags.pop(RUN_NAME_TAG, None)
            if name is not None:
                store.update_job(run_id, name=name)
            if tags:
                store.set_tags(run_id, tags)
        if metrics:
            store.append_metrics(run_id, metrics)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None


def log_metric(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogMetric``: one point."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    _write(store, run_id, _batch_columns([body]), {}, {})
    return {}


def log_param(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogParam``."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    _write(store, run_id, [], _params([body]), {})
    return {}


def set_tag(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``SetTag`` (``mlflow.runName`` renames the run)."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    _write(store, run_id, [], {}, _tags([body]))
    return {}


def delete_tag(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``DeleteTag``."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    key = _tag_key(body)
    try:
        store.delete_tag(run_id, key)
    except NotFoundError as exc:
        raise MlflowError(DOES_NOT_EXIST, exc.message) from None
    return {}


def log_batch(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogBatch``: metrics, params and tags of one run in one request."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    metrics = _batch_columns(items_field(body, "metrics"))
    params = _params(items_field(body, "params"))
    tags = _tags(items_field(body, "tags"))
    _write(store, run_id, metrics, params, tags)
    return {}


def log_inputs(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogInputs``: each dataset kept as the tag ``mlflow.dataset.<name>`` (its digest and
    source type)."""
    run_id = run_id_of(body)
    check_run(store, caller, run_id)
    tags: dict[str, str] = {}
    for item in items_field(body, "datasets"):
        dataset = item.get("dataset")
        if not isinstance(dataset, Mapping):
            raise MlflowError(INVALID_VALUE, "Missing value for required parameter 'dataset'")
        name = text_field(dataset, "name", required=True)
        digest = text_field(dataset, "digest")
        source = text_field(dataset, "source_type")
        tags[f"mlflow.dataset.{name}"] = f"{digest} ({source})" if source else digest
    _write(store, run_id, [], {}, tags)
    return {}


def _experiment_ids(body: Body) -> list[str]:
    ids = body.get("experiment_ids") or []
    if isinstance(ids, str):
        ids = [ids]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise MlflowError(INVALID_VALUE, "Missing value for required parameter 'experiment_ids'")
    return list(dict.fromkeys(ids))


def _page_size(body: Body) -> int:
    """``max_results``, at most :data:`MAX_SEARCH_RESULTS`: a client that asks for more
    (``mlflow.search_runs`` asks 10,000 a page) gets that many and a ``next_page_token``."""
    wanted = int_field(body, "max_results", default=MAX_SEARCH_RESULTS)
    if wanted is None or wanted < 1:
        raise MlflowError(INVALID_VALUE, f"Invalid value {wanted} for parameter 'max_results'")
    return min(wanted, MAX_SEARCH_RESULTS)


def _cursor(body: Body, experiments: int) -> tuple[int, int]:
    """``(experiment index, offset in it)`` of ``page_token``: an offset for one
    experiment, ``<index>:<offset>`` for several."""
    token = body.get("page_token")
    if token is None or token == "":
        return 0, 0
    text = str(token)
    index, _, offset = text.rpartition(":")
    try:
        cursor = (int(index) if index else 0, int(offset))
    except ValueError:
        cursor = (-1, -1)
    if not (0 <= cursor[0] < experiments and 0 <= cursor[1] < 2**63):
        raise MlflowError(INVALID_VALUE, f"Invalid page token {shown(text)!r}")
    return cursor


def _query_parts(body: Body) -> tuple[str, list[str]]:
    order = body.get("order_by") or []
    try:
        query_filter = atlas_filter(text_field(body, "filter"))
        sort = atlas_sort([str(o) for o in (order if isinstance(order, list) else [order])])
    except ValueError as exc:
        raise MlflowError(INVALID_VALUE, f"Invalid filter or order_by: {exc}") from None
    return query_filter, sort


def search_runs(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``SearchRuns`` over one or more experiments, read one project after the other: the
    filter and order translated to Atlas's query language; ``page_token`` is where the next
    page starts (an offset, or ``<experiment index>:<offset>`` for several experiments)."""
    ids = _experiment_ids(body)
    size = _page_size(body)
    index, offset = _cursor(body, len(ids))
    if text_field(body, "run_view_type") == "DELETED_ONLY":
        return {"runs": []}
    query_filter, sort = _query_parts(body)
    projects = [project_of(store, exp_id) for exp_id in ids]
    for project in projects:
        caller.require(project)
    runs: list[dict[str, object]] = []
    while index < len(projects) and len(runs) < size:
        query = JobQuery(filter=query_filter, sort=sort, limit=size - len(runs), offset=offset)
        try:
            page = store.list_jobs(projects[index], query)
        except QuerySyntaxError as exc:
            raise MlflowError(INVALID_VALUE, f"Invalid filter or order_by: {exc.message}") from None
        runs += [run_json(job) for job in page.items]
        offset += len(page.items)
        if not page.items or offset >= page.total:
            index, offset = index + 1, 0
    answer: dict[str, object] = {"runs": runs}
    if index < len(projects):
        answer["next_page_token"] = f"{index}:{offset}" if len(ids) > 1 else str(offset)
    return answer
