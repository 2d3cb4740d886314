"""The API on PostgreSQL: a smoke run over each noun (the store's contract suite covers the
rest on both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import API, assert_error, make_client, settings_for
from tests.server.test_fuzz import fuzz_every_route

pytestmark = pytest.mark.postgres


def test_the_api_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    settings = settings_for(tmp_path, db_url=pg_url)
    with make_client(settings) as client:
        assert client.get(f"{API}/info").json()["db"] == "postgresql"
        job = client.post(
            f"{API}/jobs", json={"project": "pg", "params": {"lr": 0.1}, "tags": {"t": "x"}}
        ).json()["id"]
        batch = {
            "batch_id": "b",
            "series": [
                {"key": "loss", "steps": [0, 1], "times": [1.0, 2.0], "values": [1.0, "NaN"]}
            ],
        }
        assert client.post(f"{API}/jobs/{job}/metrics", json=batch).json()["stored"] == 2
        assert client.post(f"{API}/jobs/{job}/metrics", json=batch).json()["duplicate"] is True
        series = client.get(f"{API}/jobs/{job}/metrics/loss").json()
        assert series["values"] == [1.0, "NaN"]
        page = client.get(f"{API}/projects/pg/jobs", params={"filter": "params.lr < 1"}).json()
        assert [j["id"] for j in page["items"]] == [job]
        error = assert_error(
            client.get(f"{API}/projects/pg/jobs", params={"filter": "lr <"}), 400, "invalid_query"
        )
        assert "position" in error["detail"]  # type: ignore[operator]
        assert (
            client.put(f"{API}/jobs/{job}/artifacts/a.csv", content=b"a\n1\n").json()["kind"]
            == "table"
        )
        assert client.post(f"{API}/jobs/{job}/log", content=b"hi").json() == {"size": 2}
        done = client.patch(f"{API}/jobs/{job}", json={"status": "completed", "exit_code": 0})
        assert done.json()["status"] == "completed"
        assert client.delete(f"{API}/projects/pg").status_code == 204
        assert_error(client.get(f"{API}/jobs/{job}"), 404, "not_found")


def test_text_postgresql_cannot_hold_is_refused_not_failed(tmp_path: Path, pg_url: str) -> None:
    settings = settings_for(tmp_path, db_url=pg_url)
    with make_client(settings) as client:
        nul = client.post(f"{API}/jobs", json={"project": "pg", "name": "a\x00b"})
        assert_error(nul, 422, "invalid_input")
        in_params = client.post(f"{API}/jobs", json={"project": "pg", "params": {"x": "\x00"}})
        assert_error(in_params, 422, "invalid_input")
        assert_error(client.get(f"{API}/projects/a%00b"), 404, "not_found")
        assert_error(client.get(f"{API}/jobs/%00"), 404, "not_found")


@pytest.mark.slow
def test_no_route_fails_on_garbage_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    with make_client(settings_for(tmp_path, db_url=pg_url)) as client:
        assert fuzz_every_route(client).get(422, 0) > 100
