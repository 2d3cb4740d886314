"""Everything a job started stops with it: a daemon that double-forks and calls setsid is
found by its ``ATLAS_JOB_ID`` and killed on cancel, timeout and the job's end; a job that
stays above the memory it asked for is stopped with how much it used."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from atlas.domain import JobStatus
from atlas.executors.base import Allocation, LaunchSpec, Outcome
from atlas.executors.launcher import job_pids
from atlas.executors.local import LocalExecutor
from atlas.executors.sysmetrics import MemoryGuard
from atlas.scheduler.outcomes import final_status
from tests.executors.conftest import Specs, log_text, pids_gone, python, wait_for, wait_outcome

MIB = 1 << 20

DAEMON = """\
import os, sys, time
pidfile, linger = sys.argv[1], float(sys.argv[2])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(pidfile + ".tmp", "w") as out:
            out.write(str(os.getpid()))
        os.rename(pidfile + ".tmp", pidfile)
        time.sleep(300)
        os._exit(0)
    os._exit(0)
while not os.path.exists(pidfile):
    time.sleep(0.01)
time.sleep(linger)
"""


def start_daemon_job(
    executor: LocalExecutor, specs: Specs, tmp_path: Path, *, linger: float, **options: float
) -> tuple[LaunchSpec, int]:
    pidfile = tmp_path / "daemon.pid"
    spec = specs([*python(DAEMON), str(pidfile), str(linger)], env_mode="none", **options)
    executor.launch(spec)
    wait_for(pidfile.exists)
    daemon = int(pidfile.read_text())
    assert daemon in job_pids(spec.job_id)
    return spec, daemon


def test_cancel_kills_a_double_forked_daemon(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    spec, daemon = start_daemon_job(executor, specs, tmp_path, linger=300)
    executor.cancel(spec.job_id, grace=1.0)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.CANCELLED
    wait_for(lambda: pids_gone([daemon]))
    assert job_pids(spec.job_id) == []


def test_a_timeout_kills_a_double_forked_daemon(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    spec, daemon = start_daemon_job(executor, specs, tmp_path, linger=300, timeout=1.0)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.details.get("timed_out") is True
    wait_for(lambda: pids_gone([daemon]))


def test_a_daemon_left_behind_by_a_job_that_ended_is_stopped(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    spec, daemon = start_daemon_job(executor, specs, tmp_path, linger=0)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    assert pids_gone([daemon])  # before exit.json was written


def test_job_pids_never_finds_the_caller_or_another_job() -> None:
    assert job_pids("") == []
    assert job_pids("0123456789abcdef") == []


def with_memory(spec: LaunchSpec, memory: int) -> LaunchSpec:
    return dataclasses.replace(spec, allocation=Allocation(cpus=1, memory=memory))


def test_a_job_far_above_its_memory_request_is_stopped(
    executor: LocalExecutor, specs: Specs
) -> None:
    hog = "import time\nblock = b'x' * (300 << 20)\ntime.sleep(60)\n"
    spec = with_memory(specs(python(hog), env_mode="none"), 64 * MIB)
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.FAILED
    assert outcome.details.get("memory_exceeded") is True
    assert outcome.error is not None
    assert outcome.error.startswith("the job used ")
    assert outcome.error.endswith(" MiB of memory, above the 64.0 MiB it asked for")
    assert "stopping the job: the job used" in log_text(spec)
    status, error = final_status(None, None, outcome)
    assert status is JobStatus.FAILED
    assert error is not None
    assert (error.type, error.message) == ("MemoryLimit", outcome.error)


def test_a_job_within_its_memory_request_runs_to_the_end(
    executor: LocalExecutor, specs: Specs
) -> None:
    small = "import time\nblock = b'x' * (8 << 20)\ntime.sleep(2.5)\n"
    spec = with_memory(specs(python(small), env_mode="none"), 256 * MIB)
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.COMPLETED, log_text(spec)
    assert outcome.details.get("memory_exceeded") is False


def test_the_memory_guard_tolerates_a_brief_peak() -> None:
    guard = MemoryGuard(100 * MIB)
    assert guard.check(120 * MIB) is None
    assert guard.check(90 * MIB) is None  # back under: the count starts again
    assert guard.check(120 * MIB) is None
    assert guard.check(120 * MIB) is None
    assert guard.check(120 * MIB) == (
        "the job used 120.0 MiB of memory, above the 100.0 MiB it asked for"
    )
    assert MemoryGuard(100 * MIB).check(151 * MIB) is not None  # far above: at once


def test_an_outcome_without_memory_details_is_unchanged() -> None:
    outcome = Outcome(JobStatus.FAILED, exit_code=3, error="exited with code 3")
    status, error = final_status(None, None, outcome)
    assert status is JobStatus.FAILED
    assert error is not None
    assert error.type == "ExitCode"
