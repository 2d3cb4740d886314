"""Fixtures for the executor tests: a ``LocalExecutor`` in ``tmp_path`` and helpers to build
launch specs, snapshots and to wait for real processes (polls with deadlines, no sleeps)."""

from __future__ import annotations

import io
import shlex
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from atlas.domain import JobKind, JobSpec, new_job_id
from atlas.executors.base import Allocation, Executor, LaunchSpec, Outcome
from atlas.executors.local import LocalExecutor

DEADLINE_S = 20.0


def wait_for(condition: Callable[[], object], *, timeout: float = DEADLINE_S) -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition}")
        time.sleep(0.01)


def wait_outcome(executor: Executor, job_id: str, *, timeout: float = DEADLINE_S) -> Outcome:
    """Poll the executor until the job has ended."""
    deadline = time.monotonic() + timeout
    while (outcome := executor.poll(job_id)) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still running after {timeout} s")
        time.sleep(0.01)
    return outcome


def python(code: str) -> list[str]:
    """A command running ``code`` with the test's interpreter."""
    return [sys.executable, "-c", code]


def until_exists(flag: Path, *, before: str = "", after: str = "") -> list[str]:
    """A Python command that runs ``before``, waits until ``flag`` exists, then runs
    ``after``."""
    wait = f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)"
    return python(f"import os, time\n{before}\n{wait}\n{after}\n")


def make_tar(path: Path, files: dict[str, bytes]) -> Path:
    """A ``.tar.gz`` at ``path`` holding ``files`` (name -> content)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
    return path


def pids_gone(pids: list[int]) -> bool:
    """Whether none of ``pids`` runs any more (zombies count as gone)."""
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


class Specs:
    """Builds launch specs whose logs live in ``tmp_path/logs``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(
        self,
        command: list[str],
        *,
        job_id: str | None = None,
        gpus: tuple[int, ...] = (),
        params: dict[str, object] | None = None,
        snapshot: Path | None = None,
        timeout: float | None = None,
        env_mode: str = "auto",
        server_url: str = "http://127.0.0.1:9",
        token: str = "",
    ) -> LaunchSpec:
        job_id = job_id or new_job_id()
        job = JobSpec(
            project="proj",
            kind=JobKind.SCHEDULED,
            user="ada",
            command=shlex.join(command),
            params=params or {},
            env_mode=env_mode,
            timeout=timeout,
        )
        return LaunchSpec(
            job_id=job_id,
            job=job,
            snapshot_path=snapshot,
            allocation=Allocation(cpus=2, memory=None, gpus=gpus),
            server_url=server_url,
            token=token,
            log_path=self.root / "logs" / job_id / "log.txt",
        )


@pytest.fixture
def specs(tmp_path: Path) -> Specs:
    return Specs(tmp_path)


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[LocalExecutor]:
    """A local executor in ``tmp_path``; jobs still running at the end are killed."""
    local = LocalExecutor(tmp_path / "work", envs_dir=tmp_path / "envs", metrics_interval=0)
    yield local
    for job_id in local.running():
        local.cancel(job_id, grace=0)
    for job_id in local.running():
        wait_outcome(local, job_id)


def log_text(spec: LaunchSpec) -> str:
    return spec.log_path.read_text(encoding="utf-8", errors="replace")
