"""MLflow experiments as Atlas projects: find, create, rename, list (see ``wire`` for ids).

Every function runs on a worker thread (it may block on the store) and checks the caller's
role in the project it touches through ``caller.require``, as the route's declaration asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from atlas.domain import Project
from atlas.errors import ConflictError, NotFoundError, PermissionDeniedError
from atlas.names import is_project_name, shown
from atlas.server.auth.access import Caller
from atlas.server.mlflow.errors import (
    ALREADY_EXISTS,
    DOES_NOT_EXIST,
    INVALID_VALUE,
    PERMISSION_DENIED,
    MlflowError,
)
from atlas.server.mlflow.requests import Body, count_field, text_field
from atlas.server.mlflow.wire import (
    DEFAULT_EXPERIMENT,
    DEFAULT_PROJECT,
    experiment_id,
    experiment_json,
    hashed_id,
)
from atlas.store.api import Store

__all__ = [
    "create_experiment",
    "get_experiment",
    "get_experiment_by_name",
    "project_of",
    "require_experiment",
    "rename_experiment",
    "search_experiments",
]

_NAME_FILTER = re.compile(
    r"\s*(?:attributes?\.)?name\s*(=|!=|LIKE|ILIKE)\s*'((?:[^'\\]|\\.)*)'\s*", re.IGNORECASE
)


def project_of(store: Store, exp_id: str) -> str:
    """The name of the project of experiment ``exp_id``; ``RESOURCE_DOES_NOT_EXIST`` when
    none has it (experiment ``0`` is always the project ``Default``, see
    :func:`require_experiment`)."""
    if exp_id == DEFAULT_EXPERIMENT:
        return DEFAULT_PROJECT
    if is_project_name(exp_id):
        try:
            return store.get_project(exp_id).name
        except NotFoundError:
            pass
    if re.fullmatch(r"x[0-9a-f]{16}", exp_id):
        for project in store.list_projects():
            if hashed_id(project.name) == exp_id:
                return project.name
    raise MlflowError(DOES_NOT_EXIST, f"No Experiment with id={shown(exp_id)} exists")


def require_experiment(store: Store, caller: Caller, exp_id: str) -> str:
    """The project of experiment ``exp_id`` after checking the caller's role in it. The
    project ``Default`` of experiment ``0`` is made at its first use: by a person on a team
    server (its owner then: others are told to name their experiment), by anyone without
    authentication."""
    project = project_of(store, exp_id)
    if project != DEFAULT_PROJECT:
        caller.require(project)
    elif caller.auth:
        try:
            caller.require(project, create=True)
        except PermissionDeniedError as exc:
            raise MlflowError(PERMISSION_DENIED, f"{exc.message}. {_NAME_YOURS}") from None
    else:
        store.ensure_project(project)
        caller.require(project)
    return project


_NAME_YOURS = (
    "On a team server the Default experiment (id 0) is the project 'Default', which belongs "
    "to whoever used it first: name your experiment before starting a run, with "
    "mlflow.set_experiment('<name>') or MLFLOW_EXPERIMENT_NAME=<name> (a project you own "
    "or edit), or ask the owner of 'Default' for a role in it"
)


def _experiment_id_of(body: Body) -> str:
    return text_field(body, "experiment_id", required=True)


def get_experiment(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetExperiment``."""
    project = require_experiment(store, caller, _experiment_id_of(body))
    return {"experiment": experiment_json(store.get_project(project))}


def get_experiment_by_name(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``GetExperimentByName``."""
    name = text_field(body, "experiment_name", required=True)
    if name == DEFAULT_PROJECT:
        require_experiment(store, caller, DEFAULT_EXPERIMENT)
    try:
        project = store.get_project(name) if is_project_name(name) else None
    except NotFoundError:
        project = None
    if project is None:
        raise MlflowError(DOES_NOT_EXIST, f"Could not find experiment with name '{shown(name)}'")
    caller.require(project.name)
    return {"experiment": experiment_json(project)}


def create_experiment(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``CreateExperiment``: a new project (its creator its owner on a team server; a
    person's call, as ``POST /api/v1/projects`` is)."""
    name = text_field(body, "name", required=True)
    if not is_project_name(name):
        raise MlflowError(
            INVALID_VALUE,
            f"'{shown(name)}' cannot name an Atlas project: use letters, digits, spaces, '_', "
            "'-' and '.' (no '/'), at most 200 characters",
        )
    try:
        store.get_project(name)
    except NotFoundError:
        pass
    else:
        raise MlflowError(ALREADY_EXISTS, f"Experiment '{name}' already exists.")
    if caller.auth:
        caller.require(name, create=True)
    else:
        caller.require(name)
        try:
            store.create_project(name)
        except ConflictError:
            raise MlflowError(ALREADY_EXISTS, f"Experiment '{name}' already exists.") from None
    return {"experiment_id": experiment_json(store.get_project(name))["experiment_id"]}


def rename_experiment(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``UpdateExperiment``: rename the project (its experiment id follows the name)."""
    project = project_of(store, _experiment_id_of(body))
    new_name = text_field(body, "new_name", required=True)
    if not is_project_name(new_name):
        raise MlflowError(INVALID_VALUE, f"'{shown(new_name)}' cannot name an Atlas project")
    caller.require(project)
    try:
        store.rename_project(project, new_name)
    except ConflictError:
        raise MlflowError(ALREADY_EXISTS, f"Experiment '{new_name}' already exists.") from None
    return {}


def _name_matches(name: str, text: str) -> bool:
    if not text.strip():
        return True
    match = _NAME_FILTER.fullmatch(text)
    if match is None:
        raise MlflowError(
            INVALID_VALUE, "Atlas filters experiments by name only: name = 'x' or name LIKE 'x%'"
        )
    op, value = match.group(1).upper(), re.sub(r"\\(.)", r"\1", match.group(2))
    if op in ("=", "!="):
        return (name == value) == (op == "=")
    parts = [".*" if c == "%" else "." if c == "_" else re.escape(c) for c in value]
    flags = re.IGNORECASE if op == "ILIKE" else 0
    return re.fullmatch("".join(parts), name, flags) is not None


_ORDER_KEYS: dict[str, Callable[[Project], str | datetime]] = {
    "name": lambda project: project.name,
    "experiment_id": lambda project: experiment_id(project.name),
    "creation_time": lambda project: project.created_at,
    "last_update_time": lambda project: project.last_activity or project.created_at,
}


def _ordered(projects: list[Project], order_by: object) -> list[Project]:
    """``projects`` (most recently active first) in the order of MLflow's ``order_by``
    clauses (``name``, ``experiment_id``, ``creation_time``, ``last_update_time``, each
    ``ASC`` or ``DESC``; ``attributes.`` before them optional)."""
    clauses = order_by if isinstance(order_by, list) else [order_by] if order_by else []
    for clause in reversed(clauses):  # stable sorts: the first clause decides first
        words = str(clause).split()
        direction = words[1].upper() if len(words) == 2 else "ASC"
        key = words[0].removeprefix("attributes.") if words else ""
        if key not in _ORDER_KEYS or len(words) > 2 or direction not in ("ASC", "DESC"):
            raise MlflowError(
                INVALID_VALUE,
                f"Invalid order_by clause {shown(str(clause))!r}: Atlas orders experiments by "
                f"{', '.join(_ORDER_KEYS)}, each ASC or DESC",
            )
        projects = sorted(projects, key=_ORDER_KEYS[key], reverse=direction == "DESC")
    return projects


def search_experiments(store: Store, caller: Caller, body: Body) -> dict[str, object]:
    """``SearchExperiments``: the projects the caller reads, filtered by name, most recently
    active first or in ``order_by``'s order; ``page_token`` is an offset."""
    max_results = count_field(body, "max_results", least=1, default=1000) or 1000
    offset = count_field(body, "page_token", default=0) or 0
    if text_field(body, "view_type") == "DELETED_ONLY":
        return {"experiments": []}
    readable = caller.readable()
    wanted = text_field(body, "filter")
    projects = _ordered(
        [
            p
            for p in store.list_projects()
            if (readable is None or p.name in readable) and _name_matches(p.name, wanted)
        ],
        body.get("order_by"),
    )
    page = projects[offset : offset + max_results]
    answer: dict[str, object] = {"experiments": [experiment_json(p) for p in page]}
    if offset + max_results < len(projects):
        answer["next_page_token"] = str(offset + max_results)
    return answer
