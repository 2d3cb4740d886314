"""MLflow 3's logged models, kept inside the run that logs them.

``mlflow.<flavor>.log_model`` (and autolog) first creates a logged model, uploads its files
to the model's ``artifact_uri``, then finalizes it. Atlas has no table of models: a model
belongs to its source run (a job), its files are that job's artifacts under
``models/<model_id>/``, and its record (name, type, status, tags) is the job's tag
``mlflow.model.<model_id>`` (JSON). The model id carries the run id, so a model is found
without a search: ``m-<run_id>-<8 hex digits>``. A model without a source run is refused.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping

from atlas.errors import NotFoundError
from atlas.names import MAX_TAG_VALUE_LENGTH, shown
from atlas.server.auth.access import Caller
from atlas.server.mlflow.errors import DOES_NOT_EXIST, INVALID_VALUE, MlflowError
from atlas.server.mlflow.experiments import project_of
from atlas.server.mlflow.requests import Body, items_field, run_id_of, text_field
from atlas.server.mlflow.runs import check_run
from atlas.server.mlflow.wire import MODEL_INDEX_TAG, MODEL_TAG_PREFIX, experiment_id
from atlas.store.api import JobQuery, Store
from atlas.store.query import MAX_LIMIT

__all__ = [
    "create_model",
    "delete_model_tag",
    "finalize_model",
    "get_model",
    "log_model_params",
    "log_outputs",
    "search_models",
    "set_model_tags",
]

_MODEL_ID = re.compile(r"m-([0-9a-z]{16})-[0-9a-f]{8}")
_TAG_PREFIX = MODEL_TAG_PREFIX
_INDEX_TAG = MODEL_INDEX_TAG
_SEARCH_CLAUSE = re.compile(r"\s*(name|source_run_id)\s*=\s*'([^']*)'\s*", re.IGNORECASE)
_STATUSES = frozenset({"LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"})


def _run_of(model_id: str) -> str:
    match = _MODEL_ID.fullmatch(model_id)
    if match is None:
        raise MlflowError(DOES_NOT_EXIST, f"Logged model with ID '{shown(model_id)}' not found")
    return match.group(1)


def _record(store: Store, model_id: str) -> tuple[str, dict[str, object]]:
    run_id = _run_of(model_id)
    try:
        job = store.get_job(run_id)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Logged model with ID '{model_id}' not found") from None
    record = _parsed(job.tags.get(_TAG_PREFIX + model_id))
    if record is None:
        raise MlflowError(DOES_NOT_EXIST, f"Logged model with ID '{model_id}' not found")
    record["experiment_id"] = experiment_id(job.project)
    return run_id, record


def _parsed(text: str | None) -> dict[str, object] | None:
    """The record a model's tag holds; ``None`` for none, or for one that is not a record
    (written before clients were kept from setting these tags)."""
    try:
        record = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    for key in ("tags", "params"):
        pairs = record.get(key)
        if not isinstance(pairs, dict):
            record[key] = {}
        else:
            record[key] = {str(k): str(v) for k, v in pairs.items()}
    return record


def _save(store: Store, run_id: str, model_id: str, record: Mapping[str, object]) -> None:
    kept = {k: v for k, v in record.items() if k != "experiment_id"}
    text = json.dumps(kept, separators=(",", ":"))
    if len(text) > MAX_TAG_VALUE_LENGTH:  # tags and params that do not fit are left out
        kept = {k: v for k, v in kept.items() if k not in ("tags", "params")}
        text = json.dumps(kept, separators=(",", ":"))
    store.set_tags(run_id, {_TAG_PREFIX + model_id: text})


def _model_json(run_id: str, model_id: str, record: Mapping[str, object]) -> dict[str, object]:
    exp_id = str(record["experiment_id"])
    tags = record.get("tags")
    params = record.get("params")
    tags = tags if isinstance(tags, dict) else {}
    params = params if isinstance(params, dict) else {}
    info = {
        "model_id": model_id,
        "experiment_id": exp_id,
        "name": record.get("name", ""),
        "artifact_uri": f"mlflow-artifacts:/{exp_id}/{run_id}/artifacts/models/{model_id}",
        "creation_timestamp_ms": record.get("created", 0),
        "last_updated_timestamp_ms": record.get("updated", record.get("created", 0)),
        "model_type": record.get("type", ""),
        "source_run_id": run_id,
        "status": record.get("status", "LOGGED_MODEL_PENDING"),
        "tags": [{"key": k, "value": v} for k, v in sorted(tags.items())],
    }
    data = {"params": [{"key": k, "value": v} for k, v in sorted(params.items())], "metrics": []}
    return {"model": {"info": info, "data": data}}


def _pairs(body: Body, name: str) -> dict[str, str]:
    return {
        text_field(item, "key", required=True): str(item.get("value", ""))
        for item in items_field(body, name)
    }


def create_model(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``CreateLoggedModel`` (a pending model of its source run)."""
    run_id = text_field(body, "source_run_id")
    if not run_id:
        raise MlflowError(
            INVALID_VALUE, "Atlas keeps a logged model in its run: log it inside a run"
        )
    project = check_run(store, caller, run_id_of(body, "source_run_id"))
    exp_project = project_of(store, text_field(body, "experiment_id", default="0"))
    if project and exp_project != project:
        raise MlflowError(INVALID_VALUE, "the model's experiment is not its run's experiment")
    model_id = f"m-{run_id}-{secrets.token_hex(4)}"
    now = int(time.time() * 1000)
    record: dict[str, object] = {
        "name": text_field(body, "name") or "model",
        "type": text_field(body, "model_type"),
        "status": "LOGGED_MODEL_PENDING",
        "created": now,
        "tags": _pairs(body, "tags"),
        "params": _pairs(body, "params"),
    }
    try:
        known = store.get_job(run_id).tags.get(_INDEX_TAG, "").split()
        index = " ".join([*known, model_id])[-MAX_TAG_VALUE_LENGTH:].lstrip()
        store.set_tags(run_id, {_INDEX_TAG: index[index.find("m-") :]})
        _save(store, run_id, model_id, record)
    except NotFoundError:
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={run_id} not found") from None
    return get_model(store, caller, {"model_id": model_id})


def get_model(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetLoggedModel``."""
    model_id = text_field(body, "model_id", required=True)
    check_run(store, caller, _run_of(model_id))
    run_id, record = _record(store, model_id)
    return _model_json(run_id, model_id, record)


def _change(store: Store, caller: Caller, model_id: str, **changes: object) -> dict[str, object]:
    check_run(store, caller, _run_of(model_id))
    run_id, record = _record(store, model_id)
    for key, value in changes.items():
        if isinstance(value, dict):
            merged = dict(record.get(key) or {})  # type: ignore[call-overload]
            merged.update(value)
            record[key] = {k: v for k, v in merged.items() if v is not None}
        else:
            record[key] = value
    record["updated"] = int(time.time() * 1000)
    _save(store, run_id, model_id, record)
    return _model_json(run_id, model_id, record)


def finalize_model(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``FinalizeLoggedModel``: READY or UPLOAD_FAILED."""
    status = text_field(body, "status", required=True)
    if status not in _STATUSES:
        raise MlflowError(INVALID_VALUE, f"Invalid value {shown(status)!r} for parameter 'status'")
    return _change(store, caller, text_field(body, "model_id", required=True), status=status)


def set_model_tags(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``SetLoggedModelTags``."""
    _change(store, caller, text_field(body, "model_id", required=True), tags=_pairs(body, "tags"))
    return {}


def delete_model_tag(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``DeleteLoggedModelTag``."""
    key = text_field(body, "tag_key", required=True)
    _change(store, caller, text_field(body, "model_id", required=True), tags={key: None})
    return {}


def log_model_params(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogLoggedModelParams``."""
    params = _pairs(body, "params")
    _change(store, caller, text_field(body, "model_id", required=True), params=params)
    return {}


def log_outputs(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``LogOutputs``: a run's models are already known by their ids; accepted as is."""
    check_run(store, caller, run_id_of(body))
    return {}


def _search_terms(text: str) -> dict[str, str]:
    terms: dict[str, str] = {}
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE) if text.strip() else []:
        match = _SEARCH_CLAUSE.fullmatch(clause)
        if match is None:
            raise MlflowError(
                INVALID_VALUE,
                "Atlas searches logged models by name = '...' and source_run_id = '...' only",
            )
        terms[match.group(1).lower()] = match.group(2)
    return terms


def search_models(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``SearchLoggedModels`` of some experiments, by name and source run."""
    ids = body.get("experiment_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise MlflowError(INVALID_VALUE, "experiment_ids must be a list of experiment ids")
    terms = _search_terms(text_field(body, "filter"))
    found: list[dict[str, object]] = []
    for exp_id in dict.fromkeys(ids):
        project = project_of(store, exp_id)
        caller.require(project)
        query = JobQuery(filter=f"tags.`{_INDEX_TAG}` exists", limit=MAX_LIMIT)
        for job in store.list_jobs(project, query).items:
            if terms.get("source_run_id", job.id) != job.id:
                continue
            for model_id in job.tags.get(_INDEX_TAG, "").split():
                record = _parsed(job.tags.get(_TAG_PREFIX + model_id))
                if record is None or terms.get("name", record.get("name")) != record.get("name"):
                    continue
                record["experiment_id"] = exp_id
                found.append(_model_json(job.id, model_id, record))
    return {"models": [model["model"] for model in found]}
