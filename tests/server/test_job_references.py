"""A job may name only jobs that exist as its parent (or the run it repeats): a missing one is
a clear 404 and nothing is written."""

from __future__ import annotations

import pytest

from tests.server.conftest import API, TestClient, assert_error

MISSING = "0123456789abcdef"


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("jobs", {"parent_id": MISSING}),
        ("submissions", {"command": ["true"], "parent_id": MISSING}),
        ("submissions", {"command": ["true"], "rerun_of": MISSING}),
    ],
)
def test_a_missing_parent_is_refused_and_nothing_is_written(
    client: TestClient, route: str, body: dict[str, object]
) -> None:
    response = client.post(f"{API}/{route}", json={"project": "refs", **body})
    error = assert_error(response, 404, "not_found")
    field = next(iter(k for k in body if k != "command"))
    assert error["detail"] == {"field": field, "job_id": MISSING}
    assert field in str(error["message"])
    assert client.get(f"{API}/projects").json()["items"] == []


def test_an_existing_parent_is_kept(client: TestClient, job_id: str) -> None:
    response = client.post(f"{API}/jobs", json={"project": "refs", "parent_id": job_id})
    assert response.status_code == 201, response.text
    assert response.json()["parent_id"] == job_id
    submission = {"project": "refs", "command": ["true"], "parent_id": job_id}
    response = client.post(f"{API}/submissions", json=submission)
    assert response.status_code == 201, response.text
    assert response.json()["parent_id"] == job_id
