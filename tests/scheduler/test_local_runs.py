"""The scheduler with the real ``LocalExecutor``: real subprocesses, stepped by ``tick``
in polls with deadlines."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.executors.launcher import CONTROL_DIR
from atlas.executors.local import LocalExecutor
from atlas.scheduler.files import JobFiles, snapshot_relpath
from atlas.scheduler.reconcile import reconcile
from atlas.scheduler.scheduler import Scheduler
from atlas.store.artifacts import FsspecArtifactStore, LocalArtifactStore, log_path
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import DEADLINE_S, inventory, wait_final

MakeScheduler = Callable[..., Scheduler]


class _Idle:
    """Stands for a stopped server in ``wait_until``: ticks nothing."""

    def tick(self, now: float) -> None:
        return None


def python(code: str) -> str:
    """A command line running ``code`` with the test's interpreter."""
    import shlex

    return shlex.join([sys.executable, "-c", code])


@pytest.fixture
def make_local(tmp_path: Path) -> Iterator[Callable[[], LocalExecutor]]:
    made: list[LocalExecutor] = []

    def make() -> LocalExecutor:
        executor = LocalExecutor(
            tmp_path / "work", envs_dir=tmp_path / "envs", grace=0.5, metrics_interval=0
        )
        made.append(executor)
        return executor

    yield make
    for executor in made:  # nothing may outlive the test
        for job_id in executor.running():
            executor.cancel(job_id, grace=0.0)


def run(scheduler: Scheduler, code: str, **options: object) -> str:
    job = scheduler.submit(
        JobSpec(
            kind=JobKind.SCHEDULED, project="p", command=python(code), env_mode="none", **options
        )  # type: ignore[arg-type]
    )
    return job.id


def log_of(artifacts: LocalArtifactStore, job_id: str) -> str:
    path = artifacts.root / log_path(job_id)
    return path.read_text() if path.exists() else ""


def wait_until(condition: Callable[[], object], scheduler: Scheduler | _Idle) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"not true within {DEADLINE_S} s"
        scheduler.tick(time.time())
        time.sleep(0.01)


def test_jobs_run_and_end_with_their_exit_codes(
    make_scheduler: MakeScheduler,
    make_local: Callable[[], LocalExecutor],
    artifacts: LocalArtifactStore,
) -> None:
    scheduler = make_scheduler(make_local())
    ok = run(scheduler, "print('hello from', __import__('os').environ['ATLAS_JOB_ID'])")
    bad = run(scheduler, "import sys; print('oops', file=sys.stderr); sys.exit(3)")
    done = wait_final(scheduler, ok)
    assert (done.status, done.exit_code) == (JobStatus.COMPLETED, 0)
    assert f"hello from {ok}" in log_of(artifacts, ok)
    failed = wait_final(scheduler, bad)
    assert (failed.status, failed.exit_code) == (JobStatus.FAILED, 3)
    assert "oops" in log_of(artifacts, bad)
    assert scheduler.ledger.used_cpus == 0


def test_concurrent_jobs_see_disjoint_gpus(
    make_scheduler: MakeScheduler,
    make_local: Callable[[], LocalExecutor],
    tmp_path: Path,
    artifacts: LocalArtifactStore,
) -> None:
    scheduler = make_scheduler(make_local(), gpus=4)
    flag = tmp_path / "go"
    code = (
        "import os, time\nprint('gpus=' + os.environ['CUDA_VISIBLE_DEVICES'], flush=True)\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\n"
    )
    jobs = [run(scheduler, code, resources={"gpus": n}) for n in (2, 1, 1, 0)]
    wait_until(lambda: all("gpus=" in log_of(artifacts, j) for j in jobs if j), scheduler)
    seen = [
        log_of(artifacts, j).split("gpus=")[1].split()[0] if n else ""
        for j, n in zip(jobs, (2, 1, 1, 0), strict=True)
    ]
    # All four ran at once, each with exactly its GPUs.
    assert seen == ["0,1", "2", "3", ""]
    flag.touch()
    assert [wait_final(scheduler, j).status for j in jobs] == [JobStatus.COMPLETED] * 4


def test_cancel_kills_the_whole_process_tree(
    make_scheduler: MakeScheduler, make_local: Callable[[], LocalExecutor], tmp_path: Path
) -> None:
    scheduler = make_scheduler(make_local())
    child_pid = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(child_pid)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    job = run(scheduler, code)
    wait_until(child_pid.exists, scheduler)
    wait_until(lambda: child_pid.read_text().strip(), scheduler)
    pid = int(child_pid.read_text())
    scheduler.cancel(job)
    assert wait_final(scheduler, job).status == JobStatus.CANCELLED
    wait_until(
        lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie", scheduler
    )


def test_a_timeout_kills_the_job_and_it_fails(
    make_scheduler: MakeScheduler, make_local: Callable[[], LocalExecutor]
) -> None:
    scheduler = make_scheduler(make_local())
    job = run(scheduler, "import time; time.sleep(600)", timeout=0.5)
    ended = wait_final(scheduler, job)
    assert ended.status == JobStatus.FAILED
    assert ended.error is not None
    assert ended.error.type == "Timeout"
    assert "timeout of 0.5 seconds" in ended.error.message


def test_a_restart_mid_job_adopts_it_and_keeps_its_log(
    make_scheduler: MakeScheduler,
    make_local: Callable[[], LocalExecutor],
    tmp_path: Path,
    artifacts: LocalArtifactStore,
) -> None:
    first = make_scheduler(make_local())
    flag = tmp_path / "go"
    code = (
        "import os, time\nprint('before', flush=True)\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\n"
        "print('after', flush=True)\n"
    )
    survivor = run(first, code)
    down = tmp_path / "down"
    ends_while_down = run(
        first,
        f"import os, sys, time\nwhile not os.path.exists({str(down)!r}): time.sleep(0.01)\n"
        "sys.exit(4)",
    )
    wait_until(lambda: "before" in log_of(artifacts, survivor), first)
    running = (survivor, ends_while_down)
    wait_until(
        lambda: all(first.store.get_job(j).status == JobStatus.RUNNING for j in running), first
    )
    # The server stops: nothing more is ticked; one job ends meanwhile.
    down.touch()
    exit_record = tmp_path / "work" / ends_while_down / CONTROL_DIR / "exit.json"
    wait_until(exit_record.exists, _Idle())
    second = make_scheduler(make_local())
    report = reconcile(second)
    assert sorted(report.adopted) == sorted([survivor, ends_while_down])
    ended = wait_final(second, ends_while_down)
    assert (ended.status, ended.exit_code) == (JobStatus.FAILED, 4)
    flag.touch()
    done = wait_final(second, survivor)
    assert done.status == JobStatus.COMPLETED
    log = log_of(artifacts, survivor)
    assert log.index("before") < log.index("after")
    assert os.environ.get("ATLAS_JOB_ID") is None


def test_with_a_remote_artifact_store_the_log_and_snapshot_travel(
    store: SqlStore, make_local: Callable[[], LocalExecutor], tmp_path: Path
) -> None:
    import hashlib
    import io
    import tarfile
    import uuid

    remote = FsspecArtifactStore(f"memory://atlas-test-{uuid.uuid4().hex}")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        content = b"print('from the snapshot')\n"
        info = tarfile.TarInfo("main.py")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    sha = hashlib.sha256(buffer.getvalue()).hexdigest()
    remote.write(snapshot_relpath(sha), [buffer.getvalue()])
    scheduler = Scheduler(
        store,
        make_local(),
        inventory(),
        files=JobFiles(remote, tmp_path / "work"),
        server_url="http://127.0.0.1:9",
    )
    job = scheduler.submit(
        JobSpec(
            kind=JobKind.SCHEDULED,
            project="p",
            command=f"{sys.executable} main.py",
            snapshot=sha,
            env_mode="none",
        )
    )
    assert wait_final(scheduler, job.id).status == JobStatus.COMPLETED
    log = b"".join(remote.open_read(log_path(job.id))).decode()
    assert "from the snapshot" in log
    assert not (tmp_path / "work" / "logs" / f"{job.id}.txt").exists()
