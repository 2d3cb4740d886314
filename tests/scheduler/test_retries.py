"""Retries stepped by ``tick(now)``: a job that fails or is lost is queued again with
backoff, up to its ``retries``, each attempt recorded on the job; a cancelled job never is;
a wait survives a restart."""

from __future__ import annotations

import time
from pathlib import Path

from atlas.domain import JobKind, JobSpec, JobStatus, can_transition
from atlas.executors.base import Handle, LaunchSpec, Outcome
from atlas.scheduler.files import JobFiles
from atlas.scheduler.reconcile import reconcile
from atlas.scheduler.retries import backoff
from atlas.scheduler.scheduler import Scheduler
from atlas.store.artifacts import LocalArtifactStore
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import RecordingExecutor, inventory


class Clock:
    """The scheduler's clock, set by the test (``state()`` reads it for waits)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Relaunching(RecordingExecutor):
    """The recording executor, where a job launched again starts afresh; counts launches."""

    def __init__(self) -> None:
        super().__init__()
        self.launches: list[str] = []

    def launch(self, spec: LaunchSpec) -> Handle:
        handle = super().launch(spec)
        self.outcomes.pop(spec.job_id, None)
        self.begun.discard(spec.job_id)
        self.launches.append(spec.job_id)
        return handle


def make(
    store: SqlStore, tmp_path: Path, executor: RecordingExecutor, clock: Clock, cpus: int = 8
) -> Scheduler:
    scheduler = Scheduler(
        store,
        executor,
        inventory(cpus=cpus),
        files=JobFiles(LocalArtifactStore(tmp_path / "artifacts"), tmp_path / "work"),
        server_url="http://127.0.0.1:9",
        cancel_grace=0.5,
        clock=clock,
    )
    return scheduler


def submit(scheduler: Scheduler, *, retries: int, timeout: float | None = None) -> str:
    spec = JobSpec(
        kind=JobKind.SCHEDULED,
        project="retries",
        command="python main.py",
        resources={"cpus": 1},
        timeout=timeout,
        env_mode="none",
        retries=retries,
    )
    return scheduler.submit(spec).id


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(k) for k in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff(9) == 300.0
    assert backoff(100) == 300.0


def test_a_failed_job_is_queued_again_with_backoff_and_ends_completed(
    store: SqlStore, tmp_path: Path
) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock)
    job_id = submit(scheduler, retries=3)
    assert scheduler.tick(0.0).launched == [job_id]
    executor.begun.add(job_id)
    scheduler.tick(1.0)
    executor.end(job_id, exit_code=3)
    clock.now = 2.0
    assert scheduler.tick(2.0).finished == [job_id]

    job = store.get_job(job_id)
    assert job.status == JobStatus.QUEUED
    assert job.exit_code is None
    assert job.error is None
    assert job.started_at is None
    [first] = job.attempts
    assert first["attempt"] == 1
    assert first["status"] == "failed"
    assert first["exit_code"] == 3
    assert first["error"] == {"type": "ExitCode", "message": "exit code 3"}
    assert first["started_at"] is not None
    assert first["finished_at"] is not None
    state = scheduler.state()
    assert state.queue == [job_id]
    assert state.waiting_for[job_id] == "retry 1 of 3 in 2 s"

    assert scheduler.tick(3.9).launched == []  # retry 1 waits 2 s
    assert scheduler.tick(4.0).launched == [job_id]
    executor.end(job_id, exit_code=1)
    scheduler.tick(5.0)
    assert store.get_job(job_id).status == JobStatus.QUEUED
    assert scheduler.tick(8.9).launched == []  # retry 2 waits 4 s
    assert scheduler.tick(9.0).launched == [job_id]
    executor.end(job_id, exit_code=0)
    scheduler.tick(10.0)

    job = store.get_job(job_id)
    assert job.status == JobStatus.COMPLETED
    assert job.exit_code == 0
    assert [a["attempt"] for a in job.attempts] == [1, 2]
    assert executor.launches == [job_id] * 3
    log = (tmp_path / "artifacts" / "jobs" / job_id / "log.txt").read_text()
    assert "[atlas] attempt 1 of 4 failed (ExitCode: exit code 3); retry 1 of 3 in 2 s" in log
    assert "[atlas] attempt 2 of 4\n" in log
    assert "[atlas] attempt 3 of 4\n" in log


def test_a_job_out_of_retries_ends_with_its_last_attempt(store: SqlStore, tmp_path: Path) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock)
    job_id = submit(scheduler, retries=1)
    scheduler.tick(0.0)
    executor.end(job_id, exit_code=2)
    scheduler.tick(1.0)
    scheduler.tick(3.0)
    executor.end(job_id, exit_code=5)
    scheduler.tick(4.0)
    job = store.get_job(job_id)
    assert job.status == JobStatus.FAILED
    assert job.exit_code == 5
    assert job.error is not None
    assert job.error.message == "exit code 5"
    assert [a["exit_code"] for a in job.attempts] == [2]
    assert scheduler.tick(1000.0).launched == []


def test_a_cancelled_job_is_never_retried(store: SqlStore, tmp_path: Path) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock)
    running = submit(scheduler, retries=2)
    scheduler.tick(0.0)
    executor.begun.add(running)
    scheduler.tick(1.0)
    scheduler.cancel(running)
    executor.end(running, exit_code=-15)
    scheduler.tick(2.0)
    assert store.get_job(running).status == JobStatus.CANCELLED
    assert store.get_job(running).attempts == []

    waiting = submit(scheduler, retries=2)  # cancelled while it waits for its retry
    scheduler.tick(3.0)
    executor.end(waiting, exit_code=1)
    scheduler.tick(4.0)
    assert store.get_job(waiting).status == JobStatus.QUEUED
    scheduler.cancel(waiting)
    assert scheduler.tick(100.0).launched == []
    assert store.get_job(waiting).status == JobStatus.CANCELLED
    assert executor.launches == [running, waiting]


def test_timeouts_launch_failures_and_lost_jobs_are_retried(
    store: SqlStore, tmp_path: Path
) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock)
    timed = submit(scheduler, retries=1, timeout=5.0)
    scheduler.tick(0.0)
    executor.begun.add(timed)
    scheduler.tick(1.0)
    assert scheduler.tick(6.0).timed_out == [timed]
    executor.end(timed, exit_code=-15)
    scheduler.tick(7.0)
    [attempt] = store.get_job(timed).attempts
    assert attempt["error"]["type"] == "Timeout"  # type: ignore[index]

    executor.fail_launch = RuntimeError("the image could not be pulled")
    scheduler.tick(9.0)  # the timed-out job's retry fails to launch
    executor.fail_launch = None
    job = store.get_job(timed)
    assert job.status == JobStatus.FAILED
    assert job.error is not None
    assert job.error.type == "RuntimeError"

    lost = submit(scheduler, retries=1)
    scheduler.tick(10.0)
    executor.outcomes[lost] = Outcome(JobStatus.LOST, error="its node died")
    scheduler.tick(11.0)
    job = store.get_job(lost)
    assert job.status == JobStatus.QUEUED
    assert job.attempts[0]["status"] == "lost"
    assert job.attempts[0]["error"] == {"type": "Lost", "message": "its node died"}


def test_a_launch_failure_is_retried(store: SqlStore, tmp_path: Path) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock)
    executor.fail_launch = RuntimeError("the engine is not running")
    job_id = submit(scheduler, retries=1)
    scheduler.tick(0.0)
    job = store.get_job(job_id)
    assert job.status == JobStatus.QUEUED
    assert job.attempts[0]["error"] == {
        "type": "RuntimeError",
        "message": "the engine is not running",
    }
    executor.fail_launch = None
    assert scheduler.tick(2.0).launched == [job_id]


def test_a_job_waiting_for_its_retry_holds_nothing(store: SqlStore, tmp_path: Path) -> None:
    executor, clock = Relaunching(), Clock()
    scheduler = make(store, tmp_path, executor, clock, cpus=1)
    failing = submit(scheduler, retries=1)
    scheduler.tick(0.0)
    other = submit(scheduler, retries=0)
    executor.end(failing, exit_code=1)
    assert scheduler.tick(1.0).launched == [other]  # the waiting job reserves nothing
    assert scheduler.state().reservation is None
    executor.end(other)
    scheduler.tick(2.0)
    assert scheduler.tick(3.0).launched == [failing]


def test_a_wait_for_a_retry_survives_a_restart(store: SqlStore, tmp_path: Path) -> None:
    executor = Relaunching()
    before = make(store, tmp_path, executor, Clock())
    job_id = submit(before, retries=2)
    now = time.time()
    before.tick(now)
    executor.end(job_id, exit_code=1)
    before.tick(now)

    clock = Clock(now)
    after = make(store, tmp_path, Relaunching(), clock)
    reconcile(after)
    assert after.tick(now + 0.5).launched == []
    assert after.state().waiting_for[job_id] in ("retry 1 of 2 in 2 s", "retry 1 of 2 in 1 s")
    assert after.tick(now + 3.0).launched == [job_id]
    assert len(store.get_job(job_id).attempts) == 1


def test_a_job_lost_in_a_restart_is_retried(store: SqlStore, tmp_path: Path) -> None:
    executor = Relaunching()
    before = make(store, tmp_path, executor, Clock())
    job_id = submit(before, retries=1)
    before.tick(0.0)
    after = make(store, tmp_path, Relaunching(), Clock(0.0))  # its process is gone
    report = reconcile(after)
    assert report.lost == [job_id]
    job = store.get_job(job_id)
    assert job.status == JobStatus.QUEUED
    assert job.attempts[0]["status"] == "lost"
    assert after.tick(2.0).launched == [job_id]


def test_clients_cannot_queue_an_ended_job_again() -> None:
    for ended in (JobStatus.FAILED, JobStatus.LOST, JobStatus.COMPLETED, JobStatus.CANCELLED):
        assert not can_transition(ended, JobStatus.QUEUED)
