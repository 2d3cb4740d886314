"""Submitting and running jobs through the API: snapshots, submissions, the queue, cancel,
rerun and a server restart, with the real scheduler and real processes."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.settings import Settings
from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for

DEADLINE_S = 20.0
MAIN = b"""import json, sys
params = json.load(open("atlas_job_parameters.json"))
print("params", json.dumps(params, sort_keys=True), flush=True)
"""


def make_tar(files: dict[str, bytes]) -> bytes:
    """A .tar.gz holding ``files``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def job_settings(tmp_path: Path, migrated_db: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    return settings_for(home, gpus="0,1,2,3", cpus=2, max_snapshot_mb=1, cancel_grace=0.5)


@pytest.fixture
def api(job_settings: Settings) -> Iterator[TestClient]:
    with make_client(job_settings) as client:
        yield client


def upload(api: TestClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    response = api.put(f"{API}/snapshots/{sha}", content=data)
    assert response.status_code in (200, 201), response.text
    return sha


def submit(api: TestClient, **body: object) -> dict[str, object]:
    body.setdefault("project", "vision")
    body.setdefault("env", "none")
    response = api.post(f"{API}/submissions", json=body)
    assert response.status_code == 201, response.text
    job: dict[str, object] = response.json()
    return job


def wait_status(api: TestClient, job_id: object, *wanted: str) -> dict[str, object]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        job: dict[str, object] = api.get(f"{API}/jobs/{job_id}").json()
        if job["status"] in wanted:
            return job
        assert time.monotonic() < deadline, f"job {job_id} is still {job['status']}"
        time.sleep(0.02)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def until_exists(flag: Path, before: str = "") -> list[str]:
    return python(
        f"import os, time\nprint({before!r}, flush=True)\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\nprint('after', flush=True)"
    )


def test_a_submitted_snapshot_runs_with_its_params(api: TestClient) -> None:
    data = make_tar({"main.py": MAIN})
    sha = hashlib.sha256(data).hexdigest()
    assert api.head(f"{API}/snapshots/{sha}").status_code == 404
    first = api.put(f"{API}/snapshots/{sha}", content=data)
    assert first.status_code == 201
    assert first.json() == {"sha256": sha, "size": len(data), "created": True}
    again = api.put(f"{API}/snapshots/{sha}", content=data)
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert api.head(f"{API}/snapshots/{sha}").status_code == 200
    job = submit(
        api,
        command=f"{sys.executable} main.py",
        snapshot=sha,
        params={"lr": 0.1},
        git={"commit": "abc", "dirty": False},
        resources={"cpus": 1, "gpus": 1, "memory": "1M"},
    )
    assert job["status"] == "queued"
    assert job["kind"] == "scheduled"
    assert job["snapshot"] == sha
    assert job["env"] == "none"
    assert job["queued_at"] is not None
    assert job["command"] == f"{sys.executable} main.py"
    done = wait_status(api, job["id"], "completed", "failed")
    assert done["status"] == "completed", api.get(f"{API}/jobs/{job['id']}/log").text
    assert done["resources"] == {"cpus": 1, "gpus": 1, "memory": 1 << 20, "gpu_indices": [0]}
    assert 'params {"lr": 0.1}' in api.get(f"{API}/jobs/{job['id']}/log").text
    code = api.get(f"{API}/jobs/{job['id']}/snapshot")
    assert code.status_code == 200
    assert code.headers["content-type"] == "application/gzip"
    assert code.content == data
    rerun = api.post(f"{API}/jobs/{job['id']}/rerun", json={"params": {"lr": 0.5}})
    assert rerun.status_code == 201, rerun.text
    second = rerun.json()
    assert (second["rerun_of"], second["snapshot"]) == (job["id"], sha)
    assert wait_status(api, second["id"], "completed", "failed")["status"] == "completed"
    assert 'params {"lr": 0.5}' in api.get(f"{API}/jobs/{second['id']}/log").text


def test_snapshot_uploads_are_checked(api: TestClient) -> None:
    data = make_tar({"a.py": b"print(1)"})
    wrong = hashlib.sha256(b"other").hexdigest()
    error = assert_error(api.put(f"{API}/snapshots/{wrong}", content=data), 422, "invalid_input")
    assert "SHA-256" in str(error["message"])
    assert api.head(f"{API}/snapshots/{wrong}").status_code == 404
    big = b"x" * ((1 << 20) + 1)
    sha = hashlib.sha256(big).hexdigest()
    error = assert_error(api.put(f"{API}/snapshots/{sha}", content=big), 413, "payload_too_large")
    assert "max_snapshot_mb" in str(error["message"])
    assert api.head(f"{API}/snapshots/{sha}").status_code == 404
    assert_error(api.put(f"{API}/snapshots/not-a-hash", content=data), 422, "invalid_input")
    local = api.post(f"{API}/jobs", json={"project": "vision"}).json()
    assert_error(api.get(f"{API}/jobs/{local['id']}/snapshot"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"command": ["x"], "resources": {"gpus": 5}}, 422, "resource_unavailable"),
        ({"command": ["x"], "resources": {"cpus": 3}}, 422, "resource_unavailable"),
        ({"command": ["x"], "resources": {"memory": "1P"}}, 422, "resource_unavailable"),
        ({"command": ["x"], "resources": {"memory": "lots"}}, 422, "invalid_input"),
        ({"command": ["x"], "resources": {"cpus": 0}}, 422, "invalid_input"),
        ({"command": ["x"], "snapshot": "0" * 64}, 404, "not_found"),
        ({"command": []}, 422, "invalid_input"),
        ({"command": ""}, 422, "invalid_input"),
        ({"command": "python 'unclosed"}, 422, "invalid_input"),
        ({"command": ["x"], "env": "docker"}, 422, "invalid_input"),
        ({"command": ["x"], "timeout": 0}, 422, "invalid_input"),
        ({"command": ["x"], "worker": {"image": "x"}}, 422, "invalid_input"),
    ],
)
def test_bad_submissions_get_clear_errors(
    api: TestClient, body: dict[str, object], status: int, code: str
) -> None:
    error = assert_error(
        api.post(f"{API}/submissions", json={"project": "p", **body}), status, code
    )
    if code == "resource_unavailable":
        assert "exist" in str(error["message"])
        assert error["detail"]["available"] == {  # type: ignore[index]
            "cpus": 2,
            "memory": error["detail"]["available"]["memory"],  # type: ignore[index]
            "gpus": [0, 1, 2, 3],
        }
    assert api.get(f"{API}/projects/p").status_code == 404  # nothing was written


def test_the_queue_can_be_seen_reordered_cleared_and_cancelled(
    api: TestClient, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    running = submit(api, project="a", command=until_exists(flag, "waiting"), resources={"cpus": 2})
    wait_status(api, running["id"], "running")
    a1 = submit(api, project="a", command=python("pass"))
    a2 = submit(api, project="a", command=python("pass"))
    b1 = submit(api, project="b", command=python("pass"))
    state = api.get(f"{API}/scheduler").json()
    assert [j["id"] for j in state["queue"]] == [a1["id"], a2["id"], b1["id"]]
    assert [j["id"] for j in state["running"]] == [running["id"]]
    assert state["queue_total"] == 3
    assert state["reservation"] == a1["id"]
    assert state["resources"]["cpus"] == {"total": 2, "used": 2}
    assert [g["index"] for g in state["resources"]["gpus"]] == [0, 1, 2, 3]
    assert api.get(f"{API}/scheduler", params={"limit": 1}).json()["queue_total"] == 3
    patched = api.patch(f"{API}/jobs/{b1['id']}", json={"priority": 7})
    assert patched.json()["priority"] == 7
    state = api.get(f"{API}/scheduler").json()
    assert [j["id"] for j in state["queue"]] == [b1["id"], a1["id"], a2["id"]]
    assert_error(api.delete(f"{API}/queue", params={"project": "nope"}), 404, "not_found")
    cleared = api.delete(f"{API}/queue", params={"project": "a"}).json()
    assert sorted(cleared["cancelled"]) == sorted([a1["id"], a2["id"]])
    assert api.get(f"{API}/jobs/{b1['id']}").json()["status"] == "queued"
    assert api.get(f"{API}/jobs/{running['id']}").json()["status"] == "running"
    cancelled = api.post(f"{API}/jobs/{running['id']}/cancel")
    assert cancelled.status_code == 200
    assert wait_status(api, running["id"], "cancelled")["status"] == "cancelled"
    assert wait_status(api, b1["id"], "completed")["status"] == "completed"
    assert_error(api.post(f"{API}/jobs/{b1['id']}/cancel"), 409, "invalid_transition")
    queued = submit(api, project="b", command=python("pass"), resources={"gpus": 4})
    api.delete(f"{API}/jobs/{queued['id']}")
    assert api.get(f"{API}/scheduler").json()["queue_total"] == 0


def test_a_server_restart_mid_job_keeps_the_job_and_its_log(
    job_settings: Settings, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    with make_client(job_settings) as first:
        job = submit(first, command=until_exists(flag, "before"))
        wait_status(first, job["id"], "running")
    with make_client(job_settings) as second:
        assert second.get(f"{API}/jobs/{job['id']}").json()["status"] == "running"
        assert [j["id"] for j in second.get(f"{API}/scheduler").json()["running"]] == [job["id"]]
        flag.touch()
        assert wait_status(second, job["id"], "completed", "failed")["status"] == "completed"
        log = second.get(f"{API}/jobs/{job['id']}/log").text
        assert log.index("before") < log.index("after")


def test_rerun_and_cancel_refuse_jobs_the_scheduler_does_not_run(api: TestClient) -> None:
    local = api.post(f"{API}/jobs", json={"project": "vision"}).json()
    assert_error(api.post(f"{API}/jobs/{local['id']}/rerun"), 409, "conflict")
    assert_error(api.post(f"{API}/jobs/{local['id']}/cancel"), 409, "conflict")
    assert_error(api.post(f"{API}/jobs/{'0' * 16}/cancel"), 404, "not_found")


def test_the_stream_sends_the_log_then_the_end(api: TestClient) -> None:
    job = submit(api, command=python("for i in range(3): print('line', i, 'é', flush=True)"))
    events: list[tuple[str, str]] = []
    with api.stream("GET", f"{API}/jobs/{job['id']}/log/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = "message"
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))
                kind = "message"
    text = "".join(data for kind, data in events if kind == "message")
    assert text == api.get(f"{API}/jobs/{job['id']}/log").text
    assert "line 2 é" in text
    assert events[-1] == ("end", "completed")
    size = len(text.encode())
    assert_error(
        api.get(f"{API}/jobs/{job['id']}/log/stream", params={"offset": size + 1}),
        416,
        "range_not_satisfiable",
    )
    tail = api.get(f"{API}/jobs/{job['id']}/log/stream", params={"offset": size}).text
    assert tail == 'event: end\ndata: "completed"\n\n'
    assert_error(
        api.get(f"{API}/jobs/{job['id']}/log/stream", params={"offset": -1}), 422, "invalid_input"
    )
