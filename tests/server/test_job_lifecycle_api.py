"""Who may say how a job ends: heartbeats and the liveness watcher for tracked scripts, the
scheduler alone for scheduled jobs, and the times a client reports (the real app)."""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atlas.server.liveness import LivenessWatcher
from atlas.settings import Settings

from .conftest import API, TestClient, assert_error, make_client, settings_for

DEADLINE_S = 30.0


def watcher_of(client: TestClient, lost_after: float = 120.0) -> LivenessWatcher:
    """A watcher over the app's own store, as the server runs it (ticked by the test)."""
    store = client.app.state.store  # type: ignore[attr-defined]
    return LivenessWatcher(store, lost_after=lost_after, started=0.0)


def test_a_silent_script_is_lost_with_the_reason_and_a_heartbeat_brings_it_back(
    client: TestClient, job_id: str
) -> None:
    beat = client.post(f"{API}/jobs/{job_id}/heartbeat")
    assert beat.status_code == 200, beat.text
    assert beat.json() == {"status": "running", "kind": "local"}
    watcher = watcher_of(client)
    assert watcher.tick(time.time()) == []  # heard from just now
    assert watcher.tick(time.time() + 121) == [job_id]
    lost = client.get(f"{API}/jobs/{job_id}").json()
    assert lost["status"] == "lost"
    assert lost["error"]["message"] == (
        "no heartbeat from the tracked process for 120 s; it was killed or lost its connection"
    )
    assert client.post(f"{API}/jobs/{job_id}/heartbeat").json()["status"] == "running"
    back = client.get(f"{API}/jobs/{job_id}").json()
    assert (back["status"], back["error"], back["finished_at"]) == ("running", None, None)


def test_the_watcher_waits_until_the_server_has_been_up_for_lost_after(
    client: TestClient, job_id: str
) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    started = time.time() + 1000  # a server that started long after the job was last seen
    watcher = LivenessWatcher(store, lost_after=60.0, started=started)
    assert watcher.tick(started + 59) == []
    assert watcher.tick(started + 60) == [job_id]


def test_a_lost_script_that_reports_its_end_takes_it(client: TestClient, job_id: str) -> None:
    watcher_of(client).tick(time.time() + 1000)
    ended = client.patch(f"{API}/jobs/{job_id}", json={"status": "completed", "exit_code": 0})
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["status"], body["exit_code"], body["error"]) == ("completed", 0, None)


def test_a_heartbeat_for_an_unknown_job_is_not_found(client: TestClient) -> None:
    assert_error(client.post(f"{API}/jobs/0123456789abcdef/heartbeat"), 404, "not_found")


def test_a_replayed_script_keeps_its_own_times(client: TestClient) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    created = client.post(
        f"{API}/jobs", json={"project": "offline", "started_at": start.isoformat()}
    )
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["created_at"] == job["started_at"] == start.isoformat().replace("+00:00", "Z")
    end = start + timedelta(seconds=2.6)
    done = client.patch(
        f"{API}/jobs/{job['id']}",
        json={"status": "completed", "exit_code": 0, "at": end.isoformat()},
    ).json()
    assert done["duration"] == pytest.approx(2.6)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    refused = client.post(f"{API}/jobs", json={"project": "offline", "started_at": future})
    error = assert_error(refused, 422, "invalid_input")
    assert "future" in str(error["message"])
    early = client.post(f"{API}/jobs", json={"project": "offline"}).json()
    before = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    response = client.patch(f"{API}/jobs/{early['id']}", json={"status": "failed", "at": before})
    assert "before the job started" in str(assert_error(response, 422, "invalid_input")["message"])


# -- scheduled jobs: the scheduler alone records how they end -------------------------------


@pytest.fixture
def api(tmp_path: Path, migrated_db: Path) -> Iterator[TestClient]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    settings: Settings = settings_for(home, cpus=2, cancel_grace=0.5)
    with make_client(settings) as client:
        yield client


def wait_for(api: TestClient, job_id: str, done: Callable[[dict[str, object]], bool]) -> dict:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        job: dict[str, object] = api.get(f"{API}/jobs/{job_id}").json()
        if done(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} is still {job['status']}"
        time.sleep(0.02)


def test_rest_cannot_overwrite_how_a_scheduled_job_ends(api: TestClient, tmp_path: Path) -> None:
    flag = tmp_path / "go"
    code = (
        "import os, time\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\n"
        "raise SystemExit(3)\n"
    )
    command = shlex.join([sys.executable, "-c", code])
    submitted = api.post(
        f"{API}/submissions", json={"project": "vision", "command": command, "env": "none"}
    )
    assert submitted.status_code == 201, submitted.text
    job_id = str(submitted.json()["id"])
    wait_for(api, job_id, lambda job: job["status"] == "running")
    for body in (
        {"status": "completed", "exit_code": 0},
        {"exit_code": 0},
        {"status": "cancelled"},
        {"error": {"type": "X", "message": "y"}},
    ):
        error = assert_error(
            api.patch(f"{API}/jobs/{job_id}", json=body), 409, "scheduler_owns_status"
        )
        assert "atlas stop" in str(error["message"])
        assert f"/jobs/{job_id}/cancel" in str(error["message"])
    renamed = api.patch(f"{API}/jobs/{job_id}", json={"name": "still allowed"})
    assert renamed.status_code == 200, renamed.text
    flag.touch()
    ended = wait_for(api, job_id, lambda job: job["status"] in ("completed", "failed"))
    assert (ended["status"], ended["exit_code"], ended["name"]) == ("failed", 3, "still allowed")
    late = api.patch(f"{API}/jobs/{job_id}", json={"status": "completed", "exit_code": 0})
    assert_error(late, 409, "scheduler_owns_status")
    assert api.get(f"{API}/jobs/{job_id}").json()["exit_code"] == 3


def test_the_watcher_never_touches_scheduled_jobs(api: TestClient, tmp_path: Path) -> None:
    flag = tmp_path / "go"
    code = f"import os, time\nwhile not os.path.exists({str(flag)!r}): time.sleep(0.01)\n"
    command = shlex.join([sys.executable, "-c", code])
    job = api.post(
        f"{API}/submissions", json={"project": "vision", "command": command, "env": "none"}
    ).json()
    wait_for(api, str(job["id"]), lambda j: j["status"] == "running")
    try:
        assert watcher_of(api).tick(time.time() + 10_000) == []
        assert api.get(f"{API}/jobs/{job['id']}").json()["status"] == "running"
    finally:
        flag.touch()
    ended = wait_for(api, str(job["id"]), lambda j: j["status"] != "running")
    assert ended["status"] == "completed"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_times_past_the_calendar_are_refused_not_a_crash(client: TestClient, moment: str) -> None:
    refused = client.post(f"{API}/jobs", json={"project": "offline", "started_at": moment})
    assert_error(refused, 422, "invalid_input")
    job = client.post(f"{API}/jobs", json={"project": "offline"}).json()
    late = client.patch(f"{API}/jobs/{job['id']}", json={"status": "completed", "at": moment})
    assert_error(late, 422, "invalid_input")
