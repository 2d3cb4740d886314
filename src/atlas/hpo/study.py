"""Optuna's samplers, pruners and an in-memory study for a sweep, rebuilt from our rows.

Optuna keeps no state of its own here: the sweep's trials live in our tables
(``sweep_trials``), and :class:`Search` rebuilds an in-memory Optuna study from them when a
controller takes the sweep up (a server start, a resume, a step that failed): finished trials
are added with their values, running ones as running, each with its intermediate values and
its Optuna system attributes (its grid point, the CMA-ES generation and optimizer, the
pruner's rungs), and the study with its own (the QMC sampler's next sample) and its name (the
Hyperband pruner's brackets hash it). The controller stores both kinds of attributes after
each ask, report and tell (:meth:`Search.changed_attrs`). What a rebuild loses is the
sampler's random state, which starts anew from the seed: one ``Search`` alive while the
server runs asks the same params as Optuna run in process with that seed.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, create_trial
from optuna.trial import TrialState as OptunaState

from atlas.domain import ParamValue, Trial, TrialState
from atlas.errors import MissingExtraError
from atlas.hpo.space import Categorical, FloatParam, IntParam, Param, grid_size
from atlas.hpo.spec import SweepSpec, Tool
from atlas.names import invalid

__all__ = [
    "Search",
    "build_pruner",
    "build_sampler",
    "check_tools",
    "distributions",
    "fitted_importances",
    "importances",
    "observed_distributions",
    "quiet",
]

logger = logging.getLogger(__name__)

_QUIET = threading.Lock()
_STATES = {
    TrialState.COMPLETE: OptunaState.COMPLETE,
    TrialState.PRUNED: OptunaState.PRUNED,
    TrialState.FAILED: OptunaState.FAIL,
    TrialState.RUNNING: OptunaState.RUNNING,
}


@contextmanager
def quiet() -> Iterator[None]:
    """Optuna's warnings silenced: an experimental sampler's at its construction, and the
    importance evaluator's about few trials. Only there, and one thread at a time, as
    ``warnings.catch_warnings`` changes process-wide filters (each report is made once, so
    asks, reports and tells warn of nothing)."""
    with _QUIET, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Grid(optuna.samplers.GridSampler):
    """Optuna's grid sampler without ``study.stop()`` once the grid is visited (which only
    works inside ``study.optimize``); the sweep's budget stops at the grid's size."""

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: OptunaState,
        values: Sequence[float] | None,
    ) -> None:
        return None


def distributions(space: Sequence[Param]) -> dict[str, BaseDistribution]:
    """Optuna's distribution of each parameter of ``space``."""
    found: dict[str, BaseDistribution] = {}
    for param in space:
        if isinstance(param, FloatParam):
            found[param.name] = FloatDistribution(
                param.low, param.high, log=param.log, step=param.step
            )
        elif isinstance(param, IntParam):
            step = 1 if param.log else param.step
            found[param.name] = IntDistribution(param.low, param.high, log=param.log, step=step)
        else:
            found[param.name] = CategoricalDistribution(param.choices)  # type: ignore[arg-type]
    return found


def build_sampler(spec: SweepSpec) -> optuna.samplers.BaseSampler:
    """The sampler the spec names, seeded; ``InvalidInputError`` naming ``sampler.options``
    for options Optuna refuses, ``MissingExtraError`` for ``gp`` without torch."""
    tool = spec.sampler
    options: dict[str, Any] = dict(tool.options)
    factories: dict[str, Callable[..., optuna.samplers.BaseSampler]] = {
        "random": optuna.samplers.RandomSampler,
        "tpe": optuna.samplers.TPESampler,
        "cmaes": optuna.samplers.CmaEsSampler,
        "qmc": optuna.samplers.QMCSampler,
        "gp": optuna.samplers.GPSampler,
    }
    if tool.name in ("cmaes", "qmc"):
        options.setdefault("warn_independent_sampling", False)
    if tool.name == "gp" and importlib.util.find_spec("torch") is None:
        raise MissingExtraError(
            "the gp sampler needs torch, which this server lacks: install it where the "
            "server runs with pip install 'atlas-ml[gp]', or choose another sampler",
            detail={"extra": "gp", "field": "sampler.name"},
        )
    if tool.name == "grid":
        grid = {param.name: _grid_values(param) for param in spec.space}
        sampler: optuna.samplers.BaseSampler = _make(
            _Grid, "sampler", grid, seed=tool.seed, **options
        )
    else:
        sampler = _make(factories[tool.name], "sampler", seed=tool.seed, **options)
    return sampler


def build_pruner(tool: Tool) -> optuna.pruners.BasePruner:
    """The pruner the spec names (``none``: Optuna's ``NopPruner``)."""
    factories: dict[str, Callable[..., optuna.pruners.BasePruner]] = {
        "none": optuna.pruners.NopPruner,
        "median": optuna.pruners.MedianPruner,
        "percentile": optuna.pruners.PercentilePruner,
        "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
        "hyperband": optuna.pruners.HyperbandPruner,
    }
    pruner: optuna.pruners.BasePruner = _make(factories[tool.name], "pruner", **dict(tool.options))
    return pruner


def check_tools(spec: SweepSpec) -> None:
    """Build the spec's sampler and pruner once, so a bad option is refused at create time."""
    build_sampler(spec)
    build_pruner(spec.pruner)


def _make(factory: Callable[..., Any], what: str, *args: Any, **options: Any) -> Any:
    try:
        with quiet():
            return factory(*args, **options)
    except (TypeError, ValueError) as exc:
        raise invalid(f"{what}.options", f"{what}.options: Optuna refused them: {exc}") from exc


def _grid_values(param: Param) -> list[Any]:
    if isinstance(param, Categorical):
        return list(param.choices)
    if isinstance(param, IntParam):
        return list(range(param.low, param.high + 1, param.step))
    count = grid_size([param])  # the spec refuses a float without step for grid
    assert count is not None
    assert param.step is not None
    return [round(param.low + i * param.step, 12) for i in range(count)]


class Search:
    """The Optuna study of one sweep, alive while its controller runs it.

    Built from the sweep's ``spec`` and its trials so far (``trials``, by number): the
    sampler sees every finished trial as Optuna would have, the pruner each trial's
    intermediate values (``curves``: trial number -> step -> value, read from the objective's
    metric), both each trial's system attributes, and the explicit param sets not yet tried
    are queued first. ``name`` names the study (the sweep's id: the Hyperband pruner hashes
    it) and ``study_attrs`` are its system attributes as stored (``Sweep.system_attrs``).
    ``ask`` suggests the next params in the space's order; ``report``, ``should_prune`` and
    ``tell`` act on a trial by its number.
    """

    def __init__(
        self,
        spec: SweepSpec,
        trials: Sequence[Trial],
        curves: Mapping[int, Mapping[int, float]] | None = None,
        *,
        name: str | None = None,
        study_attrs: Mapping[str, object] | None = None,
    ) -> None:
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per trial on stderr
        self.spec = spec
        self.dists = distributions(spec.space)
        directions = [objective.direction for objective in spec.objectives]
        sampler, pruner = build_sampler(spec), build_pruner(spec.pruner)
        self._storage = optuna.storages.InMemoryStorage()
        self.study = optuna.create_study(
            storage=self._storage,
            sampler=sampler,
            pruner=pruner,
            directions=directions,
            study_name=name,
        )
        self._study_id = self._storage.get_study_id_from_name(self.study.study_name)
        for key, value in (study_attrs or {}).items():  # JSON values, as read from the row
            self._storage.set_study_system_attr(self._study_id, key, cast(Any, value))
        self._saved_study = dict(self._storage.get_study_system_attrs(self._study_id))
        self._saved: dict[int, dict[str, object]] = {}
        self._live: dict[int, optuna.Trial] = {}
        for trial in trials:
            self._add(trial, (curves or {}).get(trial.number, {}))
        for params in spec.params[len(trials) :]:
            self.study.enqueue_trial(dict(params), skip_if_exists=False)

    def _add(self, trial: Trial, curve: Mapping[int, float]) -> None:
        state = _STATES[trial.state]
        params = {key: value for key, value in trial.params.items() if key in self.dists}
        values = list(trial.values) if state == OptunaState.COMPLETE and trial.values else None
        frozen = create_trial(
            state=state,
            params=params,
            distributions={key: self.dists[key] for key in params},
            values=values,
            intermediate_values=dict(curve),
            system_attrs=dict(trial.system_attrs),
        )
        self.study.add_trial(frozen)
        number = len(self.study.trials) - 1
        self._saved[number] = dict(trial.system_attrs)
        if number != trial.number:
            logger.warning("sweep %s: trial %s rebuilt as %s", trial.sweep_id, trial.number, number)
        if state == OptunaState.RUNNING:
            live = self.study.trials[number]
            self._live[trial.number] = optuna.Trial(self.study, live._trial_id)

    def ask(self) -> tuple[int, dict[str, ParamValue]]:
        """The next trial's number and params: an explicit param set first, else sampled,
        each parameter in the space's order (a conditional one only when its condition
        holds)."""
        trial = self.study.ask()
        params = self._suggest(trial)
        self._live[trial.number] = trial
        return trial.number, params

    def _suggest(self, trial: optuna.Trial) -> dict[str, ParamValue]:
        if not self.spec.space:  # a fixed list of runs: the param sets, in order
            sets = self.spec.params
            return dict(sets[trial.number]) if trial.number < len(sets) else {}
        params: dict[str, ParamValue] = {}
        for param in self.spec.space:
            if any(params.get(key, _MISSING) not in wanted for key, wanted in param.when.items()):
                continue
            params[param.name] = _suggest_one(trial, param)
        return params

    def report(self, number: int, value: float, step: int) -> None:
        """An intermediate value of running trial ``number`` at ``step``."""
        live = self._live.get(number)
        if live is not None:
            live.report(value, step)

    def should_prune(self, number: int) -> bool:
        """Whether the pruner stops running trial ``number`` now."""
        live = self._live.get(number)
        if live is None or self.spec.multi_objective:
            return False
        return live.should_prune()

    def tell(self, number: int, state: TrialState, values: Sequence[float] | None = None) -> None:
        """Record how trial ``number`` ended (values for a complete one)."""
        self._live.pop(number, None)
        told = list(values) if state == TrialState.COMPLETE and values is not None else None
        self.study.tell(number, told, state=_STATES[state], skip_if_finished=True)

    def changed_attrs(self, number: int) -> tuple[dict[str, object], dict[str, object]] | None:
        """The system attributes of trial ``number`` and of the study when either changed
        since they were last returned (or read from the rows), else ``None``: what to store
        for a rebuilt study to go on as this one."""
        trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, number)
        trial_attrs = dict(self._storage.get_trial_system_attrs(trial_id))
        study_attrs = dict(self._storage.get_study_system_attrs(self._study_id))
        if trial_attrs == self._saved.get(number) and study_attrs == self._saved_study:
            return None
        self._saved[number], self._saved_study = trial_attrs, study_attrs
        return trial_attrs, study_attrs


_MISSING = object()


def _suggest_one(trial: optuna.Trial, param: Param) -> ParamValue:
    if isinstance(param, FloatParam):
        return trial.suggest_float(
            param.name, param.low, param.high, log=param.log, step=param.step
        )
    if isinstance(param, IntParam):
        step = 1 if param.log else param.step
        return trial.suggest_int(param.name, param.low, param.high, log=param.log, step=step)
    return trial.suggest_categorical(param.name, param.choices)  # type: ignore[arg-type]


def importances(spec: SweepSpec, trials: Sequence[Trial], objective: int = 0) -> dict[str, float]:
    """Each parameter's importance for objective ``objective`` over the complete trials
    (Optuna's default evaluator); empty below two complete trials."""
    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.values]
    if len(complete) < 2:
        return {}
    points = [(trial.params, (trial.values or ())[objective]) for trial in complete]
    return fitted_importances(points, distributions(spec.space))


def fitted_importances(
    points: Sequence[tuple[Mapping[str, ParamValue], float]],
    dists: Mapping[str, BaseDistribution],
) -> dict[str, float]:
    """Each parameter of ``dists``'s importance for the value of ``points`` (params and the
    value they gave), most important first: Optuna's default evaluator over a study of one
    complete trial per point. Params outside ``dists`` are ignored; a param some points lack
    is left out. ``ValueError`` or ``RuntimeError`` when Optuna cannot fit them."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per study on stderr
    with quiet():
        study = optuna.create_study()
        for params, value in points:
            kept = {key: value for key, value in params.items() if key in dists}
            study.add_trial(
                create_trial(
                    params=kept,
                    distributions={key: dists[key] for key in kept},
                    value=value,
                )
            )
        found = optuna.importance.get_param_importances(study)
    return {key: float(value) for key, value in found.items()}


def observed_distributions(
    rows: Sequence[Mapping[str, ParamValue]],
) -> dict[str, BaseDistribution]:
    """The distribution each param's observed values span: numbers (not booleans) a float
    range, text and booleans their categories; a param with one value, or holding lists,
    objects or null, has none (it cannot explain anything)."""
    seen: dict[str, set[ParamValue]] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, bool | int | float | str):
                seen.setdefault(key, set()).add(value)
            else:
                seen.setdefault(key, set()).add(None)
    found: dict[str, BaseDistribution] = {}
    for key, values in seen.items():
        if None in values or len(values) < 2:
            continue
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values) and all(math.isfinite(v) for v in numbers):
            found[key] = FloatDistribution(float(min(numbers)), float(max(numbers)))
        elif not numbers:
            choices = [v for v in values if isinstance(v, bool | str)]
            found[key] = CategoricalDistribution(
                sorted(choices, key=lambda v: (type(v).__name__, v))
            )
    return found
