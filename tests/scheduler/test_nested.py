"""Nested jobs: a child borrows what its running ancestors hold, so a parent that waits for
its child never deadlocks; a child that still waits says what for.

Pure policy and ledger tests, then the scheduler over the recording executor, then a real
parent script that submits a child and waits for it on a one-slot server.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from atlas.domain import JobKind, JobSpec
from atlas.scheduler.policy import Free, one_room, plan, waiting_for
from atlas.scheduler.queue import JobQueue
from atlas.scheduler.resources import Loan, NodeLedger, Request
from atlas.scheduler.scheduler import Scheduler
from tests.cli.conftest import clean_env
from tests.scheduler.conftest import GIB, RecordingExecutor
from tests.sdk.conftest import ServerProcess

NOTHING_FREE = Free(cpus=0, memory=0, gpus=0)


def queue_of(*jobs: tuple[str, Request, str | None]) -> JobQueue:
    queue = JobQueue()
    for at, (job_id, request, parent) in enumerate(jobs):
        queue.add(job_id, priority=0, queued_at=float(at), request=request, parent_id=parent)
    return queue


def test_a_child_starts_on_its_running_parents_slot() -> None:
    queue = queue_of(("child", Request(cpus=1), "parent"), ("other", Request(cpus=1), None))
    chosen = plan(queue, one_room(NOTHING_FREE), lenders={"parent": Free(1, 0, 0)}, parents={})
    assert [e.job_id for e in chosen.starts] == ["child"]
    assert chosen.loans == {"child": Loan(lender="parent", cpus=1, memory=0)}
    assert chosen.reserved == "other"  # a job that is not the parent's never borrows


def test_a_child_borrows_only_a_whole_ask_and_never_gpus() -> None:
    lenders = {"parent": Free(2, 4 * GIB, 0)}
    too_big = queue_of(("child", Request(cpus=3), "parent"))
    assert plan(too_big, one_room(NOTHING_FREE), lenders=lenders).starts == []
    needs_gpu = queue_of(("child", Request(cpus=1, gpus=1), "parent"))
    assert plan(needs_gpu, one_room(NOTHING_FREE), lenders=lenders).starts == []
    gpu_free = plan(needs_gpu, one_room(Free(0, 0, 1)), lenders=lenders)
    assert [e.job_id for e in gpu_free.starts] == ["child"]  # CPUs lent, the GPU was free
    too_much_memory = queue_of(("child", Request(cpus=1, memory=8 * GIB), "parent"))
    assert plan(too_much_memory, one_room(NOTHING_FREE), lenders=lenders).starts == []


def test_two_children_share_what_the_parent_can_lend() -> None:
    queue = queue_of(("a", Request(cpus=1), "p"), ("b", Request(cpus=1), "p"))
    chosen = plan(queue, one_room(NOTHING_FREE), lenders={"p": Free(1, 0, 0)})
    assert [e.job_id for e in chosen.starts] == ["a"]


def test_a_grandchild_borrows_from_its_grandparent() -> None:
    queue = queue_of(("grandchild", Request(cpus=2), "child"))
    lenders = {"child": Free(1, 0, 0), "root": Free(2, 0, 0)}
    chosen = plan(queue, one_room(NOTHING_FREE), lenders=lenders, parents={"child": "root"})
    assert chosen.loans == {"grandchild": Loan(lender="root", cpus=2, memory=0)}


def test_the_ledger_counts_a_loan_against_the_lender_not_the_machine() -> None:
    ledger = NodeLedger(cpus=2, memory=8 * GIB, gpus=[0])
    ledger.take("parent", Request(cpus=2, memory=4 * GIB))
    loan = Loan(lender="parent", cpus=1, memory=1 * GIB)
    ledger.take("child", Request(cpus=1, memory=1 * GIB, gpus=1), loan=loan)
    assert (ledger.used_cpus, ledger.used_memory, ledger.free_gpus) == (2, 4 * GIB, [])
    assert ledger.lendable(["parent", "child"]) == {
        "parent": (1, 3 * GIB),
        "child": (1, 1 * GIB),
    }
    ledger.release("parent")  # the parent ended first: the child's loan is its own now
    assert (ledger.used_cpus, ledger.used_memory) == (1, 1 * GIB)
    ledger.release("child")
    assert (ledger.used_cpus, ledger.used_memory, ledger.free_gpus) == (0, 0, [0])


def test_a_waiting_job_says_what_it_waits_for() -> None:
    child = queue_of(("child", Request(cpus=2, memory=20 * GIB), "parent")).head(1)[0]
    text = waiting_for(child, Free(0, 1 * GIB, 0), parent_holds=Free(1, 2 * GIB, 0))
    assert text.startswith("2 CPU slots (0 free), 20.0 GiB of memory (1.0 GiB free); ")
    assert "its parent job parent holds 1 CPU slot and 2.0 GiB of memory" in text
    behind = queue_of(("small", Request(cpus=1), None)).head(1)[0]
    assert waiting_for(behind, Free(1, 0, 0), reserved="big") == (
        "job big, first in line for what frees up"
    )
    assert waiting_for(behind, Free(0, 0, 0)) == "1 CPU slot (0 free)"


def child_spec(parent: str | None, *, cpus: int = 1) -> JobSpec:
    return JobSpec(
        project="nested",
        kind=JobKind.SCHEDULED,
        command="python child.py",
        resources={"cpus": cpus},
        parent_id=parent,
        env_mode="none",
    )


def test_the_scheduler_lends_a_running_parents_slot(
    make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=1)
    parent = scheduler.submit(child_spec(None)).id
    scheduler.tick(1.0)
    stranger = scheduler.submit(child_spec(None)).id
    child = scheduler.submit(child_spec(parent)).id
    scheduler.tick(2.0)
    assert recorder.launched == [parent, child]
    state = scheduler.state()
    assert state.cpus_used == 1  # the child runs on the parent's slot
    assert state.queue == [stranger]
    assert state.waiting_for[stranger] == "1 CPU slot (0 free)"
    recorder.end(child)
    recorder.end(parent)
    scheduler.tick(3.0)
    assert recorder.launched == [parent, child, stranger]


PARENT = """\
import sys
import atlas
child = atlas.submit(["python", "child.py"], env="none")
print("child", child.id, flush=True)
status = child.wait(timeout=60)
print("child ended", status, flush=True)
sys.exit(0 if str(status) == "completed" else 1)
"""


def test_a_parent_waiting_for_its_child_on_a_one_slot_server_completes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "atlas.toml").write_text("cpus = 1\n")
    code = tmp_path / "code"
    code.mkdir()
    (code / "parent.py").write_text(PARENT)
    (code / "child.py").write_text("print('child ran')\n")
    server = ServerProcess(home)
    server.start()
    try:
        submitted = subprocess.run(
            [sys.executable, "-m", "atlas", "submit", "--no-follow", "-p", "nested",
             "--env", "none", str(code), "python", "parent.py"],
            env=clean_env(tmp_path / "client", ATLAS_URL=server.url),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert submitted.returncode == 0, submitted.stderr
        parent = submitted.stdout.strip()
        status = wait_final(server, parent)
        log = httpx.get(f"{server.url}/api/v1/jobs/{parent}/log", timeout=10).text
        assert status == "completed", f"parent is {status}; its log:\n{log}\n{server.output()}"
        assert "child ended completed" in log
        child = re.search(r"child ([0-9a-z]{16})", log)
        assert child is not None, log
        job = httpx.get(f"{server.url}/api/v1/jobs/{child.group(1)}", timeout=10).json()
        assert (job["status"], job["parent_id"]) == ("completed", parent)
    finally:
        server.stop()


def wait_final(server: ServerProcess, job_id: str) -> str:
    deadline = time.monotonic() + 90
    status = "queued"
    while time.monotonic() < deadline:
        status = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=10).json()["status"]
        if status in ("completed", "failed", "cancelled", "lost"):
            break
        time.sleep(0.1)
    return str(status)


def test_atlas_queue_shows_what_each_job_waits_for_and_a_standby(
    make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    from atlas.cli.queue import queue_table, resources_line
    from atlas.sdk.scheduling import parse_scheduler_state
    from atlas.server.auth.access import Caller
    from atlas.server.auth.credentials import SERVER
    from atlas.server.routes.scheduler import _state

    scheduler = make_scheduler(cpus=1)
    parent = scheduler.submit(child_spec(None)).id
    scheduler.tick(1.0)
    waiting = scheduler.submit(child_spec(None)).id
    everyone = Caller(SERVER, auth=False)  # authentication off: every job is shown
    body = _state(scheduler, scheduler.store, 100, everyone).model_dump(mode="json")
    assert body["mode"] == "active"
    assert body["waiting_for"] == {waiting: "1 CPU slot (0 free)"}
    state = parse_scheduler_state(body)
    table = queue_table(state)
    assert "WAITING FOR" in table
    assert "1 CPU slot (0 free)" in table
    assert "stands by" not in resources_line(state)
    scheduler.active = False  # as a server in standby sees it: read from the store
    standby = parse_scheduler_state({**body, "mode": scheduler.state().mode})
    assert "this server stands by" in resources_line(standby)
    assert scheduler.state().running == [parent]
