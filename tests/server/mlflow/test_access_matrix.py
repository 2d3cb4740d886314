"""Every MLflow route answers every principal of the role matrix as its access declaration
says (tests/server/test_access_matrix.py walks the /api/v1 routes; this walks the MLflow
ones, which are left out of the OpenAPI schema and answer errors in MLflow's shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from atlas.server.auth.access import api_routes
from tests.server.auth_fixtures import bearer, team_db_url
from tests.server.test_access_matrix import CALLERS, P, World, expected, world

__all__ = ["team_db_url", "world"]  # the fixtures, imported for pytest

pytestmark = pytest.mark.postgres

MLFLOW = "/api/2.0/mlflow"
PREFIXES = ("/api/2.0/", "/ajax-api/2.0/")
CODES = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED"}

Sample = Callable[[World, dict[str, str]], dict[str, Any]]
"""The request's ``json``/``params``/``content`` and path values, given the world and its
MLflow things (``model``)."""


def _run(world: World, things: dict[str, str]) -> dict[str, Any]:
    return {"json": {"run_id": world.job_j}}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/experiments/create"): lambda w, t: {"json": {"name": f"mlflow-{len(t)}-x"}},
    ("POST", "/experiments/search"): lambda w, t: {"json": {}},
    ("GET", "/experiments/search"): lambda w, t: {},
    ("GET", "/experiments/get"): lambda w, t: {"params": {"experiment_id": P}},
    ("GET", "/experiments/get-by-name"): lambda w, t: {"params": {"experiment_name": P}},
    ("POST", "/experiments/update"): lambda w, t: {
        "json": {"experiment_id": w.copy_of_p(), "new_name": f"renamed-{len(t)}"}
    },
    ("POST", "/runs/create"): lambda w, t: {"json": {"experiment_id": P}},
    ("GET", "/runs/get"): lambda w, t: {"params": {"run_id": w.job_j}},
    ("POST", "/runs/update"): lambda w, t: {"json": {"run_id": w.job_j, "run_name": "r"}},
    ("POST", "/runs/delete"): lambda w, t: {"json": {"run_id": w.job_in_p()}},
    ("POST", "/runs/search"): lambda w, t: {"json": {"experiment_ids": [P]}},
    ("POST", "/runs/log-metric"): lambda w, t: {
        "json": {"run_id": w.job_j, "key": "m", "value": 1, "timestamp": 1}
    },
    ("POST", "/runs/log-parameter"): lambda w, t: {
        "json": {"run_id": w.job_j, "key": "p", "value": "1"}
    },
    ("POST", "/runs/log-batch"): lambda w, t: {
        "json": {"run_id": w.job_j, "tags": [{"key": "t", "value": "v"}]}
    },
    ("POST", "/runs/set-tag"): lambda w, t: {"json": {"run_id": w.job_j, "key": "t", "value": "v"}},
    ("POST", "/runs/delete-tag"): lambda w, t: {"json": {"run_id": w.job_j, "key": "stage"}},
    ("POST", "/runs/log-inputs"): _run,
    ("POST", "/runs/outputs"): _run,
    ("GET", "/metrics/get-history"): lambda w, t: {
        "params": {"run_id": w.job_j, "metric_key": "lr"}
    },
    ("GET", "/metrics/get-history-bulk-interval"): lambda w, t: {
        "params": {"run_ids": [w.job_j], "metric_key": "lr"}
    },
    ("POST", "/logged-models"): lambda w, t: {
        "json": {"experiment_id": P, "source_run_id": w.job_j, "name": "m"}
    },
    ("POST", "/logged-models/search"): lambda w, t: {"json": {"experiment_ids": [P]}},
    ("GET", "/logged-models/{model_id}"): lambda w, t: {},
    ("PATCH", "/logged-models/{model_id}"): lambda w, t: {"json": {"status": "LOGGED_MODEL_READY"}},
    ("PATCH", "/logged-models/{model_id}/tags"): lambda w, t: {
        "json": {"tags": [{"key": "k", "value": "v"}]}
    },
    ("DELETE", "/logged-models/{model_id}/tags/{tag_key}"): lambda w, t: {},
    ("POST", "/logged-models/{model_id}/params"): lambda w, t: {
        "json": {"params": [{"key": "k", "value": "v"}]}
    },
    ("GET", "/mlflow-artifacts/artifacts"): lambda w, t: {
        "params": {"path": f"{P}/{w.job_j}/artifacts"}
    },
    ("GET", "/mlflow-artifacts/artifacts/{path}"): lambda w, t: {
        "path": {"path": f"{P}/{w.job_j}/artifacts/a.txt"}
    },
    ("POST", "/mlflow-artifacts/mpu/create"): lambda w, t: {},
    ("POST", "/mlflow-artifacts/mpu/create/{path}"): lambda w, t: {"path": {"path": "x/y"}},
    ("PUT", "/mlflow-artifacts/artifacts/{path}"): lambda w, t: {
        "path": {"path": f"{P}/{w.job_j}/artifacts/b.txt"},
        "content": b"abc",
    },
}


def _key(method: str, template: str) -> tuple[str, str]:
    for prefix in (f"{MLFLOW}/", "/ajax-api/2.0/mlflow/", "/api/2.0/"):
        if template.startswith(prefix):
            return method, template[len(prefix) - 1 :]
    raise AssertionError(template)


def operations(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    app = world.client.app
    assert isinstance(app, FastAPI)
    found = []
    for template, methods, declaration in api_routes(app):
        if template.startswith(PREFIXES):
            assert declaration is not None, template
            found += [(method, template, declaration.openapi()) for method in sorted(methods)]
    return found


def test_every_mlflow_route_answers_every_principal_as_declared(world: World) -> None:
    client = world.client
    made = world.as_admin(
        "POST",
        f"{MLFLOW}/logged-models",
        json={"experiment_id": P, "source_run_id": world.job_j, "name": "m"},
    )
    things = {"model": str(made["model"]["info"]["model_id"])}
    problems: list[str] = []
    walked = operations(world)
    assert len(walked) > 50
    for method, template, access in walked:
        sample = SAMPLES.get(_key(method, template))
        assert sample is not None, f"add a sample request for {method} {template}"
        for caller in CALLERS:
            kwargs = sample(world, things)
            things[f"{len(things)}"] = ""  # a fresh name for every creation
            values = {"model_id": things["model"], "tag_key": "k", **kwargs.pop("path", {})}
            url = template
            for name, value in values.items():
                url = url.replace("{" + name + "}", value)
            client.cookies.clear()
            response = client.request(method, url, headers=caller.headers(world), **kwargs)
            status = response.status_code
            what = f"{method} {template} as {caller.name}: {status} {response.text[:200]}"
            want = expected(caller, method, template, access)
            if status >= 500:
                problems.append(f"SERVER ERROR {what}")
            elif want is None and status in (401, 403):
                problems.append(f"WRONGLY REFUSED {what}")
            elif want is not None and status != want:
                problems.append(f"LEAK {what} (expected {want})")
            elif want is not None and response.json().get("error_code") != CODES[want]:
                problems.append(f"SHAPE {what} (expected {CODES[want]})")
    assert not problems, "\n".join(problems)


def test_a_job_token_reads_its_own_run(world: World) -> None:
    response = world.client.get(
        f"{MLFLOW}/runs/get", params={"run_id": world.job_j}, headers=bearer(world.tokens["job J"])
    )
    assert response.status_code == 200, response.text
