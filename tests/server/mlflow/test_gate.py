"""The MLflow routes are reached first through their prefix gate, and still listed where
the app's routes are listed (access declarations, ``HEAD``)."""

from __future__ import annotations

from fastapi import FastAPI

from atlas.server.auth.access import api_routes
from atlas.server.mlflow.gate import PrefixGate
from tests.server.conftest import TestClient

MLFLOW = "/api/2.0/mlflow"


def test_the_gate_comes_first_and_the_routes_stay_listed(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    assert isinstance(app.router.routes[0], PrefixGate)
    paths = {path for path, _, _ in api_routes(app)}
    assert f"{MLFLOW}/runs/log-metric" in paths
    assert "/ajax-api/2.0/mlflow/runs/log-metric" in paths


def test_urls_are_still_named_past_the_gate(client: TestClient) -> None:
    """A route that builds a URL from a route's name (the SSO login its callback's) finds
    it behind the gate."""
    app = client.app
    assert isinstance(app, FastAPI)
    assert app.url_path_for("oidc_callback") == "/api/v1/auth/oidc/callback"


def test_a_write_through_the_gate_is_stored(client: TestClient) -> None:
    created = client.post(f"{MLFLOW}/runs/create", json={"experiment_id": "0"})
    run_id = created.json()["run"]["info"]["run_id"]
    point = {"run_id": run_id, "key": "loss", "value": 0.5, "timestamp": 1, "step": 3}
    assert client.post(f"{MLFLOW}/runs/log-metric", json=point).json() == {}
    history = client.get(
        f"{MLFLOW}/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"}
    )
    assert [(m["step"], m["value"]) for m in history.json()["metrics"]] == [(3, 0.5)]


def test_a_method_a_route_does_not_take_is_answered_as_before(client: TestClient) -> None:
    response = client.get(f"{MLFLOW}/runs/log-metric")
    assert response.status_code in (404, 405)
    assert set(response.json()) == {"error_code", "message"}


def test_other_paths_pass_the_gate(client: TestClient) -> None:
    assert client.get("/api/v1/projects").status_code == 200
    assert client.get("/api/2.0/mlflowish").status_code == 404
