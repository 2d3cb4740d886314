"""An executor whose ``launch`` blocks (an engine that pulls an image, a cluster slow to
answer) holds up only the scheduler's own thread: submits, cancels and the scheduler's state
answer meanwhile, and what was asked is applied once the launch returns. The real
``Scheduler`` and store, with a recording executor whose launches of chosen jobs block."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from atlas.domain import JobStatus
from atlas.executors.base import LaunchSpec, ProcessHandle
from atlas.scheduler.scheduler import Scheduler, TickReport
from tests.scheduler.conftest import DEADLINE_S, RecordingExecutor, submit

MakeScheduler = Callable[..., Scheduler]
T = TypeVar("T")

LAUNCH_BLOCK_S = 3.0
"""The longest a slow launch blocks (the test lets it return sooner)."""
QUICK_S = 1.0
"""An answer slower than this waited for the launch."""


class SlowLaunches(RecordingExecutor):
    """Launches of the jobs in ``slow`` block until ``release`` is set, at most
    :data:`LAUNCH_BLOCK_S` seconds; ``entered`` is set once one blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.slow: set[str] = set()
        self.entered = threading.Event()
        self.release = threading.Event()

    def launch(self, spec: LaunchSpec) -> ProcessHandle:
        if spec.job_id in self.slow:
            self.entered.set()
            self.release.wait(LAUNCH_BLOCK_S)
        return super().launch(spec)


def quick(call: Callable[[], T]) -> T:
    """``call()``, which must answer within :data:`QUICK_S`."""
    start = time.monotonic()
    result = call()
    took = time.monotonic() - start
    assert took < QUICK_S, f"took {took:.2f} s: it waited for the launch"
    return result


def status(scheduler: Scheduler, job_id: str) -> JobStatus:
    return scheduler.store.get_job(job_id).status


def test_a_slow_launch_blocks_no_submit_cancel_or_state(make_scheduler: MakeScheduler) -> None:
    executor = SlowLaunches()
    scheduler = make_scheduler(executor, cpus=2)
    other = submit(scheduler, project="other")
    assert scheduler.tick(1.0).launched == [other]
    slow = submit(scheduler)
    executor.slow.add(slow)
    reports: list[TickReport] = []
    ticking = threading.Thread(target=lambda: reports.append(scheduler.tick(2.0)))
    ticking.start()
    try:
        assert executor.entered.wait(DEADLINE_S)
        waiting = quick(lambda: submit(scheduler))  # both CPU slots are held: it waits
        dropped = quick(lambda: submit(scheduler))
        assert quick(lambda: scheduler.cancel(dropped)).status == JobStatus.CANCELLED
        assert quick(lambda: scheduler.cancel(other)).status == JobStatus.STARTING
        assert executor.cancels == {other: 0.5}
        state = quick(scheduler.state)
        assert slow in state.running
        assert state.queue == [waiting]
        # Cancelled while its launch is under way: stopped as soon as it is launched.
        assert quick(lambda: scheduler.cancel(slow)).status == JobStatus.STARTING
        assert slow not in executor.cancels
    finally:
        executor.release.set()
        ticking.join(DEADLINE_S)
    assert [report.launched for report in reports] == [[slow]]
    assert executor.cancels == {other: 0.5, slow: 0.5}
    (active,) = [job for job in scheduler.store.list_active() if job.id == slow]
    assert active.launch is not None  # recorded: a restarted server adopts it
    executor.end(other, -15)
    executor.end(slow, -15)
    report = scheduler.tick(3.0)
    assert sorted(report.finished) == sorted([other, slow])
    assert report.launched == [waiting]
    assert status(scheduler, slow) == JobStatus.CANCELLED
    assert status(scheduler, other) == JobStatus.CANCELLED


def test_a_job_deleted_while_it_launches_is_killed_and_its_end_not_recorded(
    make_scheduler: MakeScheduler,
) -> None:
    executor = SlowLaunches()
    scheduler = make_scheduler(executor, cpus=1)
    slow = submit(scheduler)
    executor.slow.add(slow)
    ticking = threading.Thread(target=scheduler.tick, args=(1.0,))
    ticking.start()
    try:
        assert executor.entered.wait(DEADLINE_S)
        quick(lambda: scheduler.forget(slow))
        quick(lambda: scheduler.store.delete_job(slow))
    finally:
        executor.release.set()
        ticking.join(DEADLINE_S)
    assert executor.cancels == {slow: 0.0}  # killed, no grace
    executor.end(slow, -9)
    assert scheduler.tick(2.0).finished == [slow]
    nxt = submit(scheduler)
    assert scheduler.tick(3.0).launched == [nxt]  # its CPU slot was freed


def test_a_slow_launch_that_fails_frees_its_resources(make_scheduler: MakeScheduler) -> None:
    executor = SlowLaunches()
    scheduler = make_scheduler(executor, cpus=1)
    slow = submit(scheduler)
    executor.slow.add(slow)
    executor.fail_launch = RuntimeError("the engine said no")
    executor.release.set()  # it blocks for no time, then fails
    assert scheduler.tick(1.0).launched == []
    assert status(scheduler, slow) == JobStatus.FAILED
    executor.fail_launch = None
    nxt = submit(scheduler)
    assert scheduler.tick(2.0).launched == [nxt]
