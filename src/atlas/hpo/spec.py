"""A sweep's spec (docs/sweeps.md): parsed and checked at once, every problem named.

:func:`parse_spec` takes the spec as it came (JSON on the wire, the YAML file's shape) and
returns a :class:`SweepSpec`, or raises ``InvalidInputError`` whose ``detail.errors`` lists
every problem with the path of its field (``space.lr.low``), so a user fixes them all in one
go. ``SweepSpec.to_json`` is the normalised form stored with the sweep and answered by the
API: every default filled in, ``objective`` always a list, ``command`` always an argv.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from atlas.domain import ParamValue
from atlas.errors import AtlasError, InvalidInputError
from atlas.names import (
    IMAGE_PATTERN,
    MAX_COMMAND_LENGTH,
    MAX_SWEEP_CHOICES,
    MAX_SWEEP_NAME_LENGTH,
    MAX_SWEEP_OBJECTIVES,
    MAX_SWEEP_PARALLEL,
    MAX_SWEEP_PARAM_SETS,
    MAX_SWEEP_PARAMS,
    MAX_SWEEP_TRIALS,
    check_key,
    check_labels,
    check_project_name,
    check_tag_value,
    param_json,
)

__all__ = [
    "DIRECTIONS",
    "PRUNERS",
    "SAMPLERS",
    "SUMMARIES",
    "Categorical",
    "FloatParam",
    "IntParam",
    "Objective",
    "Param",
    "SweepSpec",
    "Tool",
    "parse_spec",
]

SAMPLERS = ("random", "grid", "tpe", "cmaes", "gp", "qmc")
PRUNERS = ("none", "median", "percentile", "successive_halving", "hyperband")
DIRECTIONS = ("minimize", "maximize")
SUMMARIES = ("last", "min", "max")
DEFAULT_TRIALS = 10

_TOP_KEYS = (
    "name",
    "project",
    "command",
    "objective",
    "sampler",
    "pruner",
    "trials",
    "parallel",
    "space",
    "params",
    "resources",
    "image",
    "labels",
    "tags",
    "timeout",
)
_RESOURCE_KEYS = ("cpus", "gpus", "memory")


@dataclass(frozen=True, slots=True)
class FloatParam:
    """A float between ``low`` and ``high`` (on a log scale, or on a grid of ``step``)."""

    name: str
    low: float
    high: float
    log: bool = False
    step: float | None = None
    when: Mapping[str, tuple[ParamValue, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The normalised form."""
        return {"type": "float", "low": self.low, "high": self.high, "log": self.log,
                "step": self.step, **_when_json(self.when)}  # fmt: skip

    def holds(self, value: object) -> bool:
        """Whether ``value`` lies in this parameter's range."""
        return _is_number(value) and self.low <= float(value) <= self.high  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class IntParam:
    """An integer from ``low`` to ``high`` inclusive, every ``step`` (or on a log scale)."""

    name: str
    low: int
    high: int
    step: int = 1
    log: bool = False
    when: Mapping[str, tuple[ParamValue, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The normalised form."""
        return {"type": "int", "low": self.low, "high": self.high, "step": self.step,
                "log": self.log, **_when_json(self.when)}  # fmt: skip

    def holds(self, value: object) -> bool:
        """Whether ``value`` is one of this parameter's integers."""
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
            and (value - self.low) % self.step == 0
        )


@dataclass(frozen=True, slots=True)
class Categorical:
    """One of ``choices`` (strings, numbers, booleans or null)."""

    name: str
    choices: tuple[ParamValue, ...]
    when: Mapping[str, tuple[ParamValue, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The normalised form."""
        return {"type": "categorical", "choices": list(self.choices), **_when_json(self.when)}

    def holds(self, value: object) -> bool:
        """Whether ``value`` is one of the choices (``1`` is not ``true``)."""
        return any(_same(value, choice) for choice in self.choices)


Param = FloatParam | IntParam | Categorical


@dataclass(frozen=True, slots=True)
class Objective:
    """A metric the trials log (``atlas.log_metric``), summarised as its ``last`` value,
    ``min`` or ``max``, to ``minimize`` or ``maximize``."""

    metric: str
    direction: Literal["minimize", "maximize"] = "minimize"
    summary: Literal["last", "min", "max"] = "last"

    def to_json(self) -> dict[str, object]:
        """The normalised form."""
        return {"metric": self.metric, "direction": self.direction, "summary": self.summary}


@dataclass(frozen=True, slots=True)
class Tool:
    """A sampler or pruner by name, with its seed (samplers) and keyword options."""

    name: str
    options: Mapping[str, object] = field(default_factory=dict)
    seed: int | None = None

    def to_json(self) -> dict[str, object]:
        """The normalised form."""
        return {"name": self.name, "seed": self.seed, "options": dict(self.options)}


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """A checked sweep spec; see docs/sweeps.md for each field."""

    command: tuple[str, ...]
    objectives: tuple[Objective, ...]
    space: tuple[Param, ...] = ()
    name: str = ""
    project: str | None = None
    sampler: Tool = field(default_factory=lambda: Tool("tpe"))
    pruner: Tool = field(default_factory=lambda: Tool("none"))
    trials: int = DEFAULT_TRIALS
    parallel: int = 1
    params: tuple[Mapping[str, ParamValue], ...] = ()
    resources: Mapping[str, object] = field(default_factory=dict)
    image: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None

    @property
    def multi_objective(self) -> bool:
        """Whether the sweep searches a Pareto front of several objectives."""
        return len(self.objectives) > 1

    def to_json(self) -> dict[str, object]:
        """The normalised spec, as stored with the sweep and answered by the API."""
        return {
            "name": self.name,
            "project": self.project,
            "command": list(self.command),
            "objective": [objective.to_json() for objective in self.objectives],
            "sampler": self.sampler.to_json(),
            "pruner": {"name": self.pruner.name, "options": dict(self.pruner.options)},
            "trials": self.trials,
            "parallel": self.parallel,
            "space": {param.name: param.to_json() for param in self.space},
            "params": [dict(item) for item in self.params],
            "resources": dict(self.resources),
            "image": self.image,
            "labels": dict(self.labels),
            "tags": dict(self.tags),
            "timeout": self.timeout,
        }


class _Problems:
    """The problems found so far, each with the path of its field."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append({"field": path, "message": f"{path}: {message}" if path else message})

    def unknown_keys(self, data: Mapping[str, object], allowed: Sequence[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.add(where, f"unknown key (expected one of: {', '.join(allowed)})")

    def raise_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]["message"]
        more = len(self.items) - 1
        message = f"invalid sweep spec: {first}" + (f" (and {more} more)" if more else "")
        raise InvalidInputError(message, detail={"errors": self.items})


def parse_spec(data: object, *, project: str | None = None) -> SweepSpec:
    """The checked spec of ``data`` (``project`` wins over the spec's own); every problem
    found is listed in the ``InvalidInputError`` raised."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        problems.add("spec", "a sweep spec is a mapping (JSON object, YAML mapping)")
        problems.raise_any()
        raise AssertionError  # unreachable: raise_any raised
    problems.unknown_keys(data, _TOP_KEYS, "")
    space = _space(data.get("space"), problems)
    objectives = _objectives(data.get("objective"), problems)
    sampler = _tool(data.get("sampler", "tpe"), "sampler", SAMPLERS, problems)
    pruner = _tool(data.get("pruner", "none"), "pruner", PRUNERS, problems)
    params = _param_sets(data.get("params"), space, problems)
    trials = _trials(data, space, sampler, params, problems)
    spec = SweepSpec(
        command=_command(data.get("command"), problems),
        objectives=objectives,
        space=space,
        name=_name(data.get("name", ""), problems),
        project=_project(project if project is not None else data.get("project"), problems),
        sampler=sampler,
        pruner=pruner,
        trials=trials,
        parallel=_count(data.get("parallel", 1), "parallel", 1, MAX_SWEEP_PARALLEL, problems),
        params=params,
        resources=_resources(data.get("resources"), problems),
        image=_image(data.get("image"), problems),
        labels=_labels(data.get("labels"), problems),
        tags=_tags(data.get("tags"), problems),
        timeout=_timeout(data.get("timeout"), problems),
    )
    if spec.multi_objective and pruner.name != "none":
        problems.add("pruner", "a pruner needs a single objective (this sweep has several)")
    if not space and not params:
        problems.add("space", "give a search space, or a list of param sets in params")
    problems.raise_any()
    return spec


# -- top-level fields ---------------------------------------------------------------------------
def _command(value: object, problems: _Problems) -> tuple[str, ...]:
    if value is None:
        problems.add("command", "required: the command each trial runs (python train.py)")
        return ()
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            problems.add("command", f"cannot be split into words: {exc}")
            return ()
    elif isinstance(value, list) and all(isinstance(word, str) for word in value):
        argv = list(value)
    else:
        problems.add("command", "a string or a list of strings")
        return ()
    if not argv:
        problems.add("command", "may not be empty")
    elif len(shlex.join(argv)) > MAX_COMMAND_LENGTH:
        problems.add("command", f"has at most {MAX_COMMAND_LENGTH} characters")
    return tuple(argv)


def _name(value: object, problems: _Problems) -> str:
    if not isinstance(value, str) or len(value) > MAX_SWEEP_NAME_LENGTH:
        problems.add("name", f"a string of at most {MAX_SWEEP_NAME_LENGTH} characters")
        return ""
    return value


def _project(value: object, problems: _Problems) -> str | None:
    if value is None:
        return None
    try:
        return check_project_name(value, field="project")
    except AtlasError as exc:
        problems.add("project", exc.message)
        return None


def _count(value: object, path: str, low: int, high: int, problems: _Problems) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(path, f"an integer from {low} to {high}, not {value!r}")
        return low
    return value


def _trials(
    data: Mapping[str, object],
    space: tuple[Param, ...],
    sampler: Tool,
    params: tuple[Mapping[str, ParamValue], ...],
    problems: _Problems,
) -> int:
    """The budget: ``trials``, else the grid's size for ``grid``, the number of param sets
    for a sweep without a space, else :data:`DEFAULT_TRIALS`."""
    grid = grid_size(space, problems) if sampler.name == "grid" else None
    if "trials" not in data:
        if grid is not None:
            return min(grid + len(params), MAX_SWEEP_TRIALS)
        return len(params) if params and not space else max(DEFAULT_TRIALS, len(params))
    trials = _count(data["trials"], "trials", 1, MAX_SWEEP_TRIALS, problems)
    if grid is not None and trials > grid + len(params):
        problems.add("trials", f"the grid has {grid} points: at most {grid + len(params)} trials")
    if not space and trials > len(params):
        problems.add("trials", f"without a space, at most one trial per param set ({len(params)})")
    return trials


def grid_size(space: Sequence[Param], problems: _Problems | None = None) -> int | None:
    """How many points the grid sampler visits over ``space`` (``None`` when a float has no
    ``step`` or a parameter is conditional: reported to ``problems``)."""
    size = 1
    for param in space:
        path = f"space.{param.name}"
        if param.when:
            if problems is not None:
                problems.add(f"{path}.when", "the grid sampler takes no conditional parameters")
            return None
        if isinstance(param, Categorical):
            size *= len(param.choices)
        elif isinstance(param, IntParam):
            size *= (param.high - param.low) // param.step + 1
        elif param.step is None:
            if problems is not None:
                problems.add(f"{path}.step", "the grid sampler needs a step for float parameters")
            return None
        else:
            size *= math.floor((param.high - param.low) / param.step + 1e-9) + 1
    return size


def _timeout(value: object, problems: _Problems) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or not 0 < float(value) <= 1e9:  # type: ignore[arg-type]
        problems.add("timeout", "seconds per trial: a number above 0")
        return None
    return float(value)  # type: ignore[arg-type]


def _image(value: object, problems: _Problems) -> str | None:
    import re

    if value is None:
        return None
    if not isinstance(value, str) or re.fullmatch(IMAGE_PATTERN, value) is None:
        problems.add("image", "a container image reference (python:3.11-slim)")
        return None
    return value


def _labels(value: object, problems: _Problems) -> dict[str, str]:
    if value is None:
        return {}
    try:
        return check_labels(value, field="labels")
    except AtlasError as exc:
        problems.add("labels", exc.message)
        return {}


def _tags(value: object, problems: _Problems) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add("tags", "a mapping of tag names to strings")
        return {}
    tags: dict[str, str] = {}
    for key, text in value.items():
        try:
            tags[check_key(key, "tag", field=f"tags.{key}")] = check_tag_value(
                str(key), text, field=f"tags.{key}"
            )
        except AtlasError as exc:
            problems.add(f"tags.{key}", exc.message)
    return tags


def _resources(value: object, problems: _Problems) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add("resources", "a mapping with cpus, gpus and memory")
        return {}
    problems.unknown_keys(value, _RESOURCE_KEYS, "resources")
    resources: dict[str, object] = {}
    for key in ("cpus", "gpus"):
        if key in value:
            low = 1 if key == "cpus" else 0
            resources[key] = _count(value[key], f"resources.{key}", low, 1 << 20, problems)
    memory = value.get("memory")
    if memory is not None:
        from atlas.units import parse_memory

        try:
            resources["memory"] = parse_memory(memory, where="resources.memory", allow_zero=True)
        except AtlasError as exc:
            problems.add("resources.memory", exc.message)
    return resources


# -- objectives and tools -----------------------------------------------------------------------
def _objectives(value: object, problems: _Problems) -> tuple[Objective, ...]:
    if value is None:
        problems.add("objective", "required: the metric to optimise ({metric: val_loss})")
        return ()
    if isinstance(value, list):
        if not 1 <= len(value) <= MAX_SWEEP_OBJECTIVES:
            problems.add("objective", f"1 to {MAX_SWEEP_OBJECTIVES} objectives")
            return ()
        found = [_objective(item, f"objective.{i}", problems) for i, item in enumerate(value)]
    else:
        found = [_objective(value, "objective", problems)]
    objectives = tuple(item for item in found if item is not None)
    metrics = [objective.metric for objective in objectives]
    if len(set(metrics)) != len(metrics):
        problems.add("objective", "each objective names a different metric")
    return objectives


def _objective(value: object, path: str, problems: _Problems) -> Objective | None:
    if isinstance(value, str):
        value = {"metric": value}
    if not isinstance(value, Mapping):
        problems.add(path, "a metric name or {metric, direction, summary}")
        return None
    problems.unknown_keys(value, ("metric", "direction", "summary"), path)
    metric = value.get("metric")
    try:
        metric = check_key(metric, "metric", field=f"{path}.metric")
    except AtlasError as exc:
        problems.add(f"{path}.metric", exc.message if metric is not None else "required")
        return None
    direction = value.get("direction", "minimize")
    summary = value.get("summary", "last")
    if direction not in DIRECTIONS:
        problems.add(f"{path}.direction", f"one of {', '.join(DIRECTIONS)}, not {direction!r}")
        return None
    if summary not in SUMMARIES:
        problems.add(f"{path}.summary", f"one of {', '.join(SUMMARIES)}, not {summary!r}")
        return None
    return Objective(metric=str(metric), direction=direction, summary=summary)


def _tool(value: object, path: str, names: Sequence[str], problems: _Problems) -> Tool:
    fallback = Tool(names[0] if path == "pruner" else "tpe")
    if value is None and path == "pruner":
        return fallback
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, Mapping):
        problems.add(path, f"a name ({', '.join(names)}) or {{name, options}}")
        return fallback
    keys = ("name", "seed", "options") if path == "sampler" else ("name", "options")
    problems.unknown_keys(value, keys, path)
    name = value.get("name")
    if name not in names:
        problems.add(f"{path}.name", f"one of {', '.join(names)}, not {name!r}")
        return fallback
    options = value.get("options") or {}
    if not isinstance(options, Mapping) or not all(isinstance(key, str) for key in options):
        problems.add(f"{path}.options", "a mapping of option names to values")
        options = {}
    seed = value.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32
    ):
        problems.add(f"{path}.seed", "an integer from 0 to 2**32 - 1")
        seed = None
    return Tool(name=str(name), options=dict(options), seed=seed)


# -- the space ----------------------------------------------------------------------------------
def _space(value: object, problems: _Problems) -> tuple[Param, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        problems.add("space", "a mapping of parameter names to their ranges")
        return ()
    if len(value) > MAX_SWEEP_PARAMS:
        problems.add("space", f"at most {MAX_SWEEP_PARAMS} parameters")
        return ()
    space: list[Param] = []
    for name, item in value.items():
        path = f"space.{name}"
        try:
            check_key(name, "param", field=path)
        except AtlasError as exc:
            problems.add(path, exc.message)
            continue
        param = _param(str(name), item, path, space, problems)
        if param is not None:
            space.append(param)
    return tuple(space)


def _param(
    name: str, value: object, path: str, earlier: list[Param], problems: _Problems
) -> Param | None:
    if not isinstance(value, Mapping):
        problems.add(path, "a mapping with a type (float, int or categorical)")
        return None
    kind = value.get("type")
    keys = {
        "float": ("type", "low", "high", "log", "step", "when"),
        "int": ("type", "low", "high", "log", "step", "when"),
        "categorical": ("type", "choices", "when"),
    }
    if kind not in keys:
        problems.add(f"{path}.type", f"one of float, int, categorical, not {kind!r}")
        return None
    problems.unknown_keys(value, keys[kind], path)
    when = _when(value.get("when"), f"{path}.when", earlier, problems)
    if kind == "categorical":
        return _categorical(name, value.get("choices"), path, when, problems)
    return _range(name, kind, value, path, when, problems)


def _categorical(
    name: str,
    choices: object,
    path: str,
    when: dict[str, tuple[ParamValue, ...]],
    problems: _Problems,
) -> Categorical | None:
    if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_SWEEP_CHOICES:
        problems.add(f"{path}.choices", f"a list of 1 to {MAX_SWEEP_CHOICES} values")
        return None
    for i, choice in enumerate(choices):
        if choice is not None and not isinstance(choice, str | int | float | bool):
            problems.add(f"{path}.choices.{i}", "a string, number, boolean or null")
            return None
        if isinstance(choice, float) and not math.isfinite(choice):
            problems.add(f"{path}.choices.{i}", "a finite number")
            return None
    for i, choice in enumerate(choices):
        if any(_same(choice, other) for other in choices[:i]):
            problems.add(f"{path}.choices.{i}", f"{choice!r} is listed twice")
            return None
    return Categorical(name=name, choices=tuple(choices), when=when)


def _range(
    name: str,
    kind: str,
    value: Mapping[str, object],
    path: str,
    when: dict[str, tuple[ParamValue, ...]],
    problems: _Problems,
) -> Param | None:
    low, high, step, log = value.get("low"), value.get("high"), value.get("step"), value.get("log")
    number = _is_int if kind == "int" else _is_number
    ok = True
    for key, bound in (("low", low), ("high", high)):
        if not number(bound):
            problems.add(f"{path}.{key}", _not_a_number(bound, kind))
            ok = False
    if log is not None and not isinstance(log, bool):
        problems.add(f"{path}.log", "true or false")
        ok = False
    if step is not None and (not number(step) or not float(step) > 0):  # type: ignore[arg-type]
        problems.add(f"{path}.step", "a number above 0")
        ok = False
    if not ok:
        return None
    lo, hi = float(low), float(high)  # type: ignore[arg-type]
    if not lo <= hi:
        problems.add(f"{path}.low", f"low ({low}) must not be above high ({high})")
        return None
    if log and lo <= 0:
        problems.add(f"{path}.low", "a log-scale range needs low above 0")
        return None
    if log and step is not None and step != 1:
        problems.add(f"{path}.step", "a log-scale range takes no step")
        return None
    if step is not None and not log and not _divides(float(step), lo, hi):  # type: ignore[arg-type]
        problems.add(f"{path}.step", f"high - low ({hi - lo:g}) must be a multiple of step")
        return None
    if kind == "int":
        return IntParam(name, int(low), int(high), int(step or 1), bool(log), when)  # type: ignore[call-overload]
    float_step = None if step is None or log else float(step)  # type: ignore[arg-type]
    return FloatParam(name, lo, hi, bool(log), float_step, when)


def _when(
    value: object, path: str, earlier: list[Param], problems: _Problems
) -> dict[str, tuple[ParamValue, ...]]:
    """A condition: each named earlier parameter must equal the value (or one of a list)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not value:
        problems.add(path, "a mapping of an earlier parameter to its value ({optimizer: sgd})")
        return {}
    known = {param.name: param for param in earlier}
    when: dict[str, tuple[ParamValue, ...]] = {}
    for key, wanted in value.items():
        param = known.get(str(key))
        if param is None:
            problems.add(f"{path}.{key}", "names no parameter listed before this one")
            continue
        values = tuple(wanted) if isinstance(wanted, list) else (wanted,)
        for item in values:
            if not param.holds(item):
                problems.add(f"{path}.{key}", f"{item!r} is not a value {key} can take")
        when[str(key)] = values
    return when


def _when_json(when: Mapping[str, tuple[ParamValue, ...]]) -> dict[str, object]:
    if not when:
        return {}
    return {"when": {key: list(values) if len(values) > 1 else values[0]
                     for key, values in when.items()}}  # fmt: skip


# -- explicit param sets ------------------------------------------------------------------------
def _param_sets(
    value: object, space: tuple[Param, ...], problems: _Problems
) -> tuple[Mapping[str, ParamValue], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_SWEEP_PARAM_SETS:
        problems.add("params", f"a list of at most {MAX_SWEEP_PARAM_SETS} param sets")
        return ()
    by_name = {param.name: param for param in space}
    sets: list[Mapping[str, ParamValue]] = []
    for i, item in enumerate(value):
        path = f"params.{i}"
        if not isinstance(item, Mapping) or not item:
            problems.add(path, "a mapping of parameter names to values")
            continue
        for key, given in item.items():
            where = f"{path}.{key}"
            param = by_name.get(str(key))
            if space and param is None:
                problems.add(where, "names no parameter of the space")
            elif param is not None and not param.holds(given):
                problems.add(where, f"{given!r} is outside the space of {key}")
            else:
                try:
                    param_json(str(key), given, field=where)
                except AtlasError as exc:
                    problems.add(where, exc.message)
        sets.append(dict(item))
    return tuple(sets)


# -- values -------------------------------------------------------------------------------------
def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _not_a_number(value: object, kind: str) -> str:
    """Why ``value`` is no bound of a ``kind`` (int or float) range, in words."""
    wanted = "an integer" if kind == "int" else "a number"
    if value is None:
        return f"required: {wanted}"
    hint = ""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            pass
        else:  # YAML reads 1e-5 as a string: it wants a dot in the mantissa (1.0e-5)
            hint = " (a string: in YAML write a number such as 1.0e-5, with its dot)"
    return f"{wanted}, not {value!r}{hint}"


def _divides(step: float, low: float, high: float) -> bool:
    """Whether ``step`` divides ``high - low`` (within rounding: 0.1 divides 1.0)."""
    count = (high - low) / step
    return abs(count - round(count)) <= 1e-8 * max(1.0, abs(count))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _same(a: object, b: object) -> bool:
    """Equal and of the same kind: ``1``, ``1.0`` and ``true`` are different choices only
    where JSON tells them apart (a bool is not a number)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b
