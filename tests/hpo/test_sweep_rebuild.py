"""A sweep's study rebuilt by a new controller (a server restart) over the same store goes on
as the first controller's would: a grid runs each point once, QMC continues its sequence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atlas.domain import SweepStatus
from atlas.hpo.controller import SweepController
from atlas.scheduler.scheduler import Scheduler
from atlas.store.sql_store import SqlStore
from tests.hpo.test_controller import SPEC, log, setup
from tests.scheduler.conftest import RecordingExecutor


def run_one(
    controller: SweepController,
    scheduler: Scheduler,
    store: SqlStore,
    recorder: RecordingExecutor,
    sweep_id: str,
    now: float,
) -> dict[str, Any]:
    """Tick ``controller`` until its next trial is asked, then end that trial's job."""
    controller.tick(now)
    scheduler.tick(now)
    trial = store.list_trials(sweep_id)[-1]
    log(store, str(trial.job_id), (0, float(len(store.list_trials(sweep_id)))))
    recorder.end(str(trial.job_id))
    scheduler.tick(now + 0.5)
    return dict(trial.params)


def test_a_grid_restarted_after_each_trial_runs_each_point_once(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    space = {"x": {"type": "int", "low": 1, "high": 3}, "c": {"type": "categorical",
                                                             "choices": ["a", "b"]}}  # fmt: skip
    spec = {**SPEC, "sampler": {"name": "grid", "seed": 0}, "space": space, "parallel": 1,
            "params": [{"x": 2, "c": "b"}]}  # fmt: skip
    controller, scheduler, sweep_id = setup(store, make_scheduler, spec)
    assert store.get_sweep(sweep_id).trials == 7  # the param set, then the grid's 6 points
    seen = []
    for number in range(7):
        seen.append(run_one(controller, scheduler, store, recorder, sweep_id, 1.0 + number))
        controller = SweepController(store, scheduler)  # a restart: rebuilt from the rows
    controller.tick(10.0)
    assert seen[0] == {"x": 2, "c": "b"}
    # Optuna gives the grid's points to trial numbers in turn; the one the param set took
    # is found only from the other trials' grid points, which the rows must keep
    assert sorted((p["x"], p["c"]) for p in seen[1:]) == [(x, c) for x in (1, 2, 3) for c in "ab"]
    assert store.get_sweep(sweep_id).status == SweepStatus.COMPLETED


def test_a_qmc_sweep_restarted_asks_the_points_of_an_uninterrupted_one(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    spec = {**SPEC, "sampler": {"name": "qmc", "seed": 7}, "trials": 5, "parallel": 1}
    runs = []
    for restart in (False, True):
        controller, scheduler, sweep_id = setup(store, make_scheduler, spec)
        points = []
        for number in range(5):
            points.append(run_one(controller, scheduler, store, recorder, sweep_id, 1.0 + number))
            if restart:
                controller = SweepController(store, scheduler)
        runs.append(points)
    assert runs[1] == runs[0]
