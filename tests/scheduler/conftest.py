"""Fixtures for the scheduler tests: a real ``SqlStore`` (``store``, from tests/conftest.py:
SQLite, then PostgreSQL), a local
artifact store, and a ``Scheduler`` over either a small recording executor (for the policy:
it launches nothing, the test says when each job starts and ends) or the real
``LocalExecutor`` (real subprocesses)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas.domain import Job, JobKind, JobSpec, JobStatus
from atlas.errors import NotFoundError
from atlas.executors.base import LaunchSpec, Node, Outcome, ProcessHandle
from atlas.scheduler.files import JobFiles
from atlas.scheduler.inventory import GpuInfo, Inventory
from atlas.scheduler.scheduler import Scheduler
from atlas.store.artifacts import LocalArtifactStore
from atlas.store.sql_store import SqlStore

GIB = 1 << 30
DEADLINE_S = 20.0


class RecordingExecutor:
    """An executor that starts nothing: it records launches and cancels, and reports what
    the test decides (``begin`` a command, ``end`` a job)."""

    runs_images = False

    def __init__(self) -> None:
        self.specs: dict[str, LaunchSpec] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.begun: set[str] = set()
        self.cancels: dict[str, float] = {}
        self.adoptable: set[str] = set()
        self.adopted: dict[str, dict[str, object]] = {}
        self.fail_launch: Exception | None = None
        self.cluster: tuple[Node, ...] | None = None
        self.callback: Callable[[str], None] | None = None

    @property
    def launched(self) -> list[str]:
        """Ids in launch order."""
        return list(self.specs)

    def launch(self, spec: LaunchSpec) -> ProcessHandle:
        if self.fail_launch is not None:
            raise self.fail_launch
        self.specs[spec.job_id] = spec
        pid = 10_000 + len(self.specs)
        return ProcessHandle(
            spec.job_id, pid=pid, create_time=1.0, workdir=Path("/nonexistent") / spec.job_id
        )

    def poll(self, job_id: str) -> Outcome | None:
        if job_id not in self.specs and job_id not in self.adopted:
            raise NotFoundError(f"job {job_id} unknown")
        return self.outcomes.get(job_id)

    def started(self, job_id: str) -> bool:
        return job_id in self.begun or job_id in self.outcomes

    def cancel(self, job_id: str, *, grace: float) -> None:
        self.cancels[job_id] = grace

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        if job_id in self.adoptable:
            self.adopted[job_id] = record
            return True
        return False

    def running(self) -> list[str]:
        return [i for i in [*self.specs, *self.adopted] if i not in self.outcomes]

    def nodes(self) -> tuple[Node, ...] | None:
        return self.cluster

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        self.callback = callback

    def end(self, job_id: str, exit_code: int = 0, status: JobStatus | None = None) -> None:
        """The job's process ends with ``exit_code``."""
        final = status or (JobStatus.COMPLETED if exit_code == 0 else JobStatus.FAILED)
        error = None if final == JobStatus.COMPLETED else f"exit code {exit_code}"
        self.outcomes[job_id] = Outcome(final, exit_code=exit_code, error=error)


def inventory(*, cpus: int = 8, memory: int = 64 * GIB, gpus: int = 4) -> Inventory:
    """An inventory with ``gpus`` GPUs indexed 0..gpus-1."""
    return Inventory.host(
        cpus=cpus, memory=memory, gpus=tuple(GpuInfo(i, f"Test GPU {i}") for i in range(gpus))
    )


@pytest.fixture
def artifacts(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def recorder() -> RecordingExecutor:
    return RecordingExecutor()


@pytest.fixture
def make_scheduler(
    store: SqlStore, artifacts: LocalArtifactStore, recorder: RecordingExecutor, tmp_path: Path
) -> Callable[..., Scheduler]:
    """A scheduler over the recording executor (or ``executor=``) and ``inventory(...)``."""

    def make(executor: object = None, **sizes: int) -> Scheduler:
        return Scheduler(
            store,
            executor or recorder,  # type: ignore[arg-type]
            inventory(**sizes),
            files=JobFiles(artifacts, tmp_path / "work"),
            server_url="http://127.0.0.1:9",
            cancel_grace=0.5,
        )

    return make


def submit(
    scheduler: Scheduler,
    *,
    project: str = "vision",
    cpus: int = 1,
    gpus: int = 0,
    memory: int | None = None,
    priority: int = 0,
    command: str = "python main.py",
    timeout: float | None = None,
) -> str:
    """Submit a job; return its id."""
    job = scheduler.submit(
        JobSpec(
            kind=JobKind.SCHEDULED,
            project=project,
            command=command,
            resources={"cpus": cpus, "gpus": gpus, "memory": memory},
            priority=priority,
            timeout=timeout,
            env_mode="none",
        )
    )
    assert job.status == JobStatus.QUEUED
    return job.id


def wait_final(scheduler: Scheduler, job_id: str, *, timeout: float = DEADLINE_S) -> Job:
    """Step ``tick`` until the job has ended; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        scheduler.tick(time.time())
        job = scheduler.store.get_job(job_id)
        if job.status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED):
            return job
        if job.status == JobStatus.LOST or time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {job.status} after {timeout} s")
        time.sleep(0.01)
