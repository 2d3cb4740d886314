"""The Optuna study of a sweep (``atlas.hpo.study.Search``): param sets first, conditional
params, a grid visited once, a study rebuilt from rows that goes on where it stopped, and the
best trial or Pareto front."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from atlas.domain import Trial, TrialState
from atlas.hpo.results import best_trials
from atlas.hpo.spec import Objective, parse_spec
from atlas.hpo.study import Search, importances

NOW = datetime(2026, 12, 5, tzinfo=UTC)
BASE: dict[str, Any] = {"command": "python train.py", "objective": "loss"}


def trial(number: int, state: TrialState, params: dict[str, Any], *values: float) -> Trial:
    return Trial(
        sweep_id="s", number=number, job_id=None, state=state, params=params,
        created_at=NOW, values=values or None,
    )  # fmt: skip


def test_param_sets_come_first_then_the_sampler() -> None:
    spec = parse_spec(
        {
            **BASE,
            "space": {"x": {"type": "float", "low": 0, "high": 1}},
            "params": [{"x": 0.25}, {"x": 0.75}],
            "sampler": {"name": "random", "seed": 1},
        }
    )
    search = Search(spec, [])
    asked = [search.ask() for _ in range(3)]
    assert [number for number, _ in asked] == [0, 1, 2]
    assert [params for _, params in asked][:2] == [{"x": 0.25}, {"x": 0.75}]
    assert 0 <= float(asked[2][1]["x"]) <= 1  # type: ignore[arg-type]


def test_a_conditional_param_is_asked_only_when_its_condition_holds() -> None:
    space = {
        "opt": {"type": "categorical", "choices": ["adam", "sgd"]},
        "momentum": {"type": "float", "low": 0, "high": 0.9, "when": {"opt": "sgd"}},
    }
    search = Search(
        parse_spec({**BASE, "space": space, "sampler": {"name": "random", "seed": 3}}), []
    )
    for _ in range(20):
        number, params = search.ask()
        assert ("momentum" in params) == (params["opt"] == "sgd"), params
        search.tell(number, TrialState.COMPLETE, [0.5])


def test_a_grid_visits_each_point_once() -> None:
    space = {
        "a": {"type": "int", "low": 1, "high": 3},
        "b": {"type": "float", "low": 0, "high": 1, "step": 0.5},
    }
    spec = parse_spec({**BASE, "space": space, "sampler": {"name": "grid", "seed": 0}})
    assert spec.trials == 9
    search = Search(spec, [])
    seen = []
    for _ in range(spec.trials):
        number, params = search.ask()
        seen.append((params["a"], params["b"]))
        search.tell(number, TrialState.COMPLETE, [1.0])
    assert sorted(seen) == [(a, b) for a in (1, 2, 3) for b in (0.0, 0.5, 1.0)]


def test_a_study_rebuilt_from_rows_goes_on_after_them() -> None:
    spec = parse_spec(
        {
            **BASE,
            "space": {"x": {"type": "float", "low": 0, "high": 1}},
            "params": [{"x": 0.1}, {"x": 0.2}, {"x": 0.3}],
            "pruner": "median",
        }
    )
    rows = [
        trial(0, TrialState.COMPLETE, {"x": 0.1}, 0.01),
        trial(1, TrialState.RUNNING, {"x": 0.2}),
    ]
    search = Search(spec, rows, {0: {0: 1.0, 5: 0.25}})
    assert search.study.trials[0].intermediate_values == {0: 1.0, 5: 0.25}  # for the pruner
    number, params = search.ask()
    assert (number, params) == (2, {"x": 0.3})  # the param set not tried yet
    search.report(1, 0.5, step=3)  # the running trial is live again
    search.tell(1, TrialState.COMPLETE, [0.04])
    search.tell(2, TrialState.FAILED)
    states = [t.state.name for t in search.study.trials]
    assert states == ["COMPLETE", "COMPLETE", "FAIL"]
    assert search.study.trials[1].intermediate_values == {3: 0.5}


def test_the_best_trial_and_the_pareto_front() -> None:
    one = [Objective("loss")]
    rows = [
        trial(0, TrialState.COMPLETE, {}, 0.5),
        trial(1, TrialState.FAILED, {}),
        trial(2, TrialState.COMPLETE, {}, 0.2),
        trial(3, TrialState.COMPLETE, {}, 0.2),
    ]
    assert [t.number for t in best_trials(one, rows)] == [2]
    assert best_trials(one, rows[:2][1:]) == []
    two = [Objective("loss"), Objective("speed", direction="maximize")]
    rows = [
        trial(0, TrialState.COMPLETE, {}, 0.5, 10.0),
        trial(1, TrialState.COMPLETE, {}, 0.2, 5.0),
        trial(2, TrialState.COMPLETE, {}, 0.6, 4.0),  # worse than 0 on both
        trial(3, TrialState.COMPLETE, {}, 0.1, 1.0),
    ]
    assert [t.number for t in best_trials(two, rows)] == [0, 1, 3]


def test_importances_need_two_complete_trials() -> None:
    space = {"x": {"type": "float", "low": 0, "high": 1}, "n": {"type": "int", "low": 0, "high": 4}}
    spec = parse_spec({**BASE, "space": space})
    rows = [trial(i, TrialState.COMPLETE, {"x": i / 10, "n": i % 5}, i / 10) for i in range(8)]
    assert importances(spec, rows[:1]) == {}
    found = importances(spec, rows)
    assert set(found) == {"x", "n"}
    assert abs(sum(found.values()) - 1.0) < 1e-6
