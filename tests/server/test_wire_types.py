"""Wrong JSON types are refused, never coerced: ``"7"`` is not an exit code, ``true`` is not
a priority (defect 10); what the SDK and the GUI send still passes."""

from __future__ import annotations

import pytest

from tests.server.conftest import API, TestClient, assert_error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"exit_code": "7"}, "exit_code"),
        ({"exit_code": 7.5}, "exit_code"),
        ({"exit_code": True}, "exit_code"),
        ({"priority": True}, "priority"),
        ({"priority": "3"}, "priority"),
        ({"priority": 2.5}, "priority"),
    ],
)
def test_job_updates_refuse_wrong_types(
    client: TestClient, job_id: str, body: dict[str, object], field: str
) -> None:
    response = client.patch(f"{API}/jobs/{job_id}", json=body)
    error = assert_error(response, 422, "invalid_input")
    assert [e["field"] for e in error["detail"]["errors"]] == [field]  # type: ignore[index]
    assert field in str(error["message"])
    job = client.get(f"{API}/jobs/{job_id}").json()
    assert job["exit_code"] is None
    assert job["priority"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": True}, "priority"),
        ({"resources": {"cpus": "2"}}, "resources.cpus"),
        ({"resources": {"gpus": False}}, "resources.gpus"),
        ({"resources": {"memory": True}}, "resources.memory"),
        ({"timeout": "10"}, "timeout"),
        ({"timeout": True}, "timeout"),
    ],
)
def test_submissions_refuse_wrong_types(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    submission = {"project": "types", "command": ["true"], **body}
    error = assert_error(client.post(f"{API}/submissions", json=submission), 422, "invalid_input")
    fields = [e["field"] for e in error["detail"]["errors"]]  # type: ignore[index]
    assert all(f.startswith(field) for f in fields), fields
    assert client.get(f"{API}/projects").json()["items"] == []


def test_job_creation_refuses_a_boolean_priority(client: TestClient) -> None:
    response = client.post(f"{API}/jobs", json={"project": "types", "priority": True})
    assert_error(response, 422, "invalid_input")


def test_right_types_pass(client: TestClient, job_id: str) -> None:
    response = client.patch(f"{API}/jobs/{job_id}", json={"priority": 3})
    assert response.status_code == 200, response.text
    # 4.0 is the integer 4 in JSON (and in the JSON Schema of the OpenAPI document).
    response = client.patch(f"{API}/jobs/{job_id}", json={"priority": 4.0})
    assert response.json()["priority"] == 4
    submission = {
        "project": "types",
        "command": ["true"],
        "priority": -1,
        "timeout": 5,  # a whole number for a float field is fine
        "resources": {"cpus": 1, "gpus": 0, "memory": "1G"},
        "params": {"flag": True, "n": 3, "x": 0.5, "s": "7"},
    }
    response = client.post(f"{API}/submissions", json=submission)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["params"] == {"flag": True, "n": 3, "x": 0.5, "s": "7"}
    assert job["timeout"] == 5.0


def test_a_body_that_is_not_utf8_says_so(client: TestClient) -> None:
    raw = '{"project": "caf\u00e9"}'.encode("latin-1")
    response = client.post(f"{API}/jobs", content=raw, headers={"Content-Type": "application/json"})
    error = assert_error(response, 422, "invalid_input")
    assert "the body is not UTF-8 JSON" in str(error["message"]), error
    assert client.get(f"{API}/projects").json()["items"] == []


def test_times_of_early_years_are_rfc3339() -> None:
    from datetime import UTC, datetime

    from atlas.server.schemas import NoteOut

    note = NoteOut(id=1, author="", text="t", created_at=datetime(154, 6, 12, 19, 58, tzinfo=UTC))
    assert note.model_dump(mode="json")["created_at"] == "0154-06-12T19:58:00.000000Z"
    recent = datetime(2026, 12, 5, 1, 2, 3, 4, tzinfo=UTC)
    assert (
        NoteOut(id=1, author="", text="t", created_at=recent).model_dump(mode="json")["created_at"]
        == "2026-12-05T01:02:03.000004Z"
    )
