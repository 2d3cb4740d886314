"""What happens to trials on a real server: pruning stops one and frees its slot, a trial
that fails or never logs its objective is recorded with the reason and the sweep goes on (or
fails with the reason), several objectives give a Pareto front, stop cancels running trials,
and a seeded TPE sweep asks what Optuna asks in process."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import optuna

from tests.hpo.conftest import API, create_sweep, get, start_server, wait_sweep
from tests.sdk.conftest import ServerProcess

LEARNING_CURVE = """\
import time
import atlas
x = atlas.load_parameters()["x"]
for step in range(40):
    atlas.log_metric("loss", x + 1.0 / (step + 1), step=step)
    time.sleep(0.1)
"""
"""A trial whose loss curve sits ``x`` above the others' at every step: 4 s of steps."""


def trials_of(server: ServerProcess, sweep_id: str) -> list[dict[str, object]]:
    return list(get(server, f"/sweeps/{sweep_id}/trials")["items"])


def test_a_pruned_trial_is_stopped_and_frees_its_slot(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home", cpus=1)  # one trial at a time, whatever parallel
    try:
        spec = {
            "objective": "loss",
            "pruner": {"name": "median", "options": {"n_startup_trials": 2, "n_warmup_steps": 0}},
            "sampler": {"name": "random", "seed": 1},
            "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
            "params": [{"x": 0.1}, {"x": 0.2}, {"x": 0.9}, {"x": 0.12}],
            "trials": 4,
            "parallel": 2,
        }
        sweep = create_sweep(server, spec, code=LEARNING_CURVE)
        done = wait_sweep(server, sweep["id"])
        assert done["status"] == "completed", done
        trials = trials_of(server, sweep["id"])
        assert [t["state"] for t in trials] == ["complete", "complete", "pruned", "complete"]
        pruned = trials[2]
        assert isinstance(pruned["pruned_step"], int)
        assert pruned["pruned_step"] < 39
        assert (pruned["values"], pruned["job_status"]) == (None, "cancelled")
        job = get(server, f"/jobs/{pruned['job_id']}")
        assert job["status"] == "cancelled"
        assert job["error"]["type"] == "pruned"
        assert f"median pruner at step {pruned['pruned_step']}" in job["error"]["message"]
        # the last trial ran on the slot the pruned one gave back, before its 4 s were up
        last = get(server, f"/jobs/{trials[3]['job_id']}")
        assert last["started_at"] < _plus_seconds(job["started_at"], 4.0)
        assert done["counts"] == {"running": 0, "complete": 3, "pruned": 1, "failed": 0}
    finally:
        server.stop()


def _plus_seconds(stamp: str, seconds: float) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


FAILS_ABOVE_HALF = """\
import sys
import atlas
x = atlas.load_parameters()["x"]
if x > 0.5:
    sys.exit(3)
atlas.log_metric("loss", x)
"""


def test_a_failed_trial_is_recorded_with_its_reason_and_the_sweep_goes_on(
    server: ServerProcess,
) -> None:
    spec = {
        "objective": "loss",
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "params": [{"x": 0.9}, {"x": 0.1}],
        "trials": 2,
    }
    sweep = create_sweep(server, spec, code=FAILS_ABOVE_HALF)
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "completed", done
    failed, complete = trials_of(server, sweep["id"])
    assert failed["state"] == "failed"
    assert f"its job {failed['job_id']} ended failed" in str(failed["error"])
    assert (complete["state"], complete["values"]) == ("complete", [0.1])
    assert [t["number"] for t in done["best"]] == [1]


def test_an_objective_no_trial_logs_fails_the_sweep_with_the_reason(
    server: ServerProcess,
) -> None:
    code = "import atlas\natlas.log_metric('accuracy', 0.5)\n"
    spec = {"objective": "val_loss", "space": {"x": {"type": "float", "low": 0, "high": 1}}}
    sweep = create_sweep(server, spec, code=code)
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "objective_missing"
    assert "no trial logged metric val_loss" in done["error"]["message"]
    trials = trials_of(server, sweep["id"])
    assert 3 <= len(trials) < 10  # it stopped early, not after its whole budget
    ended = [t for t in trials if t["error"] and "logged no metric val_loss" in str(t["error"])]
    assert len(ended) >= 3
    assert all(t["state"] == "failed" for t in trials)


TWO_OBJECTIVES = """\
import atlas
x = atlas.load_parameters()["x"]
atlas.log_metric("error", x)
atlas.log_metric("cost", (1 - x) ** 2)
atlas.log_metric("cost", 5.0, step=-1)
"""


def test_several_objectives_give_the_pareto_front(server: ServerProcess) -> None:
    spec = {
        "objective": [
            {"metric": "error", "direction": "minimize"},
            {"metric": "cost", "direction": "minimize", "summary": "min"},
        ],
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "params": [{"x": 0.2}, {"x": 0.5}, {"x": 0.8}],
        "trials": 3,
        "parallel": 3,
    }
    sweep = create_sweep(server, spec, code=TWO_OBJECTIVES)
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "completed", done
    trials = trials_of(server, sweep["id"])
    for trial, x in zip(trials, (0.2, 0.5, 0.8), strict=True):
        values = trial["values"]
        assert isinstance(values, list)
        assert values[0] == x
        assert math.isclose(values[1], (1 - x) ** 2)  # min of the series
    # minimise x and (1 - x)^2: every trial is a trade-off
    assert [t["number"] for t in done["best"]] == [0, 1, 2]
    importances = get(server, f"/sweeps/{sweep['id']}/importances")
    assert [item["param"] for item in importances["items"]] == ["x"]


def test_stop_cancels_the_running_trials_and_starts_no_more(server: ServerProcess) -> None:
    code = "import time\ntime.sleep(60)\n"
    spec = {"objective": "loss", "space": {"x": {"type": "float", "low": 0, "high": 1}}}
    sweep = create_sweep(server, {**spec, "parallel": 2}, code=code)
    wait_for_trials(server, sweep["id"], 2)
    answer = httpx.post(f"{server.url}{API}/sweeps/{sweep['id']}/stop", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "stopped"
    trials = trials_of(server, sweep["id"])
    assert len(trials) == 2
    assert {t["error"] for t in trials} == {"stopped with the sweep"}
    for trial in trials:
        job = wait_job(server, str(trial["job_id"]))
        assert job["status"] == "cancelled"
    assert len(trials_of(server, sweep["id"])) == 2


def wait_for_trials(server: ServerProcess, sweep_id: str, count: int) -> None:
    import time

    deadline = time.monotonic() + 30
    while len(trials_of(server, sweep_id)) < count:
        assert time.monotonic() < deadline, trials_of(server, sweep_id)
        time.sleep(0.05)


def wait_job(server: ServerProcess, job_id: str) -> dict[str, object]:
    import time

    deadline = time.monotonic() + 30
    while True:
        job = dict(get(server, f"/jobs/{job_id}"))
        if job["status"] in ("completed", "failed", "cancelled", "lost"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


BRANIN_LIKE = """\
import atlas
p = atlas.load_parameters()
value = (p["x"] - 0.3) ** 2 + (0.0 if p["kind"] == "a" else 0.5) + 0.01 * p["n"]
atlas.log_metric("loss", value)
"""


def test_a_seeded_tpe_sweep_asks_what_optuna_asks_in_process(server: ServerProcess) -> None:
    space = {
        "x": {"type": "float", "low": -1.0, "high": 1.0},
        "kind": {"type": "categorical", "choices": ["a", "b"]},
        "n": {"type": "int", "low": 0, "high": 10},
    }
    trials = 14  # TPE models after its 10 startup trials
    spec = {"objective": "loss", "sampler": {"name": "tpe", "seed": 7}, "space": space}
    sweep = create_sweep(server, {**spec, "trials": trials}, code=BRANIN_LIKE)
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "completed", done
    asked = [t["params"] for t in trials_of(server, sweep["id"])]

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        n = trial.suggest_int("n", 0, 10)
        return (x - 0.3) ** 2 + (0.0 if kind == "a" else 0.5) + 0.01 * n

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=7))
    study.optimize(objective, n_trials=trials)
    assert asked == [t.params for t in study.trials]
    assert done["best"][0]["values"] == [study.best_value]


def test_a_sampler_that_fails_fails_the_sweep_with_the_reason(server: ServerProcess) -> None:
    # CMA-ES's starting point names a param the space lacks: it fails once it models.
    spec = {
        "objective": "loss",
        "sampler": {"name": "cmaes", "options": {"x0": {"nope": 0.5}}},
        "space": {
            "x": {"type": "float", "low": 0, "high": 1},
            "y": {"type": "float", "low": 0, "high": 1},
        },
        "trials": 5,
    }
    sweep = create_sweep(server, spec)
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "sampler_failed"
    assert "the cmaes sampler failed" in done["error"]["message"]
    assert done["counts"]["complete"] >= 1  # what ran before is kept
