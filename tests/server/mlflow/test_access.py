"""On a team server the MLflow routes take Atlas API tokens as Bearer tokens (what
``MLFLOW_TRACKING_TOKEN`` sends) and honour project roles: viewers read, editors write, and
a caller without credentials gets nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import Role
from tests.server.auth_fixtures import add_team, auth_client, bearer, store_of, team_db_url
from tests.server.conftest import TestClient
from tests.server.mlflow.test_errors import assert_mlflow_error

MLFLOW = "/api/2.0/mlflow"
PROXY = "/api/2.0/mlflow-artifacts/artifacts"

__all__ = ["team_db_url"]  # the fixture, imported for pytest


@pytest.fixture
def team(tmp_path: Path, team_db_url: str) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    """A team server with project ``vision`` (owner ``olga``, editor ``ed``, viewer ``vic``;
    ``out`` has no role), an MLflow run in it, and each user's token."""
    with auth_client(tmp_path / "home", team_db_url) as client:
        roles = {"olga": Role.OWNER, "ed": Role.EDITOR, "vic": Role.VIEWER, "out": None}
        tokens = add_team(store_of(client), "vision", roles)
        created = client.post(
            f"{MLFLOW}/runs/create", json={"experiment_id": "vision"}, headers=bearer(tokens["ed"])
        )
        assert created.status_code == 200, created.text
        yield client, tokens, str(created.json()["run"]["info"]["run_id"])


def test_without_credentials_nothing_is_answered(
    team: tuple[TestClient, dict[str, str], str],
) -> None:
    client, _, run_id = team
    response = client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id})
    assert_mlflow_error(response, 401, "UNAUTHENTICATED")
    response = client.post(f"{MLFLOW}/experiments/search", json={})
    assert_mlflow_error(response, 401, "UNAUTHENTICATED")


def test_a_viewer_reads_but_does_not_write(team: tuple[TestClient, dict[str, str], str]) -> None:
    client, tokens, run_id = team
    headers = bearer(tokens["vic"])
    assert client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id}, headers=headers).is_success
    searched = client.post(
        f"{MLFLOW}/runs/search", json={"experiment_ids": ["vision"]}, headers=headers
    )
    assert [r["info"]["run_id"] for r in searched.json()["runs"]] == [run_id]
    metric = {"run_id": run_id, "key": "loss", "value": 1, "timestamp": 1}
    response = client.post(f"{MLFLOW}/runs/log-metric", json=metric, headers=headers)
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    response = client.put(f"{PROXY}/vision/{run_id}/artifacts/a.txt", content=b"x", headers=headers)
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    response = client.post(
        f"{MLFLOW}/runs/create", json={"experiment_id": "vision"}, headers=headers
    )
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")


def test_an_editor_writes(team: tuple[TestClient, dict[str, str], str]) -> None:
    client, tokens, run_id = team
    headers = bearer(tokens["ed"])
    batch = {"run_id": run_id, "metrics": [{"key": "acc", "value": 0.5, "timestamp": 5}]}
    assert client.post(f"{MLFLOW}/runs/log-batch", json=batch, headers=headers).is_success
    upload = client.put(f"{PROXY}/vision/{run_id}/artifacts/a.txt", content=b"x", headers=headers)
    assert upload.is_success, upload.text
    listed = client.get(PROXY, params={"path": f"vision/{run_id}/artifacts"}, headers=headers)
    assert listed.json() == {"files": [{"path": "a.txt", "is_dir": False, "file_size": 1}]}
    job = store_of(client).get_job(run_id)
    assert job.metrics["acc"].last == 0.5
    assert job.user == "ed"


def test_an_outsider_sees_no_experiment_and_no_run(
    team: tuple[TestClient, dict[str, str], str],
) -> None:
    client, tokens, run_id = team
    headers = bearer(tokens["out"])
    found = client.post(f"{MLFLOW}/experiments/search", json={}, headers=headers)
    assert found.json()["experiments"] == []
    response = client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id}, headers=headers)
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    response = client.get(
        f"{MLFLOW}/experiments/get", params={"experiment_id": "vision"}, headers=headers
    )
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")


def test_only_an_owner_renames_an_experiment(
    team: tuple[TestClient, dict[str, str], str],
) -> None:
    client, tokens, _ = team
    body = {"experiment_id": "vision", "new_name": "vision-2"}
    response = client.post(f"{MLFLOW}/experiments/update", json=body, headers=bearer(tokens["ed"]))
    assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    response = client.post(
        f"{MLFLOW}/experiments/update", json=body, headers=bearer(tokens["olga"])
    )
    assert response.is_success, response.text
    assert store_of(client).get_project("vision-2").name == "vision-2"


def test_the_default_experiment_is_made_by_its_first_user(
    team: tuple[TestClient, dict[str, str], str],
) -> None:
    client, tokens, _ = team
    created = client.post(
        f"{MLFLOW}/runs/create", json={"experiment_id": "0"}, headers=bearer(tokens["ed"])
    )
    assert created.is_success, created.text
    members = store_of(client).list_members("Default")
    assert [(m.user, m.role) for m in members] == [("ed", Role.OWNER)]
    response = client.get(
        f"{MLFLOW}/experiments/get", params={"experiment_id": "0"}, headers=bearer(tokens["vic"])
    )
    message = assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    assert "mlflow.set_experiment(" in message
    response = client.post(
        f"{MLFLOW}/runs/create", json={"experiment_id": "0"}, headers=bearer(tokens["olga"])
    )
    message = assert_mlflow_error(response, 403, "PERMISSION_DENIED")
    assert "mlflow.set_experiment(" in message
