"""Two real `atlas server` processes on one database: exactly one schedules.

Jobs submitted to either server run exactly once, never two in one CPU slot; the second
server says it stands by; after ``kill -9`` of the holder the standby takes over, adopts the
job still running and starts what is queued.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sdk.conftest import ServerProcess

DEADLINE_S = 60.0

RECORD = """\
import os, sys, time
path, job = sys.argv[1], os.environ["ATLAS_JOB_ID"]
with open(path, "a") as out:
    out.write(f"start {job} {time.time()}\\n")
time.sleep(0.3)
with open(path, "a") as out:
    out.write(f"end {job} {time.time()}\\n")
"""

HOLD = """\
import os, sys, time
path, release = sys.argv[1], sys.argv[2]
job = os.environ["ATLAS_JOB_ID"]
with open(path, "a") as out:
    out.write(f"start {job} {time.time()}\\n")
deadline = time.time() + 120
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.05)
with open(path, "a") as out:
    out.write(f"end {job} {time.time()}\\n")
"""


def submit(server: ServerProcess, argv: list[str]) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/submissions",
        json={"project": "pair", "command": argv, "resources": {"cpus": 1}, "env": "none"},
        timeout=10,
    )
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def status(server: ServerProcess, job_id: str) -> str:
    answer = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def mode(server: ServerProcess) -> str:
    return str(httpx.get(f"{server.url}/api/v1/scheduler", timeout=10).json()["mode"])


def info_mode(server: ServerProcess) -> str:
    return str(httpx.get(f"{server.url}/api/v1/info", timeout=10).json()["scheduler"])


def wait_until(what: str, check: object, server: ServerProcess) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen; server output:\n{server.output()}")


def intervals(record: Path) -> dict[str, list[float]]:
    """Each job's start and end times; a job started twice has more than two."""
    runs: dict[str, list[float]] = {}
    for line in record.read_text().splitlines():
        _, job_id, at = line.split()
        runs.setdefault(job_id, []).append(float(at))
    return runs


def assert_one_at_a_time(runs: dict[str, list[float]]) -> None:
    ordered = sorted((times[0], times[1]) for times in runs.values())
    for (_, end), (next_start, _) in itertools.pairwise(ordered):
        assert next_start >= end, f"two jobs shared the one CPU slot: {ordered}"


@pytest.fixture
def pair(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[ServerProcess, ...]]:
    """Two servers on one home (one CPU slot), the first started first (it holds the
    lease); ``db_url`` from the test's parameter when it has one."""
    home = tmp_path / "home"
    home.mkdir()
    lines = ["cpus = 1", "cancel_grace = 1"]
    db_url = getattr(request, "param", None)
    if db_url is not None:
        lines.append(f'db_url = "{request.getfixturevalue(db_url)}"')
    (home / "atlas.toml").write_text("\n".join(lines) + "\n")
    first, second = ServerProcess(home), ServerProcess(home)
    first.start()
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


def check_pair(first: ServerProcess, second: ServerProcess, tmp_path: Path) -> None:
    assert mode(first) == info_mode(first) == "active"
    assert mode(second) == info_mode(second) == "standby"
    assert "standby" in second.output()
    record = tmp_path / "record.txt"
    python = sys.executable
    ids = [submit(server, [python, "-c", RECORD, str(record)]) for server in (first, second) * 3]
    for job_id in ids:
        wait_until(f"job {job_id} completed", lambda j=job_id: status(second, j) == "completed",
                   first)  # fmt: skip
    runs = intervals(record)
    assert sorted(runs) == sorted(ids)
    assert all(len(times) == 2 for times in runs.values()), f"a job ran twice: {runs}"
    assert_one_at_a_time(runs)

    # a cancel through the standby stops a job that the holder runs
    release = tmp_path / "release"
    doomed = submit(second, [python, "-c", HOLD, str(record), str(release)])
    wait_until("the doomed job runs", lambda: status(first, doomed) == "running", first)
    cancelled = httpx.post(f"{second.url}/api/v1/jobs/{doomed}/cancel", timeout=10)
    assert cancelled.status_code == 200, cancelled.text
    wait_until("the cancel is recorded", lambda: status(first, doomed) == "cancelled", first)
    assert httpx.get(f"{first.url}/api/v1/jobs/{doomed}", timeout=10).json()["error"] is None

    # kill -9 the holder while a job runs and another waits: the standby takes over
    held = submit(second, [python, "-c", HOLD, str(record), str(release)])
    wait_until("the held job runs", lambda: status(first, held) == "running", first)
    waiting = submit(second, [python, "-c", RECORD, str(record)])
    assert first.process is not None
    first.process.kill()
    first.process.wait()
    wait_until("the standby takes over", lambda: mode(second) == "active", second)
    assert status(second, held) == "running"  # adopted, not lost
    assert status(second, waiting) == "queued"  # the slot is still the held job's
    release.write_text("go")
    wait_until("both jobs end", lambda: status(second, waiting) == "completed", second)
    assert status(second, held) == "completed"
    runs = intervals(record)
    assert len(runs[doomed]) == 1  # started, never ended on its own
    del runs[doomed]
    assert all(len(times) == 2 for times in runs.values()), f"a job ran twice: {runs}"
    assert_one_at_a_time(runs)
    assert "active" in second.output()


def test_two_servers_on_one_sqlite_home_schedule_once(
    pair: tuple[ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    check_pair(*pair, tmp_path)


@pytest.mark.postgres
@pytest.mark.parametrize("pair", ["postgres_url"], indirect=True)
def test_two_servers_on_one_postgres_database_schedule_once(
    pair: tuple[ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    check_pair(*pair, tmp_path)
