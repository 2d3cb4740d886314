"""Sweeps in the store, on SQLite and PostgreSQL: a trial's row is written with its job in
one transaction, numbered per sweep; trials end once; sweeps go with their project."""

from __future__ import annotations

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus, SweepError, SweepStatus, TrialState
from atlas.errors import InvalidInputError, NotFoundError
from atlas.store.api import JobQuery
from atlas.store.sql_store import SqlStore


def new_sweep(store: SqlStore, project: str = "hpo") -> str:
    sweep = store.create_sweep(
        project=project, name="lr", user="ada", spec={"trials": 3}, snapshot=None,
        trials=3, parallel=2,
    )  # fmt: skip
    return sweep.id


def trial_spec(sweep_id: str, lr: float, project: str = "hpo") -> JobSpec:
    return JobSpec(
        project=project, kind=JobKind.SWEEP_TRIAL, command="python train.py",
        params={"lr": lr}, sweep_id=sweep_id,
    )  # fmt: skip


def test_a_sweep_is_created_running_and_read_back(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    sweep = store.get_sweep(sweep_id)
    assert (sweep.project, sweep.name, sweep.user, sweep.status) == (
        "hpo", "lr", "ada", SweepStatus.RUNNING,
    )  # fmt: skip
    assert (sweep.spec, sweep.trials, sweep.parallel, sweep.finished_at) == (
        {"trials": 3},
        3,
        2,
        None,
    )
    assert sweep.counts == dict.fromkeys(TrialState, 0)
    assert [s.id for s in store.list_sweeps("hpo")] == [sweep_id]
    assert store.list_sweep_ids(SweepStatus.RUNNING) == [sweep_id]


def test_trials_are_written_with_their_jobs_numbered_per_sweep(store: SqlStore) -> None:
    store.upgrade()
    first, second = new_sweep(store), new_sweep(store)
    jobs = [store.submit_job(trial_spec(first, lr)) for lr in (0.1, 0.2)]
    other = store.submit_job(trial_spec(second, 0.3))
    trials = store.list_trials(first)
    assert [(t.number, t.job_id, t.params) for t in trials] == [
        (0, jobs[0].id, {"lr": 0.1}),
        (1, jobs[1].id, {"lr": 0.2}),
    ]
    assert all(t.state == TrialState.RUNNING and t.job_status == JobStatus.QUEUED for t in trials)
    assert [t.number for t in store.list_trials(second)] == [0]
    assert store.get_job(other.id).sweep_id == second
    page = store.list_jobs("hpo", JobQuery(filter=f'sweep = "{first}"'))
    assert {job.id for job in page.items} == {job.id for job in jobs}


def test_a_trial_of_an_unknown_sweep_writes_no_job(store: SqlStore) -> None:
    store.upgrade()
    store.create_project("hpo")
    with pytest.raises(NotFoundError):
        store.submit_job(trial_spec("0123456789abcdef", 0.1))
    assert store.list_jobs("hpo", JobQuery()).total == 0
    with pytest.raises(InvalidInputError):  # only a sweep-trial job names a sweep
        store.submit_job(JobSpec(project="hpo", kind=JobKind.SCHEDULED, sweep_id=new_sweep(store)))


def test_a_trial_ends_once(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    store.submit_job(trial_spec(sweep_id, 0.1))
    store.finish_trial(sweep_id, 0, state=TrialState.COMPLETE, values=[0.25])
    store.finish_trial(sweep_id, 0, state=TrialState.FAILED, error="too late")
    (trial,) = store.list_trials(sweep_id)
    assert (trial.state, trial.values, trial.error) == (TrialState.COMPLETE, (0.25,), None)
    assert trial.finished_at is not None
    assert store.get_sweep(sweep_id).counts[TrialState.COMPLETE] == 1
    with pytest.raises(ValueError, match="finite"):
        store.finish_trial(sweep_id, 0, state=TrialState.COMPLETE, values=[float("nan")])


def test_a_sweep_changes_status_error_and_budget(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    failed = store.update_sweep(
        sweep_id, status=SweepStatus.FAILED, error=SweepError("objective_missing", "no loss")
    )
    assert failed.finished_at is not None
    assert failed.error == SweepError("objective_missing", "no loss")
    again = store.update_sweep(sweep_id, status=SweepStatus.RUNNING, clear_error=True, trials=9)
    assert (again.status, again.error, again.finished_at, again.trials) == (
        SweepStatus.RUNNING, None, None, 9,
    )  # fmt: skip
    with pytest.raises(NotFoundError):
        store.update_sweep("0123456789abcdef", trials=1)


def test_sweeps_go_with_their_project(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    store.submit_job(trial_spec(sweep_id, 0.1))
    store.delete_project("hpo")
    with pytest.raises(NotFoundError):
        store.get_sweep(sweep_id)
    with pytest.raises(NotFoundError):
        store.list_trials(sweep_id)
