"""The scheduler stepped by ``tick(now)`` over a real store, with an executor that records
launches (the test decides when each job's process begins and ends)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atlas.domain import JobSpec, JobStatus
from atlas.errors import ConflictError, InvalidTransitionError, ResourceUnavailableError
from atlas.scheduler.scheduler import Scheduler
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import RecordingExecutor, submit

MakeScheduler = Callable[..., Scheduler]


def status(scheduler: Scheduler, job_id: str) -> JobStatus:
    return scheduler.store.get_job(job_id).status


def test_a_job_goes_from_queued_to_completed(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler()
    job = submit(scheduler, command="python train.py --lr '0.1 0.2'")
    report = scheduler.tick(0.0)
    assert report.launched == [job]
    assert status(scheduler, job) == JobStatus.STARTING
    spec = recorder.specs[job]
    assert spec.command == ["python", "train.py", "--lr", "0.1 0.2"]
    assert spec.log_path.name == "log.txt"
    assert spec.job.env_mode == "none"
    recorder.begun.add(job)
    assert scheduler.tick(1.0).running == [job]
    assert status(scheduler, job) == JobStatus.RUNNING
    recorder.end(job, 0)
    assert scheduler.tick(2.0).finished == [job]
    done = scheduler.store.get_job(job)
    assert (done.status, done.exit_code, done.error) == (JobStatus.COMPLETED, 0, None)
    assert done.started_at is not None
    assert scheduler.ledger.free_cpus == 8


def test_a_job_that_ends_between_two_ticks_still_ran(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler()
    ok, bad = submit(scheduler), submit(scheduler)
    scheduler.tick(0.0)
    recorder.end(ok, 0)
    recorder.end(bad, 3)
    scheduler.tick(1.0)
    assert scheduler.store.get_job(ok).status == JobStatus.COMPLETED
    failed = scheduler.store.get_job(bad)
    assert (failed.status, failed.exit_code) == (JobStatus.FAILED, 3)
    assert failed.error is not None
    assert failed.error.message == "exit code 3"


def test_priority_first_then_submission_order(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=1)
    low = submit(scheduler, priority=0)
    high1 = submit(scheduler, priority=5)
    high2 = submit(scheduler, priority=5)
    order = []
    for step in range(3):
        launched = scheduler.tick(float(step)).launched
        order += launched
        recorder.end(launched[0])
    assert order == [high1, high2, low]


def test_reordering_by_priority(make_scheduler: MakeScheduler, recorder: RecordingExecutor) -> None:
    scheduler = make_scheduler(cpus=1)
    first = submit(scheduler)
    later = [submit(scheduler) for _ in range(3)]
    assert scheduler.tick(0.0).launched == [first]
    job = scheduler.set_priority(later[2], 10)
    assert job.priority == 10
    assert scheduler.state().queue == [later[2], later[0], later[1]]
    recorder.end(first)
    assert scheduler.tick(1.0).launched == [later[2]]


def test_concurrent_jobs_get_disjoint_gpus(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(gpus=4)
    two, one_a, one_b, waiting = (
        submit(scheduler, gpus=2),
        submit(scheduler, gpus=1),
        submit(scheduler, gpus=1),
        submit(scheduler, gpus=1),
    )
    assert scheduler.tick(0.0).launched == [two, one_a, one_b]
    sets = [set(recorder.specs[j].allocation.gpus) for j in (two, one_a, one_b)]
    assert sets == [{0, 1}, {2}, {3}]
    stored = scheduler.store.get_job(two).resources
    assert stored == {"cpus": 1, "gpus": 2, "memory": None, "gpu_indices": [0, 1]}
    state = scheduler.state()
    assert [holder for _, holder in state.gpus] == [two, two, one_a, one_b]
    assert state.reservation == waiting
    recorder.end(one_a)
    assert scheduler.tick(1.0).launched == [waiting]
    assert recorder.specs[waiting].allocation.gpus == (2,)


def test_no_head_of_line_blocking(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=8, gpus=4)
    holder = submit(scheduler, gpus=2)
    scheduler.tick(0.0)
    big = submit(scheduler, gpus=4)  # must wait for `holder`
    small = [submit(scheduler, cpus=1) for _ in range(3)]
    report = scheduler.tick(1.0)
    assert report.launched == small  # the CPU-only jobs run meanwhile
    assert scheduler.state().reservation == big
    recorder.end(holder)
    assert scheduler.tick(2.0).launched == [big]


def test_a_large_job_is_never_starved_by_a_stream_of_small_ones(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    """One-GPU jobs keep arriving, one ending as the next comes; without a reservation
    there would always be a GPU taken and the 4-GPU job would wait forever."""
    scheduler = make_scheduler(cpus=64, gpus=4)
    running = [submit(scheduler, gpus=1) for _ in range(4)]
    scheduler.tick(0.0)
    big = submit(scheduler, gpus=4)
    started_after_big: list[str] = []
    for step in range(1, 50):
        recorder.end(running.pop(0))
        newcomer = submit(scheduler, gpus=1)
        launched = scheduler.tick(float(step)).launched
        if big in launched:
            break
        started_after_big += launched
        running += launched
        assert scheduler.state().reservation == big
    else:
        pytest.fail("the 4-GPU job never started")
    assert started_after_big == []  # no newcomer overtook it
    assert step == 4  # it started as soon as the four jobs ahead of it ended
    assert recorder.specs[big].allocation.gpus == (0, 1, 2, 3)
    assert status(scheduler, newcomer) == JobStatus.QUEUED


def test_an_impossible_request_is_refused_and_nothing_is_written(
    make_scheduler: MakeScheduler, store: SqlStore
) -> None:
    scheduler = make_scheduler(cpus=4, gpus=2)
    with pytest.raises(ResourceUnavailableError) as raised:
        submit(scheduler, gpus=3)
    assert "3 GPUs asked, 2 exist" in raised.value.message
    with pytest.raises(ResourceUnavailableError, match="16 CPU slots asked, 4 exist"):
        submit(scheduler, cpus=16)
    with pytest.raises(ResourceUnavailableError) as raised:
        submit(scheduler, memory=20 << 40)
    assert "20.0 TiB of memory asked, 64.0 GiB exist" in raised.value.message
    assert store.list_projects() == []


def test_cancelling_a_queued_job_is_immediate(make_scheduler: MakeScheduler) -> None:
    scheduler = make_scheduler(cpus=1)
    submit(scheduler)
    queued = submit(scheduler)
    scheduler.tick(0.0)
    assert scheduler.cancel(queued).status == JobStatus.CANCELLED
    assert scheduler.state().queue == []
    with pytest.raises(InvalidTransitionError, match="already ended"):
        scheduler.cancel(queued)


def test_cancelling_a_running_job_stops_it_and_it_ends_cancelled(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler()
    job = submit(scheduler)
    scheduler.tick(0.0)
    recorder.begun.add(job)
    scheduler.tick(1.0)
    assert scheduler.cancel(job).status == JobStatus.RUNNING
    assert recorder.cancels == {job: 0.5}
    recorder.end(job, -15)  # killed by SIGTERM
    scheduler.tick(2.0)
    assert status(scheduler, job) == JobStatus.CANCELLED


def test_a_local_job_cannot_be_cancelled_by_the_scheduler(
    make_scheduler: MakeScheduler, store: SqlStore
) -> None:
    scheduler = make_scheduler()
    local = store.create_job(JobSpec("vision"))
    with pytest.raises(ConflictError, match="does not run"):
        scheduler.cancel(local.id)


def test_a_job_past_its_timeout_is_stopped_and_fails(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler()
    job = submit(scheduler, timeout=10.0)
    scheduler.tick(0.0)
    recorder.begun.add(job)
    scheduler.tick(100.0)  # its command starts: the timeout counts from here
    assert scheduler.tick(109.0).timed_out == []
    assert scheduler.tick(110.0).timed_out == [job]
    assert recorder.cancels == {job: 0.5}
    recorder.end(job, -15, JobStatus.CANCELLED)
    scheduler.tick(111.0)
    ended = scheduler.store.get_job(job)
    assert ended.status == JobStatus.FAILED
    assert ended.error is not None
    assert ended.error.type == "Timeout"
    assert "timeout of 10 seconds" in ended.error.message


def test_clearing_one_projects_queue_never_touches_another(
    make_scheduler: MakeScheduler, store: SqlStore
) -> None:
    scheduler = make_scheduler(cpus=1)
    running = submit(scheduler, project="a")
    scheduler.tick(0.0)
    queued_a = [submit(scheduler, project="a") for _ in range(2)]
    queued_b = [submit(scheduler, project="b") for _ in range(2)]
    assert sorted(scheduler.clear_queue("a")) == sorted(queued_a)
    assert [status(scheduler, j) for j in queued_a] == [JobStatus.CANCELLED] * 2
    assert [status(scheduler, j) for j in queued_b] == [JobStatus.QUEUED] * 2
    assert status(scheduler, running) == JobStatus.STARTING
    assert scheduler.state().queue == queued_b
    assert sorted(scheduler.clear_queue()) == sorted(queued_b)
    assert scheduler.state().queue_total == 0


def test_a_job_that_cannot_launch_fails_and_frees_its_resources(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=1)
    recorder.fail_launch = OSError("no such interpreter")
    broken = submit(scheduler)
    scheduler.tick(0.0)
    failed = scheduler.store.get_job(broken)
    assert failed.status == JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.message == "no such interpreter"
    recorder.fail_launch = None
    fine = submit(scheduler)
    assert scheduler.tick(1.0).launched == [fine]


def test_a_rerun_repeats_the_job_with_merged_params(make_scheduler: MakeScheduler) -> None:
    scheduler = make_scheduler()
    first = scheduler.store.get_job(submit(scheduler, gpus=1, timeout=60.0))
    scheduler.store.set_params(first.id, {"lr": 0.1, "layers": 3})
    scheduler.tick(0.0)
    again = scheduler.rerun(first.id, {"lr": 0.01})
    assert again.rerun_of == first.id
    assert again.params == {"lr": 0.01, "layers": 3}
    assert (again.command, again.timeout, again.env_mode) == (first.command, 60.0, "none")
    assert again.resources == {"cpus": 1, "gpus": 1, "memory": None}
    assert again.status == JobStatus.QUEUED


def test_deleting_a_running_job_kills_it_without_recording_its_end(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor, store: SqlStore
) -> None:
    scheduler = make_scheduler()
    job = submit(scheduler)
    scheduler.tick(0.0)
    scheduler.forget(job)
    assert recorder.cancels == {job: 0.0}
    store.delete_job(job)
    recorder.end(job, -9)
    assert scheduler.tick(1.0).finished == [job]
    assert scheduler.ledger.free_cpus == 8


def test_the_thread_dispatches_at_once_when_woken(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    import threading

    scheduler = make_scheduler()
    launched = threading.Event()
    original = recorder.launch

    def launch_and_tell(spec):  # type: ignore[no-untyped-def]
        handle = original(spec)
        launched.set()
        return handle

    recorder.launch = launch_and_tell  # type: ignore[method-assign]
    scheduler.start()
    try:
        assert recorder.callback is not None
        submit(scheduler)
        # The idle thread waits up to a minute: only the submit's wake-up can start it.
        assert launched.wait(5.0)
    finally:
        scheduler.stop()
    assert recorder.callback is None
