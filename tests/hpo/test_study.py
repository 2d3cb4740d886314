"""The Optuna study of a sweep (``atlas.hpo.study.Search``): param sets first, conditional
params, a grid visited once, a study rebuilt from rows that goes on where it stopped (the
grid, QMC, CMA-ES and TPE samplers and the successive-halving and Hyperband pruners as the
live study would), and the best trial or Pareto front."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import optuna
import pytest

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


# -- a study rebuilt from the rows goes on as the live one (the Optuna system attributes) --
class Rows:
    """What the store keeps of a sweep, kept as the controller does: a trial's row when it
    is asked, its curve as it reports, its end when told, and after each the trial's and
    the study's system attributes (through JSON, as the store writes them)."""

    def __init__(self, search: Search) -> None:
        self.search = search
        self.trials: dict[int, Trial] = {}
        self.curves: dict[int, dict[int, float]] = {}
        self.study_attrs: dict[str, object] = {}

    def ask(self) -> tuple[int, dict[str, Any]]:
        number, params = self.search.ask()
        self.trials[number] = trial(number, TrialState.RUNNING, params)
        self._save(number)
        return number, params

    def report(self, number: int, value: float, step: int) -> bool:
        self.search.report(number, value, step)
        self.curves.setdefault(number, {})[step] = value
        pruned = self.search.should_prune(number)
        self._save(number)
        return pruned

    def tell(self, number: int, state: TrialState, *values: float) -> None:
        self.search.tell(number, state, list(values) or None)
        self.trials[number] = replace(self.trials[number], state=state, values=values or None)
        self._save(number)

    def _save(self, number: int) -> None:
        changed = self.search.changed_attrs(number)
        if changed is not None:
            trial_attrs, self.study_attrs = json.loads(json.dumps(changed))
            self.trials[number] = replace(self.trials[number], system_attrs=trial_attrs)

    def rebuilt(self) -> Rows:
        """The rows of a study rebuilt from these rows (a server restart)."""
        trials = [self.trials[number] for number in sorted(self.trials)]
        spec = self.search.spec
        search = Search(spec, trials, self.curves, name="s", study_attrs=self.study_attrs)
        rows = Rows(search)
        rows.trials, rows.curves = dict(self.trials), {k: dict(v) for k, v in self.curves.items()}
        rows.study_attrs = dict(self.study_attrs)
        return rows


def sweep(sampler: dict[str, Any], pruner: object = "none", **space: Any) -> Rows:
    spec = parse_spec({**BASE, "space": space, "sampler": sampler, "pruner": pruner})
    return Rows(Search(spec, [], name="s"))


def test_a_rebuilt_grid_never_repeats_a_point_and_ends_when_all_are_visited() -> None:
    live = sweep(
        {"name": "grid", "seed": 0},
        a={"type": "int", "low": 1, "high": 3},
        b={"type": "float", "low": 0, "high": 1, "step": 0.5},
    )
    seen = []
    for _ in range(4):  # three told, one still running at the restart
        number, params = live.ask()
        seen.append((params["a"], params["b"]))
        if number < 3:
            live.tell(number, TrialState.COMPLETE, 1.0)
    rebuilt = live.rebuilt()
    sampler = rebuilt.search.study.sampler
    assert isinstance(sampler, optuna.samplers.GridSampler)
    for _ in range(5):
        assert not sampler.is_exhausted(rebuilt.search.study)
        number, params = rebuilt.ask()
        seen.append((params["a"], params["b"]))
        rebuilt.tell(number, TrialState.COMPLETE, 1.0)
    rebuilt.tell(3, TrialState.COMPLETE, 1.0)
    assert sorted(seen) == [(a, b) for a in (1, 2, 3) for b in (0.0, 0.5, 1.0)]
    assert sampler.is_exhausted(rebuilt.search.study)
    again = rebuilt.rebuilt().search  # a restart once the grid is visited
    assert isinstance(again.study.sampler, optuna.samplers.GridSampler)
    assert again.study.sampler.is_exhausted(again.study)


def test_a_rebuilt_qmc_study_continues_its_sequence() -> None:
    live = sweep(
        {"name": "qmc", "seed": 5},
        x={"type": "float", "low": 0, "high": 1},
        y={"type": "float", "low": -1, "high": 1},
    )
    for value in (0.3, 0.2, 0.1):
        number, _ = live.ask()
        live.tell(number, TrialState.COMPLETE, value)
    rebuilt = live.rebuilt()
    for value in (0.5, 0.4):
        expected, got = live.ask(), rebuilt.ask()
        assert got == expected  # the next points of the same sequence, not its start again
        live.tell(expected[0], TrialState.COMPLETE, value)
        rebuilt.tell(got[0], TrialState.COMPLETE, value)
    assert rebuilt.study_attrs == live.study_attrs


def test_a_rebuilt_cmaes_study_continues_its_generation() -> None:
    live = sweep(
        {"name": "cmaes", "seed": 2, "options": {"popsize": 4}},
        x={"type": "float", "low": -2, "high": 2},
        y={"type": "float", "low": -2, "high": 2},
    )
    for _ in range(9):  # one independent trial, then two generations of four
        number, params = live.ask()
        live.tell(number, TrialState.COMPLETE, float(params["x"]) ** 2 + float(params["y"]) ** 2)
    rebuilt = live.rebuilt()
    number, _ = live.ask()
    again, _ = rebuilt.ask()
    assert again == number == 9
    attrs, rebuilt_attrs = live.trials[9].system_attrs, rebuilt.trials[9].system_attrs
    assert attrs["cma:generation"] == 2  # the generations told go on (not 0 again)
    assert rebuilt_attrs == attrs  # the same generation, and the same optimizer state


def test_a_rebuilt_tpe_study_sees_what_the_live_one_sees() -> None:
    live = sweep({"name": "tpe", "seed": 4, "options": {"n_startup_trials": 3}},
                 x={"type": "float", "low": 0, "high": 1},
                 c={"type": "categorical", "choices": ["a", "b", "c"]})  # fmt: skip
    for _ in range(6):
        number, params = live.ask()
        live.tell(number, TrialState.COMPLETE, (float(params["x"]) - 0.3) ** 2)
    rebuilt = live.rebuilt()
    fields = ("number", "state", "params", "distributions", "values", "system_attrs")
    for one, other in zip(live.search.study.trials, rebuilt.search.study.trials, strict=True):
        assert [getattr(one, f) for f in fields] == [getattr(other, f) for f in fields]
    # TPE keeps nothing else but its random state, which a rebuild starts anew from the
    # seed: given the live one's, the rebuilt study asks the live one's next point
    live_sampler, rebuilt_sampler = live.search.study.sampler, rebuilt.search.study.sampler
    assert isinstance(live_sampler, optuna.samplers.TPESampler)
    assert isinstance(rebuilt_sampler, optuna.samplers.TPESampler)
    rebuilt_sampler._rng.rng.set_state(live_sampler._rng.rng.get_state())
    assert rebuilt.ask() == live.ask()


@pytest.mark.parametrize(
    "pruner",
    [
        {"name": "successive_halving", "options": {"min_resource": 1, "reduction_factor": 2}},
        {"name": "hyperband", "options": {"min_resource": 1, "max_resource": 8,
                                          "reduction_factor": 2}},
    ],
)  # fmt: skip
def test_a_rebuilt_study_prunes_as_the_live_one(pruner: dict[str, Any]) -> None:
    live = sweep({"name": "random", "seed": 1}, pruner, x={"type": "float", "low": 0, "high": 1})
    for k in range(8):  # finished trials, each watched at every step
        number, _ = live.ask()
        for step in range(1, 9):
            live.report(number, (k % 4 + 1) / step, step)
        live.tell(number, TrialState.COMPLETE, (k % 4 + 1) / 8)
    running, _ = live.ask()
    for step in range(1, 4):  # good early: promoted past its first rungs
        assert not live.report(running, 0.0, step)
    assert any(key.startswith("completed_rung_") for key in live.trials[running].system_attrs)
    rebuilt = live.rebuilt()
    assert rebuilt.search.study.study_name == live.search.study.study_name  # hyperband's hash
    decisions = []
    for step in range(4, 9):  # then bad: pruned at its next rung
        decisions.append(live.report(running, 100.0, step))
        assert rebuilt.report(running, 100.0, step) == decisions[-1], step
        assert rebuilt.trials[running].system_attrs == live.trials[running].system_attrs
        if decisions[-1]:
            break
    assert decisions[-1], decisions
