"""Jobs are never mislabelled: real ``python train.py`` scripts against a real server.

- A tracked script killed with SIGKILL turns ``lost`` once silent for ``lost_after``
  seconds, with the reason (shown by ``atlas jobs show``); a heartbeat, or a second process
  resuming the job (``ATLAS_JOB_ID``), brings it back, and the resumed job ends properly.
- A scheduled script that exits 3 ends failed with exit code 3: its SDK never reports an
  end of its own (the scheduler's), and says nothing about it.
- A script run while no server answers keeps its own start and end times when its spool is
  replayed later.
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atlas.domain import FINAL_STATUSES, Job, JobStatus
from atlas.sdk.client import Client

from .conftest import ServerProcess, clean_env, free_port, make_script, only_job

LOST_AFTER = 1.5
"""The server's ``lost_after`` here: small, so a test waits seconds, not minutes."""
HEARTBEAT = "0.2"
"""The scripts' ``heartbeat_interval`` (well below ``LOST_AFTER``)."""
DEADLINE_S = 30.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    settings = {"ATLAS_LOST_AFTER": str(LOST_AFTER)}
    with ServerProcess(tmp_path / "server-home", env=settings) as process:
        yield process


@pytest.fixture
def api(server: ServerProcess) -> Iterator[Client]:
    with server.client() as client:
        yield client


def wait_for(api: Client, job_id: str, done: Callable[[Job], bool]) -> Job:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        job = api.get_job(job_id)
        if done(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} is still {job.status}: {job.error}"
        time.sleep(0.05)


SLEEPER = """
import sys, time
import atlas
atlas.init(project="live", name="sleeper")
for step in range(10):
    atlas.log_metric("loss", 1.0 / (step + 1))
assert atlas.current_job().flush(10)
print(atlas.current_job().id, flush=True)
time.sleep(600)
"""

RESUMER = """
import atlas
run = atlas.init()
assert run.attached
atlas.log_metric("loss", 0.01, step=10)
print("resumed", run.id, flush=True)
"""


def test_a_killed_script_is_lost_with_the_reason_and_comes_back_when_it_reports(
    tmp_path: Path, server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, server.url, ATLAS_HEARTBEAT_INTERVAL=HEARTBEAT)
    process = script.start(SLEEPER)
    try:
        assert process.stdout is not None
        job_id = process.stdout.readline().strip()
        assert job_id, process.stderr.read() if process.stderr else ""
        # Alive and beating: still running well past lost_after.
        alive_until = time.monotonic() + 2 * LOST_AFTER
        while time.monotonic() < alive_until:
            assert api.get_job(job_id).status == JobStatus.RUNNING
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()  # reaps it and closes its pipes
    killed_at = datetime.now(UTC)
    lost = wait_for(api, job_id, lambda job: job.status == JobStatus.LOST)
    assert lost.error is not None
    assert lost.error.message == (
        f"no heartbeat from the tracked process for {LOST_AFTER:g} s; "
        "it was killed or lost its connection"
    )
    assert lost.finished_at is not None
    assert lost.finished_at <= killed_at  # when it was last heard from
    shown = subprocess.run(
        [sys.executable, "-m", "atlas", "jobs", "show", job_id],
        env=clean_env(tmp_path / "cli-home", ATLAS_URL=server.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "lost" in shown.stdout
    assert "no heartbeat from the tracked process" in shown.stdout

    # A direct heartbeat brings it back to running, error cleared; silent again, lost again.
    assert api.heartbeat(job_id).status == JobStatus.RUNNING
    back = api.get_job(job_id)
    assert (back.status, back.error, back.finished_at) == (JobStatus.RUNNING, None, None)
    wait_for(api, job_id, lambda job: job.status == JobStatus.LOST)

    # A second process resumes the job: it runs again, then ends as the script ends.
    resumer = make_script(
        tmp_path, server.url, ATLAS_JOB_ID=job_id, ATLAS_HEARTBEAT_INTERVAL=HEARTBEAT
    )
    done = resumer.run(RESUMER, check=True)
    assert f"resumed {job_id}" in done.stdout
    ended = api.get_job(job_id)
    assert (ended.status, ended.exit_code, ended.error) == (JobStatus.COMPLETED, 0, None)
    assert ended.metrics["loss"].count == 11
    assert api.list_jobs("live").total == 1


def test_a_resumed_job_ends_even_with_heartbeats_off(
    tmp_path: Path, server: ServerProcess, api: Client
) -> None:
    job_id = api.create_job("live", name="resumed-quietly").id
    resumer = make_script(tmp_path, server.url, ATLAS_JOB_ID=job_id, ATLAS_HEARTBEAT_INTERVAL="0")
    assert f"resumed {job_id}" in resumer.run(RESUMER, check=True).stdout
    ended = api.get_job(job_id)
    assert (ended.status, ended.exit_code) == (JobStatus.COMPLETED, 0)


OFFLINE = """
import time
import atlas
atlas.init(project="offline", name="slow")
atlas.log_metric("loss", 1.0)
time.sleep(1.5)
atlas.log_metric("loss", 0.5)
"""


def test_a_job_replayed_from_the_spool_keeps_its_own_start_and_end(tmp_path: Path) -> None:
    script = make_script(tmp_path, f"http://127.0.0.1:{free_port()}")
    before = datetime.now(UTC)
    script.run(OFFLINE, check=True)
    after = datetime.now(UTC)
    spool = tmp_path / "job-home" / "spool"
    assert len(list(spool.glob("*.spool"))) == 1
    time.sleep(0.5)  # so an upload-time stamp could not pass for the run's own times
    server = ServerProcess(tmp_path / "later-server")
    server.start()
    try:
        synced = subprocess.run(
            [sys.executable, "-m", "atlas", "sync"],
            env=clean_env(tmp_path / "job-home", ATLAS_URL=server.url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert synced.returncode == 0, synced.stdout + synced.stderr
        with server.client() as api:
            job = only_job(api, "offline")
    finally:
        server.stop()
    assert (job.status, job.exit_code) == (JobStatus.COMPLETED, 0)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert before <= job.started_at <= job.finished_at <= after
    assert job.created_at == job.started_at
    assert job.finished_at - job.started_at >= timedelta(seconds=1.5)


SCHEDULED = """
import atlas
atlas.init(name="inside")
atlas.log_metric("loss", 0.25)
print("logged", flush=True)
raise SystemExit(3)
"""


def test_a_scheduled_script_keeps_its_real_exit_and_the_sdk_stays_quiet(
    server: ServerProcess, api: Client
) -> None:
    command = shlex.join([sys.executable, "-c", SCHEDULED])
    job = api.submit_job({"project": "sched", "command": command, "env": "none"})
    ended = wait_for(api, job.id, lambda j: j.status in FINAL_STATUSES)
    log = api.read_log(job.id).data.decode()
    assert (ended.status, ended.exit_code, ended.name) == (JobStatus.FAILED, 3, "inside"), log
    assert ended.metrics["loss"].last == 0.25
    assert "logged" in log
    assert "refused" not in log
    assert "scheduler_owns_status" not in log
    assert "Traceback" not in log
