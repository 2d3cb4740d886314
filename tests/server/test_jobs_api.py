"""``/api/v1/jobs``: jobs, status changes, params and tags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from tests.server.conftest import API, TestClient, assert_error

ID = "0123456789abcdef"


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def test_a_local_job_is_created_running_in_a_new_project(client: TestClient) -> None:
    body = {
        "project": "vision",
        "name": "resnet",
        "user": "ana",
        "command": "python train.py",
        "params": {"lr": 0.01, "layers": [64, 128], "opt": {"name": "adam"}, "flag": None},
        "tags": {"stage": "dev"},
        "git": {"commit": "abc", "dirty": False},
        "environment": {"python": "3.11"},
    }
    response = client.post(f"{API}/jobs", json=body)
    assert response.status_code == 201
    job = response.json()
    assert len(job["id"]) == 16
    assert job["status"] == "running"
    assert job["kind"] == "local"
    for key in ("project", "name", "user", "command", "params", "tags", "git", "environment"):
        assert job[key] == body[key], key
    assert job["started_at"] is not None
    assert job["finished_at"] is None
    assert isinstance(job["duration"], float)
    assert job["created_at"].endswith("Z")
    datetime.fromisoformat(job["created_at"])
    assert client.get(f"{API}/projects/vision").json()["job_counts"] == {"running": 1}
    assert client.get(f"{API}/jobs/{job['id']}").json()["params"] == body["params"]


def test_values_nested_32_deep_are_kept(client: TestClient) -> None:
    body = {"project": "p", "params": {"deep": nested(31)}, "git": {"deep": nested(31)}}
    job = client.post(f"{API}/jobs", json=body).json()
    assert job["params"]["deep"] == nested(31)
    assert job["git"]["deep"] == nested(31)


def test_a_scheduled_job_starts_queued(client: TestClient) -> None:
    job = client.post(f"{API}/jobs", json={"project": "p", "kind": "scheduled"}).json()
    assert job["status"] == "queued"
    assert job["started_at"] is None
    assert job["duration"] is None


def test_a_client_may_choose_the_id_once(client: TestClient) -> None:
    made = client.post(f"{API}/jobs", json={"project": "p", "id": ID})
    assert made.status_code == 201
    assert made.json()["id"] == ID
    again = client.post(f"{API}/jobs", json={"project": "p", "id": ID})
    assert_error(again, 409, "conflict")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"project": ""},
        {"project": "p", "id": "short"},
        {"project": "p", "id": "0123456789ABCDEF"},
        {"project": "p", "kind": "batch"},
        {"project": "p", "name": 5},
        {"project": "p", "name": "x" * 501},
        {"project": "p", "user": "x" * 201},
        {"project": "p", "command": "x" * 100_001},
        {"project": "p", "params": []},
        {"project": "p", "params": {"": 1}},
        {"project": "p", "params": {"k" * 251: 1}},
        {"project": "p", "params": {"a\tb": 1}},
        {"project": "p", "params": {"x": "a" * 70_000}},
        {"project": "p", "tags": {"stage": 3}},
        {"project": "p", "tags": {"stage": "x" * 10_001}},
        {"project": "p", "git": []},
        {"project": "p", "environment": {"x": "\u0000"}},
        {"project": "p", "environment": {"blob": "x" * 1_000_001}},
        {"project": "p", "priority": 2**31},
        {"project": "p", "priority": "high"},
        {"project": "p", "parent_id": "nope"},
        {"project": "p", "status": "completed"},
        {"project": "p", "params": {"deep": nested(33)}},
        {"project": "p", "git": {"deep": nested(33)}},
        {"project": "p", "environment": {"deep": nested(500)}},
    ],
)
def test_bad_job_bodies_are_invalid_input(client: TestClient, body: dict[str, object]) -> None:
    response = client.post(f"{API}/jobs", json=body)
    error = assert_error(response, 422, "invalid_input")
    assert error["detail"]["errors"]  # type: ignore[index]
    assert client.get(f"{API}/projects").json()["items"] == []  # nothing half-written


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_params_are_refused(client: TestClient, literal: bytes) -> None:
    raw = b'{"project": "p", "params": {"lr": ' + literal + b"}}"
    response = client.post(f"{API}/jobs", content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 422, "invalid_input")


def test_unknown_and_malformed_ids_are_not_found(client: TestClient) -> None:
    for job_id in (ID, "x", "%00", "../../etc", "0123456789ABCDEF", "z" * 5000):
        for method in ("GET", "DELETE"):
            assert_error(client.request(method, f"{API}/jobs/{job_id}"), 404, "not_found")
    assert_error(client.patch(f"{API}/jobs/{ID}", json={"name": "x"}), 404, "not_found")
    assert_error(client.put(f"{API}/jobs/{ID}/params", json={"params": {}}), 404, "not_found")
    assert_error(client.put(f"{API}/jobs/{ID}/tags", json={"tags": {}}), 404, "not_found")


def test_status_follows_the_transition_table(client: TestClient, job_id: str) -> None:
    error = {"type": "ValueError", "message": "bad", "traceback": "Traceback ..."}
    done = client.patch(
        f"{API}/jobs/{job_id}", json={"status": "failed", "exit_code": 1, "error": error}
    )
    assert done.status_code == 200
    job = done.json()
    assert job["status"] == "failed"
    assert job["exit_code"] == 1
    assert job["error"] == error
    assert job["finished_at"] is not None
    assert job["duration"] >= 0
    back = client.patch(f"{API}/jobs/{job_id}", json={"status": "running"})
    detail = assert_error(back, 409, "invalid_transition")["detail"]
    assert detail == {"job_id": job_id, "from": "failed", "to": "running"}


def test_rename_a_job(client: TestClient, job_id: str) -> None:
    assert client.patch(f"{API}/jobs/{job_id}", json={"name": "best"}).json()["name"] == "best"
    assert client.patch(f"{API}/jobs/{job_id}", json={}).json()["name"] == "best"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "exploded"},
        {"exit_code": "one"},
        {"exit_code": 2**40},
        {"error": {"message": "no type"}},
        {"error": "boom"},
        {"name": "x" * 501},
        {"id": "0123456789abcdef"},
    ],
)
def test_bad_updates_are_invalid_input(
    client: TestClient, job_id: str, body: dict[str, object]
) -> None:
    assert_error(client.patch(f"{API}/jobs/{job_id}", json=body), 422, "invalid_input")


def test_delete_removes_the_job_and_its_files(client: TestClient, job_id: str) -> None:
    client.put(f"{API}/jobs/{job_id}/artifacts/model.pt", content=b"weights")
    folder = client.app.state.settings.home_path / "artifacts" / "jobs" / job_id  # type: ignore[attr-defined]
    assert folder.is_dir()
    response = client.delete(f"{API}/jobs/{job_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert not folder.exists()
    assert_error(client.get(f"{API}/jobs/{job_id}"), 404, "not_found")
    assert_error(client.delete(f"{API}/jobs/{job_id}"), 404, "not_found")


def test_params_merge_and_delete(client: TestClient, new_job: Callable[..., str]) -> None:
    job = new_job(params={"lr": 0.1, "model/depth": 3})
    merged = client.put(f"{API}/jobs/{job}/params", json={"params": {"lr": 0.2, "bs": 32}})
    assert merged.json() == {"params": {"lr": 0.2, "bs": 32, "model/depth": 3}}
    assert client.delete(f"{API}/jobs/{job}/params/model/depth").status_code == 204
    assert client.get(f"{API}/jobs/{job}").json()["params"] == {"lr": 0.2, "bs": 32}
    assert_error(client.delete(f"{API}/jobs/{job}/params/model/depth"), 404, "not_found")
    assert_error(client.delete(f"{API}/jobs/{job}/params/a%01b"), 404, "not_found")
    raw = b'{"params": {"x": Infinity}}'
    bad = client.put(
        f"{API}/jobs/{job}/params", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(bad, 422, "invalid_input")
    assert_error(client.put(f"{API}/jobs/{job}/params", json={"lr": 1}), 422, "invalid_input")


def test_tags_merge_and_delete(client: TestClient, new_job: Callable[..., str]) -> None:
    job = new_job(tags={"stage": "dev"})
    merged = client.put(f"{API}/jobs/{job}/tags", json={"tags": {"owner": "ana", "stage": "prod"}})
    assert merged.json() == {"tags": {"owner": "ana", "stage": "prod"}}
    assert client.delete(f"{API}/jobs/{job}/tags/owner").status_code == 204
    assert client.get(f"{API}/jobs/{job}").json()["tags"] == {"stage": "prod"}
    assert_error(client.delete(f"{API}/jobs/{job}/tags/owner"), 404, "not_found")
    bad = client.put(f"{API}/jobs/{job}/tags", json={"tags": {"n": 1}})
    assert_error(bad, 422, "invalid_input")
