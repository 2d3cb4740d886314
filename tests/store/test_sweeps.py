"""Sweeps in the store, on SQLite and PostgreSQL: a trial's row is written with its job in
one transaction, numbered per sweep; trials end once; sweeps go with their project; the
Optuna system attributes of trials and studies are kept, so a grid rebuilt from the rows
visits each point once."""

from __future__ import annotations

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus, SweepError, SweepStatus, TrialState
from atlas.errors import InvalidInputError, NotFoundError
from atlas.hpo.spec import parse_spec
from atlas.hpo.study import Search
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


def test_optuna_system_attributes_are_kept_as_json(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    store.submit_job(trial_spec(sweep_id, 0.1))
    assert store.list_trials(sweep_id)[0].system_attrs == {}
    assert store.get_sweep(sweep_id).system_attrs == {}
    trial_attrs = {"grid_id": 4, "search_space": {"lr": [0.1, 0.2]}, "cma:optimizer:0": "8003"}
    study_attrs = {"qmc (sobol, True, 0)": 2, "note": None, "flag": True, "x": [0.5, "é"]}
    store.save_system_attrs(sweep_id, 0, trial_attrs=trial_attrs, study_attrs=study_attrs)
    store.finish_trial(sweep_id, 0, state=TrialState.PRUNED, pruned_step=2)
    store.save_system_attrs(
        sweep_id, 0, trial_attrs={**trial_attrs, "completed_rung_0": 0.25}, study_attrs={}
    )
    (trial,) = store.list_trials(sweep_id)
    assert trial.state == TrialState.PRUNED
    assert trial.system_attrs == {**trial_attrs, "completed_rung_0": 0.25}
    assert store.get_sweep(sweep_id).system_attrs == {}
    store.save_system_attrs(sweep_id, 0, trial_attrs={}, study_attrs=study_attrs)
    assert store.get_sweep(sweep_id).system_attrs == study_attrs
    for bad in ({"x": float("nan")}, {"x": object()}):  # refused, not stored as something else
        with pytest.raises(ValueError, match="JSON"):
            store.save_system_attrs(sweep_id, 0, trial_attrs=bad, study_attrs={})
    assert store.list_trials(sweep_id)[0].system_attrs == {}
    with pytest.raises(NotFoundError):
        store.save_system_attrs("0123456789abcdef", 0, trial_attrs={}, study_attrs={})


def test_a_grid_sweep_rebuilt_from_the_store_visits_each_point_once(store: SqlStore) -> None:
    store.upgrade()
    sweep_id = new_sweep(store)
    space = {"lr": {"type": "categorical", "choices": [0.1, 0.2, 0.3, 0.4, 0.5]}}
    spec = parse_spec(
        {
            "command": "t",
            "objective": "loss",
            "space": space,
            "sampler": {"name": "grid", "seed": 0},
        }
    )
    seen = []
    for restart in range(5):  # a restart after each trial: rebuilt from the rows each time
        sweep = store.get_sweep(sweep_id)
        trials = store.list_trials(sweep_id)
        search = Search(spec, trials, name=sweep_id, study_attrs=sweep.system_attrs)
        number, params = search.ask()
        assert number == restart
        store.submit_job(trial_spec(sweep_id, float(params["lr"])))  # type: ignore[arg-type]
        search.tell(number, TrialState.COMPLETE, [1.0])
        store.finish_trial(sweep_id, number, state=TrialState.COMPLETE, values=[1.0])
        changed = search.changed_attrs(number)
        assert changed is not None
        store.save_system_attrs(sweep_id, number, trial_attrs=changed[0], study_attrs=changed[1])
        seen.append(params["lr"])
    assert sorted(seen) == [0.1, 0.2, 0.3, 0.4, 0.5]  # type: ignore[type-var]
