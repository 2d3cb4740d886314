"""The controller stepped by ``tick(now)`` over a real store and scheduler whose executor
launches nothing (the test says when each trial's job starts and ends, and what it logged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atlas.domain import JobStatus, SweepStatus, TrialState
from atlas.hpo.controller import SweepController
from atlas.scheduler.scheduler import Scheduler
from atlas.store.api import SeriesBatch
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import RecordingExecutor

SPEC: dict[str, Any] = {
    "command": "python train.py",
    "objective": "loss",
    "sampler": {"name": "random", "seed": 1},
    "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
}


def log(store: SqlStore, job_id: str, *points: tuple[int, float]) -> None:
    steps = [step for step, _ in points]
    values = [value for _, value in points]
    batch = SeriesBatch("loss", steps, [1.7e9 + step for step in steps], values)
    store.append_metrics(job_id, [batch])


def setup(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], spec: dict[str, Any]
) -> tuple[SweepController, Scheduler, str]:
    store.upgrade()
    scheduler = make_scheduler(cpus=4)
    controller = SweepController(store, scheduler)
    checked = controller.check(spec, project="hpo", snapshot=None)
    sweep = controller.create(checked, project="hpo", user="ada", snapshot=None)
    return controller, scheduler, sweep.id


def test_each_tick_tells_what_ended_and_asks_up_to_parallel(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    controller, scheduler, sweep_id = setup(
        store, make_scheduler, {**SPEC, "trials": 3, "parallel": 2}
    )
    controller.tick(1.0)
    trials = store.list_trials(sweep_id)
    assert [t.number for t in trials] == [0, 1]  # parallel 2 of a budget of 3
    scheduler.tick(1.0)
    assert sorted(recorder.launched) == sorted(t.job_id for t in trials)
    first = trials[0]
    log(store, str(first.job_id), (0, 0.9), (1, 0.4))
    recorder.end(str(first.job_id))
    scheduler.tick(2.0)
    controller.tick(2.0)
    trials = store.list_trials(sweep_id)
    assert (trials[0].state, trials[0].values) == (TrialState.COMPLETE, (0.4,))
    assert [t.number for t in trials] == [0, 1, 2]  # its slot went to the last trial
    scheduler.tick(3.0)
    recorder.end(str(trials[1].job_id), exit_code=1)
    recorder.end(str(trials[2].job_id))  # ended without logging the objective
    scheduler.tick(4.0)
    controller.tick(4.0)
    trials = store.list_trials(sweep_id)
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAILED, TrialState.FAILED]
    assert trials[2].error == "trial 2 logged no metric loss"
    assert store.get_sweep(sweep_id).status == SweepStatus.COMPLETED
    assert controller.search_count() == 0


def test_a_pruned_trial_is_cancelled_through_the_scheduler(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    spec = {
        **SPEC,
        "pruner": {"name": "median", "options": {"n_startup_trials": 1, "n_warmup_steps": 0}},
        "params": [{"x": 0.1}, {"x": 0.9}],
        "trials": 2,
    }
    controller, scheduler, sweep_id = setup(store, make_scheduler, spec)
    controller.tick(1.0)
    scheduler.tick(1.0)
    (good,) = store.list_trials(sweep_id)
    log(store, str(good.job_id), (0, 0.5), (1, 0.2))
    recorder.end(str(good.job_id))
    scheduler.tick(2.0)
    controller.tick(2.0)
    bad = store.list_trials(sweep_id)[1]
    scheduler.tick(3.0)
    recorder.begun.add(str(bad.job_id))
    scheduler.tick(3.5)  # it runs
    log(store, str(bad.job_id), (0, 0.9), (1, 0.8))
    controller.tick(4.0)
    bad = store.list_trials(sweep_id)[1]
    assert (bad.state, bad.pruned_step) == (TrialState.PRUNED, 1)
    assert str(bad.job_id) in recorder.cancels  # the scheduler's own cancel
    recorder.end(str(bad.job_id), status=JobStatus.CANCELLED)
    scheduler.tick(5.0)
    job = store.get_job(str(bad.job_id))
    assert job.status == JobStatus.CANCELLED
    assert job.error is not None
    assert (job.error.type, job.error.message) == (
        "pruned",
        "pruned by the median pruner at step 1",
    )
    controller.tick(5.0)
    assert store.get_sweep(sweep_id).status == SweepStatus.COMPLETED


def test_a_trial_that_ended_before_the_stop_keeps_its_objective(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    controller, scheduler, sweep_id = setup(
        store, make_scheduler, {**SPEC, "trials": 3, "parallel": 2}
    )
    controller.tick(1.0)
    scheduler.tick(1.0)
    done, _cancelled = store.list_trials(sweep_id)
    log(store, str(done.job_id), (0, 0.25))
    recorder.end(str(done.job_id))
    scheduler.tick(2.0)  # its job completed; the controller has not seen it yet
    controller.stop(sweep_id)
    trials = store.list_trials(sweep_id)
    assert trials[0].state == TrialState.RUNNING  # its job could not be cancelled: it ended
    assert (trials[1].state, trials[1].error) == (TrialState.FAILED, "stopped with the sweep")
    controller.tick(3.0)
    trials = store.list_trials(sweep_id)
    assert (trials[0].state, trials[0].values) == (TrialState.COMPLETE, (0.25,))
    sweep = store.get_sweep(sweep_id)
    assert (sweep.status, sweep.counts.get(TrialState.RUNNING, 0)) == (SweepStatus.STOPPED, 0)
    assert sweep.counts[TrialState.COMPLETE] == 1


def test_a_sweep_whose_trials_all_fail_fails_with_the_most_common_reason(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    controller, scheduler, sweep_id = setup(
        store, make_scheduler, {**SPEC, "trials": 10, "parallel": 3}
    )
    controller.tick(1.0)
    scheduler.tick(1.0)
    for trial in store.list_trials(sweep_id):
        recorder.end(str(trial.job_id), exit_code=1)
    scheduler.tick(2.0)
    controller.tick(2.0)
    sweep = store.get_sweep(sweep_id)
    assert sweep.status == SweepStatus.FAILED
    assert sweep.error is not None
    assert sweep.error.code == "trials_failed"
    assert sweep.error.message == (
        "its first 3 trials failed, none completed; most often: its job ended failed: "
        "exit code 1 (3 of 3)"
    )


def test_a_sweep_is_never_completed_without_a_complete_trial(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    controller, scheduler, sweep_id = setup(store, make_scheduler, {**SPEC, "trials": 2})
    for now in (1.0, 2.0):
        controller.tick(now)
        scheduler.tick(now)
        (trial,) = [t for t in store.list_trials(sweep_id) if t.state == TrialState.RUNNING]
        recorder.end(str(trial.job_id), exit_code=2)
        scheduler.tick(now + 0.5)
    controller.tick(3.0)
    sweep = store.get_sweep(sweep_id)
    assert sweep.status == SweepStatus.FAILED
    assert sweep.error is not None
    assert (sweep.error.code, sweep.error.message) == (
        "trials_failed",
        "none of its 2 trials completed; most often: its job ended failed: exit code 2 (2 of 2)",
    )
