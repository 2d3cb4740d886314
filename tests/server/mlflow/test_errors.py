"""Bad input on the MLflow API answers MLflow's error shape with a 4xx, never a 500: the
MLflow client reads ``error_code`` to raise its own exceptions."""

from __future__ import annotations

import pytest

from atlas.domain import JobError, JobKind, JobStatus
from tests.server.conftest import TestClient

MLFLOW = "/api/2.0/mlflow"


def assert_mlflow_error(response: object, status: int, code: str) -> str:
    """Assert ``response`` is MLflow's error ``code`` with ``status``; return its message."""
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error_code", "message"}, body
    assert body["error_code"] == code, body
    assert body["message"]
    return str(body["message"])


def new_run(client: TestClient, experiment: str = "0") -> str:
    response = client.post(f"{MLFLOW}/runs/create", json={"experiment_id": experiment})
    assert response.status_code == 200, response.text
    return str(response.json()["run"]["info"]["run_id"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{MLFLOW}/no/such/endpoint"),
        ("POST", f"{MLFLOW}/registered-models/create"),
        ("POST", f"{MLFLOW}/experiments/delete"),
        ("DELETE", f"{MLFLOW}/runs/create"),
        ("GET", "/ajax-api/2.0/mlflow/traces"),
    ],
)
def test_an_unsupported_endpoint_is_endpoint_not_found(
    client: TestClient, method: str, path: str
) -> None:
    message = assert_mlflow_error(client.request(method, path), 404, "ENDPOINT_NOT_FOUND")
    assert "not supported" in message


def test_atlas_routes_keep_their_own_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/no/such/route")
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/runs/get", {"run_id": "not-a-run"}),
        ("/runs/get", {"run_id": "0123456789abcdef"}),
        ("/metrics/get-history", {"run_id": "0123456789abcdef", "metric_key": "loss"}),
        ("/experiments/get", {"experiment_id": "no-such-experiment"}),
        ("/experiments/get-by-name", {"experiment_name": "nobody"}),
        ("/logged-models/m-nope", {}),
    ],
)
def test_unknown_things_are_resource_does_not_exist(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(MLFLOW + path, params=params)
    assert_mlflow_error(response, 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    "body",
    [
        {"run_id": "0123456789abcdef", "key": "loss", "value": 1, "timestamp": 1},
        {"run_id": "0123456789abcdef", "metrics": [], "params": [{"key": "a", "value": "1"}]},
    ],
)
def test_writes_to_an_unknown_run_are_resource_does_not_exist(
    client: TestClient, body: dict[str, object]
) -> None:
    path = "/runs/log-metric" if "key" in body else "/runs/log-batch"
    assert_mlflow_error(client.post(MLFLOW + path, json=body), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/runs/log-metric", {"key": "loss", "value": "high", "timestamp": 1}),
        ("/runs/log-metric", {"key": "loss", "value": 1}),
        ("/runs/log-metric", {"value": 1, "timestamp": 1}),
        ("/runs/log-metric", {"key": "loss", "value": 1, "timestamp": 1, "step": "x"}),
        ("/runs/log-batch", {"metrics": {"key": "loss"}}),
        ("/runs/log-batch", {"params": [{"key": "", "value": "1"}]}),
        ("/runs/log-batch", {"tags": [{"key": "t", "value": "x" * 600}]}),
        ("/runs/update", {"status": "EXPLODED"}),
        ("/runs/set-tag", {"key": "bad\x00key", "value": "v"}),
        ("/runs/update", {"end_time": 9 * 10**18}),
        ("/runs/update", {"status": "FINISHED", "end_time": "-99999999999999999"}),
        ("/runs/log-metric", {"key": "loss", "value": 10**400, "timestamp": 1}),
        ("/runs/log-batch", {"metrics": [{"key": "a", "value": -(10**400), "timestamp": 1}]}),
        ("/runs/set-tag", {"key": "mlflow.models", "value": "m-x"}),
        ("/runs/set-tag", {"key": "mlflow.model.m-0123456789abcdef-00000000", "value": "[1]"}),
        ("/runs/log-batch", {"tags": [{"key": "mlflow.model.m-1", "value": "{}"}]}),
        ("/runs/delete-tag", {"key": "mlflow.models"}),
    ],
)
def test_bad_values_are_invalid_parameter_value(
    client: TestClient, path: str, body: dict[str, object]
) -> None:
    run_id = new_run(client)
    response = client.post(MLFLOW + path, json={"run_id": run_id, **body})
    assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")


def test_a_start_time_past_the_years_datetimes_hold_is_refused(client: TestClient) -> None:
    body = {"experiment_id": "0", "start_time": 9 * 10**15}
    response = client.post(f"{MLFLOW}/runs/create", json=body)
    message = assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert "start_time" in message


@pytest.mark.parametrize(
    "content", [b"{not json", b"[1, 2]", b'"text"', b"[" * 100_000 + b"]" * 100_000]
)
def test_a_body_that_is_not_a_json_object_is_refused(client: TestClient, content: bytes) -> None:
    response = client.post(f"{MLFLOW}/runs/create", content=content)
    assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize(
    "filter_text",
    [
        "metrics.loss >",
        "metrics.loss < 1 OR params.a = '1'",
        "datasets.name = 'x'",
        "metrics.loss < 'low'",
        "attributes.status = 'EXPLODED'",
        "attributes.artifact_uri = 'x'",
        "params.a IN ('1'",
        "tags.a LIKE",
        "tags.a ILIKE",
        "attributes.start_time > 1e30",
        "attributes.end_time < -1e300",
    ],
)
def test_a_filter_atlas_cannot_run_is_invalid_parameter_value(
    client: TestClient, filter_text: str
) -> None:
    body = {"experiment_ids": ["0"], "filter": filter_text}
    response = client.post(f"{MLFLOW}/runs/search", json=body)
    assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")


def test_creating_an_experiment_twice_is_resource_already_exists(client: TestClient) -> None:
    assert client.post(f"{MLFLOW}/experiments/create", json={"name": "twice"}).status_code == 200
    response = client.post(f"{MLFLOW}/experiments/create", json={"name": "twice"})
    assert_mlflow_error(response, 400, "RESOURCE_ALREADY_EXISTS")


def test_an_experiment_name_atlas_cannot_hold_is_refused(client: TestClient) -> None:
    response = client.post(f"{MLFLOW}/experiments/create", json={"name": "/Users/ana/exp"})
    message = assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert "'/'" in message


def test_an_artifact_path_outside_a_run_is_refused(client: TestClient) -> None:
    proxy = "/api/2.0/mlflow-artifacts/artifacts"
    response = client.put(f"{proxy}/0/not-a-run/artifacts/a.txt", content=b"x")
    assert_mlflow_error(response, 404, "RESOURCE_DOES_NOT_EXIST")
    run_id = new_run(client)
    response = client.put(f"{proxy}/0/{run_id}/artifacts/../escape.txt", content=b"x")
    assert response.status_code in (400, 404), response.text
    assert "error_code" in response.json()


def test_mlflow_runs_are_never_marked_lost(client: TestClient) -> None:
    """The MLflow client sends no heartbeats: a quiet run stays running."""
    run_id = new_run(client)
    store = client.app.state.store  # type: ignore[attr-defined]
    from datetime import UTC, datetime, timedelta

    lost = store.mark_silent_lost(
        before=datetime.now(UTC) + timedelta(days=1), error=JobError("Lost", "silent")
    )
    assert run_id not in lost
    job = store.get_job(run_id)
    assert (job.kind, job.status) == (JobKind.MLFLOW, JobStatus.RUNNING)


def test_an_ended_run_is_not_reopened(client: TestClient) -> None:
    run_id = new_run(client)
    ended = client.post(f"{MLFLOW}/runs/update", json={"run_id": run_id, "status": "FINISHED"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["run_info"]["status"] == "FINISHED"
    response = client.post(f"{MLFLOW}/runs/update", json={"run_id": run_id, "status": "RUNNING"})
    message = assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert "start a new one" in message


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/metrics/get-history", {"metric_key": "loss", "max_results": "-1"}),
        ("/metrics/get-history", {"metric_key": "loss", "page_token": "-3"}),
        ("/metrics/get-history", {"metric_key": "loss", "page_token": "x"}),
        ("/experiments/search", {"max_results": "-1"}),
        ("/experiments/search", {"page_token": "-1"}),
        ("/experiments/search", {"order_by": "attributes.owner"}),
    ],
)
def test_a_negative_page_or_size_is_refused(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(MLFLOW + path, params={"run_id": new_run(client), **params})
    assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")


def test_a_models_record_a_client_could_not_write_reads_as_no_model(client: TestClient) -> None:
    """Records written before clients were kept from the models' tags (or by hand) are
    never a 500: a record that is not one is no model."""
    run_id = new_run(client)
    model_id = f"m-{run_id}-0123abcd"
    store = client.app.state.store  # type: ignore[attr-defined]
    store.set_tags(run_id, {"mlflow.models": model_id, f"mlflow.model.{model_id}": "[1]"})
    response = client.get(f"{MLFLOW}/logged-models/{model_id}")
    assert_mlflow_error(response, 404, "RESOURCE_DOES_NOT_EXIST")
    store.set_tags(run_id, {f"mlflow.model.{model_id}": '{"tags": [1], "params": "x"}'})
    found = client.get(f"{MLFLOW}/logged-models/{model_id}")
    assert found.status_code == 200, found.text
    assert found.json()["model"]["info"]["tags"] == []
    searched = client.post(f"{MLFLOW}/logged-models/search", json={"experiment_ids": ["0"]})
    assert searched.status_code == 200, searched.text
    assert [m["info"]["model_id"] for m in searched.json()["models"]] == [model_id]


def test_an_unexpected_failure_answers_mlflows_internal_error(client: TestClient) -> None:
    """A bug (here: a route that fails) is a 500 in MLflow's shape on the MLflow paths, with
    no detail of the failure, and in Atlas's shape elsewhere."""
    app = client.app

    async def fail() -> None:
        raise RuntimeError("the disk caught fire")

    for path in (f"{MLFLOW}/runs/fail", "/api/v1/fail"):
        app.add_api_route(path, fail)  # type: ignore[attr-defined]
    broken = TestClient(app, base_url=str(client.base_url), raise_server_exceptions=False)
    response = broken.get(f"{MLFLOW}/runs/fail")
    message = assert_mlflow_error(response, 500, "INTERNAL_ERROR")
    assert "fire" not in message
    atlas = broken.get("/api/v1/fail")
    assert atlas.status_code == 500
    assert atlas.json()["error"]["code"] == "internal"
