"""A scheduler's start after a restart: the queue rebuilt from the store, running jobs
adopted or marked lost (the executor here records what it is asked)."""

from __future__ import annotations

from collections.abc import Callable

from atlas.domain import JobStatus
from atlas.scheduler.reconcile import reconcile
from atlas.scheduler.scheduler import Scheduler
from tests.scheduler.conftest import RecordingExecutor, submit

MakeScheduler = Callable[..., Scheduler]


def test_a_restart_keeps_the_queue_adopts_live_jobs_and_loses_the_rest(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    before = make_scheduler(gpus=4)
    alive, gone = submit(before, gpus=2), submit(before, gpus=1)
    before.tick(0.0)
    recorder.begun.add(alive)
    before.tick(1.0)
    queued = [submit(before, gpus=4, priority=p) for p in (0, 3)]
    # The server stops; `alive`'s launcher still runs, `gone`'s vanished without a trace.
    after_executor = RecordingExecutor()
    after_executor.adoptable = {alive}
    after = make_scheduler(after_executor, gpus=4)
    report = reconcile(after)
    assert (report.adopted, report.lost, report.queued) == ([alive], [gone], 2)
    assert after_executor.adopted[alive]["pid"] == 10_001
    assert after.store.get_job(alive).status == JobStatus.RUNNING
    lost = after.store.get_job(gone)
    assert lost.status == JobStatus.LOST
    assert lost.error is not None
    assert "process was gone" in lost.error.message
    assert after.state().queue == [queued[1], queued[0]]
    # The adopted job keeps its GPUs: the 4-GPU jobs wait for it.
    assert [holder for _, holder in after.state().gpus] == [alive, alive, None, None]
    assert after.tick(2.0).launched == []
    after_executor.end(alive, 0)
    report_tick = after.tick(3.0)
    assert report_tick.finished == [alive]
    assert report_tick.launched == [queued[1]]
    assert after.store.get_job(alive).status == JobStatus.COMPLETED


def test_a_job_that_never_launched_is_lost(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    before = make_scheduler()
    job = submit(before)
    before.store.start_job(job, resources={"cpus": 1, "gpus": 0, "memory": None})
    report = reconcile(make_scheduler(RecordingExecutor()))
    assert report.lost == [job]
    assert before.store.get_job(job).status == JobStatus.LOST


def test_queued_jobs_that_no_longer_fit_are_cancelled_with_the_reason(
    make_scheduler: MakeScheduler,
) -> None:
    before = make_scheduler(gpus=4)
    job = submit(before, gpus=4)
    fits = submit(before, gpus=1)
    report = reconcile(make_scheduler(RecordingExecutor(), gpus=2))
    assert report.cancelled == [job]
    assert report.queued == 1
    cancelled = before.store.get_job(job)
    assert cancelled.status == JobStatus.CANCELLED
    assert cancelled.error is not None
    assert "4 GPUs asked, 2 exist" in cancelled.error.message
    assert before.store.get_job(fits).status == JobStatus.QUEUED
