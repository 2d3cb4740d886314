"""``/api/v1/jobs/{id}/log``: appended while a job runs, read from an offset."""

from __future__ import annotations

import pytest

from tests.server.conftest import API, UPLOAD_LIMIT_MB, TestClient, assert_error

ID = "0123456789abcdef"


def test_append_and_read_from_offsets(client: TestClient, job_id: str) -> None:
    empty = client.get(f"{API}/jobs/{job_id}/log")
    assert empty.status_code == 200
    assert empty.content == b""
    assert empty.headers["x-atlas-log-size"] == "0"
    assert client.post(f"{API}/jobs/{job_id}/log", content=b"epoch 1\n").json() == {"size": 8}
    assert client.post(f"{API}/jobs/{job_id}/log", content="épocha 2\n".encode()).json() == {
        "size": 18
    }
    whole = client.get(f"{API}/jobs/{job_id}/log")
    assert whole.text == "epoch 1\népocha 2\n"
    assert whole.headers["content-type"].startswith("text/plain")
    assert whole.headers["x-atlas-log-size"] == "18"
    tail = client.get(f"{API}/jobs/{job_id}/log", params={"offset": 8})
    assert tail.text == "épocha 2\n"
    assert tail.headers["x-atlas-log-size"] == "18"
    piece = client.get(f"{API}/jobs/{job_id}/log", params={"offset": 2, "limit": 3})
    assert piece.content == b"och"
    assert piece.headers["x-atlas-log-size"] == "18"
    at_end = client.get(f"{API}/jobs/{job_id}/log", params={"offset": 18})
    assert at_end.status_code == 200
    assert at_end.content == b""


def test_an_empty_append_changes_nothing(client: TestClient, job_id: str) -> None:
    assert client.post(f"{API}/jobs/{job_id}/log", content=b"").json() == {"size": 0}
    client.post(f"{API}/jobs/{job_id}/log", content=b"abc")
    assert client.post(f"{API}/jobs/{job_id}/log", content=b"").json() == {"size": 3}


def test_an_offset_past_the_end_is_416(client: TestClient, job_id: str) -> None:
    client.post(f"{API}/jobs/{job_id}/log", content=b"abc")
    response = client.get(f"{API}/jobs/{job_id}/log", params={"offset": 4})
    error = assert_error(response, 416, "range_not_satisfiable")
    assert error["detail"]["size"] == 3  # type: ignore[index]


@pytest.mark.parametrize(
    "params", [{"offset": -1}, {"offset": "x"}, {"limit": -5}, {"offset": 2**70}]
)
def test_bad_offsets_are_invalid_input(
    client: TestClient, job_id: str, params: dict[str, object]
) -> None:
    assert_error(client.get(f"{API}/jobs/{job_id}/log", params=params), 422, "invalid_input")


def test_unknown_job(client: TestClient) -> None:
    assert_error(client.get(f"{API}/jobs/{ID}/log"), 404, "not_found")
    assert_error(client.post(f"{API}/jobs/{ID}/log", content=b"x"), 404, "not_found")


def test_an_append_over_the_limit_is_413(client: TestClient, job_id: str) -> None:
    big = b"x" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 1)
    assert_error(client.post(f"{API}/jobs/{job_id}/log", content=big), 413, "payload_too_large")
    assert client.get(f"{API}/jobs/{job_id}/log").headers["x-atlas-log-size"] == "0"
