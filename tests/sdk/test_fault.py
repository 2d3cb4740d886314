"""The fault test: the server dies while a job logs 100,000 points, then comes back.

The server is killed (SIGKILL, as in a crash) while the job sends the first half (the job
has made sure the server stored the first 30% of it, so the server was alive and taking
batches when it died); the second half is logged while nothing listens, so it goes to the
spool; the server then restarts on the same port and the job ends. Every point must be
stored exactly once.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from atlas.domain import JobStatus

from .conftest import ServerProcess, make_script, only_job

POINTS = 100_000

SCRIPT = f"""
import sys
import atlas

run = atlas.init(project="fault", name="fault")
for step in range({POINTS * 3 // 10}):
    atlas.log_metric("x", step * 0.5)
assert run.flush(30)
for step in range({POINTS * 3 // 10}, {POINTS // 2}):
    atlas.log_metric("x", step * 0.5)
print("half", flush=True)
sys.stdin.readline()  # the server is dead now
for step in range({POINTS // 2}, {POINTS}):
    atlas.log_metric("x", step * 0.5)
print("all", flush=True)
sys.stdin.readline()  # the server is back
"""


def wait_for(condition: object, what: str, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_every_point_is_stored_exactly_once_across_a_server_crash(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server-home")
    server.start()
    script = make_script(tmp_path, server.url, ATLAS_BATCH_POINTS="5000")
    spool = tmp_path / "job-home" / "spool"
    (script.folder / "train.py").write_text(SCRIPT)
    process = subprocess.Popen(
        [*script_command()],
        cwd=script.folder,
        env=script.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with process:
            assert process.stdin is not None
            assert process.stdout is not None
            assert process.stdout.readline() == "half\n"
            server.stop(signal.SIGKILL)
            process.stdin.write("go\n")
            process.stdin.flush()
            assert process.stdout.readline() == "all\n"
            wait_for(lambda: any(spool.glob("*.spool")), "the job to spool")
            server.start()
            process.stdin.write("go\n")
            process.stdin.flush()
            _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, errors
        with server.client() as api:
            job = only_job(api, "fault")
            assert job.status == JobStatus.COMPLETED
            series = api.get_metric(job.id, "x")
            assert series.total == POINTS
            assert series.steps == list(range(POINTS))
            assert series.values == [step * 0.5 for step in range(POINTS)]
            assert job.metrics["x"].count == POINTS
            assert "half\nall\n" in api.read_log(job.id).data.decode()
        assert not list(spool.iterdir())  # uploaded by the job itself once the server was back
    finally:
        server.stop()


def script_command() -> list[str]:
    import sys

    return [sys.executable, "train.py"]
