"""The MLflow tracking REST API routes (``/api/2.0/mlflow/...``) and the artifact proxy
(``/api/2.0/mlflow-artifacts/...``), thin: each reads the request's fields (the query string
of a GET, the JSON body otherwise) and hands them to ``experiments``, ``runs``, ``histories``
or ``models`` on a worker thread.

The routes are left out of the OpenAPI schema (they are MLflow's API, not Atlas's: the GUI's
client has no use for them) but declare their access like every route: viewers read, editors
write, with an Atlas API token sent as ``Authorization: Bearer`` (``MLFLOW_TRACKING_TOKEN``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from atlas.errors import NotFoundError
from atlas.server import job_files, removal
from atlas.server.auth.access import Caller, Need, Of, access
from atlas.server.deps import ArtifactsDep, SettingsDep, StoreDep
from atlas.server.mlflow import experiments, histories, models, runs
from atlas.server.mlflow.artifacts import file_infos, split_artifact_path
from atlas.server.mlflow.errors import (
    DOES_NOT_EXIST,
    ENDPOINT_NOT_FOUND,
    INVALID_VALUE,
    MlflowError,
    mlflow_error_response,
)
from atlas.server.mlflow.requests import Body, run_id_of, text_field
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore

__all__ = ["ARTIFACTS_PREFIX", "TRACKING_PREFIXES", "artifact_router", "tracking_router"]

TRACKING_PREFIXES = ("/api/2.0/mlflow", "/ajax-api/2.0/mlflow")
ARTIFACTS_PREFIX = "/api/2.0/mlflow-artifacts"
MIB = 1024 * 1024
_LISTS = frozenset({"experiment_ids", "run_ids", "order_by"})

tracking_router = APIRouter(include_in_schema=False)
artifact_router = APIRouter(include_in_schema=False)

Reader = Annotated[Caller, access(Need.VIEWER, Of.QUERY, audit=False)]
Searcher = Annotated[Caller, access(Need.VIEWER, Of.BODY, audit=False)]
Writer = Annotated[Caller, access(Need.EDITOR, Of.BODY)]
Logger = Annotated[Caller, access(Need.EDITOR, Of.BODY, audit=False)]
Owner = Annotated[Caller, access(Need.OWNER, Of.BODY)]
SignedIn = Annotated[Caller, access(Need.SIGNED_IN)]
Person = Annotated[Caller, access(Need.PERSON)]

Service = Callable[[Store, Caller, Body], dict[str, object]]


async def _fields(request: Request) -> dict[str, object]:
    """The request's fields: its query string (lists for list fields), then its JSON body."""
    fields: dict[str, object] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        fields[key] = values if key in _LISTS or len(values) > 1 else values[0]
    if request.method in ("GET", "HEAD", "DELETE"):
        return fields
    raw = await request.body()
    if raw.strip():
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise MlflowError(INVALID_VALUE, "the request body is not JSON") from None
        if not isinstance(body, dict):
            raise MlflowError(INVALID_VALUE, "the request body must be a JSON object")
        fields.update(body)
    return fields


async def _answer(request: Request, caller: Caller, service: Service, **path: str) -> Response:
    fields = {**(await _fields(request)), **path}
    result = await run_in_threadpool(service, request.app.state.store, caller, fields)
    return JSONResponse(result)


_ACCESS: dict[str, object] = {
    "read": Reader,
    "search": Searcher,
    "write": Writer,
    "log": Logger,
    "own": Owner,
    "list": SignedIn,
    "person": Person,
}
"""The access each kind of route declares (its ``caller`` parameter's annotation)."""


def _endpoint(service: Service, need: str) -> Callable[..., Awaitable[Response]]:
    """An endpoint answering ``service`` to a caller with the access ``need`` names."""

    async def endpoint(request: Request, caller: Caller) -> Response:
        return await _answer(request, caller, service, **request.path_params)

    endpoint.__annotations__ = {**endpoint.__annotations__, "caller": _ACCESS[need]}
    return endpoint


def _route(method: str, path: str, service: Service, need: str) -> None:
    """Serve ``service`` at ``path`` (under both tracking prefixes)."""
    endpoint = _endpoint(service, need)
    for prefix in TRACKING_PREFIXES:
        tracking_router.add_api_route(prefix + path, endpoint, methods=[method])


for _method, _path, _service, _need in [
    ("POST", "/experiments/create", experiments.create_experiment, "person"),
    ("GET", "/experiments/get", experiments.get_experiment, "read"),
    ("GET", "/experiments/get-by-name", experiments.get_experiment_by_name, "read"),
    ("POST", "/experiments/search", experiments.search_experiments, "list"),
    ("GET", "/experiments/search", experiments.search_experiments, "list"),
    ("POST", "/experiments/update", experiments.rename_experiment, "own"),
    ("POST", "/runs/create", runs.create_run, "write"),
    ("GET", "/runs/get", runs.get_run, "read"),
    ("POST", "/runs/update", runs.update_run, "write"),
    ("POST", "/runs/search", runs.search_runs, "search"),
    ("POST", "/runs/log-metric", runs.log_metric, "log"),
    ("POST", "/runs/log-parameter", runs.log_param, "log"),
    ("POST", "/runs/log-batch", runs.log_batch, "log"),
    ("POST", "/runs/set-tag", runs.set_tag, "log"),
    ("POST", "/runs/delete-tag", runs.delete_tag, "log"),
    ("POST", "/runs/log-inputs", runs.log_inputs, "log"),
    ("POST", "/runs/outputs", models.log_outputs, "log"),
    ("GET", "/metrics/get-history", histories.get_history, "read"),
    ("GET", "/metrics/get-history-bulk-interval", histories.get_history_bulk_interval, "read"),
    ("POST", "/logged-models", models.create_model, "log"),
    ("POST", "/logged-models/search", models.search_models, "search"),
    ("GET", "/logged-models/{model_id}", models.get_model, "read"),
    ("PATCH", "/logged-models/{model_id}", models.finalize_model, "log"),
    ("PATCH", "/logged-models/{model_id}/tags", models.set_model_tags, "log"),
    ("DELETE", "/logged-models/{model_id}/tags/{tag_key}", models.delete_model_tag, "log"),
    ("POST", "/logged-models/{model_id}/params", models.log_model_params, "log"),
]:
    _route(_method, _path, _service, _need)


def _delete_run(request: Request, caller: Caller, body: Body, artifacts: ArtifactStore) -> None:
    store: Store = request.app.state.store
    run_id = run_id_of(body)
    runs.check_mlflow_run(store, caller, run_id)
    state = request.app.state
    try:
        removal.remove_job(
            store, artifacts, run_id, scheduler=state.scheduler, lookups=state.lookups
        )
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None


async def delete_run(request: Request, caller: Writer, artifacts: ArtifactsDep) -> Response:
    """``DeleteRun``: the job and its files are deleted for good (Atlas keeps no deleted
    runs to restore), as ``DELETE /api/v1/jobs/{id}`` deletes them; only runs of MLflow
    clients (a scheduled job is deleted with ``atlas jobs delete``)."""
    fields = await _fields(request)
    await run_in_threadpool(_delete_run, request, caller, fields, artifacts)
    return JSONResponse({})


for _prefix in TRACKING_PREFIXES:
    tracking_router.add_api_route(_prefix + "/runs/delete", delete_run, methods=["POST"])


# -- the artifact proxy ---------------------------------------------------------------------
UNSUPPORTED_MULTIPART = "Multipart upload is not supported for the current artifact repository"
"""The message of MLflow's own servers that take no multipart uploads: a client that asked
for one (``MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD``) reads it and uploads the file in one
request."""


async def refuse_multipart(caller: SignedIn) -> Response:
    """Multipart uploads are not taken (``ENDPOINT_NOT_FOUND`` with the message the client
    knows, rather than MLflow's 501: no 5xx for what a client sends)."""
    return mlflow_error_response(ENDPOINT_NOT_FOUND, UNSUPPORTED_MULTIPART, 404)


for _path in ("/mpu/create", "/mpu/create/{path:path}"):
    artifact_router.add_api_route(ARTIFACTS_PREFIX + _path, refuse_multipart, methods=["POST"])


@artifact_router.get(ARTIFACTS_PREFIX + "/artifacts")
async def list_artifacts(request: Request, caller: Reader, store: StoreDep) -> Response:
    """The files and folders right under ``?path=<exp>/<run>/artifacts/<folder>``."""
    fields = await _fields(request)
    run_id, folder = split_artifact_path(text_field(fields, "path", required=True))
    await run_in_threadpool(runs.check_run, store, caller, run_id)
    try:
        found = await run_in_threadpool(store.list_artifacts, run_id)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    return JSONResponse({"files": file_infos(found, folder)})


@artifact_router.get(ARTIFACTS_PREFIX + "/artifacts/{path:path}")
async def download_artifact(
    path: str, caller: Reader, store: StoreDep, artifacts: ArtifactsDep
) -> Response:
    """One artifact's bytes."""
    run_id, inner = split_artifact_path(path)
    await run_in_threadpool(runs.check_run, store, caller, run_id)
    return await job_files.serve_artifact(
        store, artifacts, job_id=run_id, path=inner, range_header=None
    )


@artifact_router.put(ARTIFACTS_PREFIX + "/artifacts/{path:path}")
async def upload_artifact(
    path: str,
    request: Request,
    caller: Logger,
    store: StoreDep,
    artifacts: ArtifactsDep,
    settings: SettingsDep,
) -> Response:
    """Store the body as the run's artifact (replacing an earlier one of the same path)."""
    run_id, inner = split_artifact_path(path)
    if not inner:
        raise MlflowError(INVALID_VALUE, "an artifact needs a file name")
    await run_in_threadpool(runs.check_run, store, caller, run_id)
    await job_files.save_artifact(
        request,
        store,
        artifacts,
        job_id=run_id,
        path=inner,
        step=None,
        max_bytes=settings.max_upload_mb * MIB,
    )
    return JSONResponse({})
