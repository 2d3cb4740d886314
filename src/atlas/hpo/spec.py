"""A sweep's spec (docs/sweeps.md): parsed and checked at once, every problem named (its
search space: ``atlas.hpo.space``).

:func:`parse_spec` takes the spec as it came (JSON on the wire, the YAML file's shape) and
returns a :class:`SweepSpec`, or raises ``InvalidInputError`` whose ``detail.errors`` lists
every problem with the path of its field (``space.lr.low``), so a user fixes them all in one
go. ``SweepSpec.to_json`` is the normalised form stored with the sweep and answered by the
API: every default filled in, ``objective`` always a list, ``command`` always an argv.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from atlas.domain import ParamValue
from atlas.errors import AtlasError
from atlas.hpo.problems import Problems
from atlas.hpo.space import Param, grid_size, is_number, parse_param_sets, parse_space
from atlas.names import (
    IMAGE_PATTERN,
    MAX_COMMAND_LENGTH,
    MAX_SWEEP_GRID_POINTS,
    MAX_SWEEP_NAME_LENGTH,
    MAX_SWEEP_OBJECTIVES,
    MAX_SWEEP_PARALLEL,
    MAX_SWEEP_TRIALS,
    check_key,
    check_labels,
    check_project_name,
    check_tag_value,
)

__all__ = [
    "DIRECTIONS",
    "PRUNERS",
    "SAMPLERS",
    "SUMMARIES",
    "Objective",
    "SweepSpec",
    "Tool",
    "can_grow",
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


def parse_spec(data: object, *, project: str | None = None) -> SweepSpec:
    """The checked spec of ``data`` (``project`` wins over the spec's own); every problem
    found is listed in the ``InvalidInputError`` raised."""
    problems = Problems()
    if not isinstance(data, Mapping):
        problems.add("spec", "a sweep spec is a mapping (JSON object, YAML mapping)")
        problems.raise_any()
        raise AssertionError  # unreachable: raise_any raised
    problems.unknown_keys(data, _TOP_KEYS, "")
    space = parse_space(data.get("space"), problems)
    objectives = _objectives(data.get("objective"), problems)
    sampler = _tool(data.get("sampler", "tpe"), "sampler", SAMPLERS, problems)
    pruner = _tool(data.get("pruner", "none"), "pruner", PRUNERS, problems)
    params = parse_param_sets(data.get("params"), space, problems)
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


def can_grow(spec: SweepSpec) -> bool:
    """Whether trials may be added to a sweep of ``spec``: its sampler samples a search
    space (a grid, or a sweep of param sets alone, has all its trials in its budget)."""
    return bool(spec.space) and spec.sampler.name != "grid"


# -- top-level fields ---------------------------------------------------------------------------
def _command(value: object, problems: Problems) -> tuple[str, ...]:
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


def _name(value: object, problems: Problems) -> str:
    if not isinstance(value, str) or len(value) > MAX_SWEEP_NAME_LENGTH:
        problems.add("name", f"a string of at most {MAX_SWEEP_NAME_LENGTH} characters")
        return ""
    return value


def _project(value: object, problems: Problems) -> str | None:
    if value is None:
        return None
    try:
        return check_project_name(value, field="project")
    except AtlasError as exc:
        problems.add("project", exc.message)
        return None


def _count(value: object, path: str, low: int, high: int, problems: Problems) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(path, f"an integer from {low} to {high}, not {value!r}")
        return low
    return value


def _trials(
    data: Mapping[str, object],
    space: tuple[Param, ...],
    sampler: Tool,
    params: tuple[Mapping[str, ParamValue], ...],
    problems: Problems,
) -> int:
    """The budget: ``trials``, else the grid's size for ``grid``, the number of param sets
    for a sweep without a space, else :data:`DEFAULT_TRIALS`."""
    grid = grid_size(space, problems) if sampler.name == "grid" else None
    if grid is not None and grid > MAX_SWEEP_GRID_POINTS:
        problems.add(
            "space",
            f"the grid has {grid} points, more than the {MAX_SWEEP_GRID_POINTS} a sweep may "
            "have: give its parameters fewer values (a larger step, fewer choices)",
        )
        return 1
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


def _timeout(value: object, problems: Problems) -> float | None:
    if value is None:
        return None
    if not is_number(value) or not 0 < float(value) <= 1e9:  # type: ignore[arg-type]
        problems.add("timeout", "seconds per trial: a number above 0")
        return None
    return float(value)  # type: ignore[arg-type]


def _image(value: object, problems: Problems) -> str | None:
    import re

    if value is None:
        return None
    if not isinstance(value, str) or re.fullmatch(IMAGE_PATTERN, value) is None:
        problems.add("image", "a container image reference (python:3.11-slim)")
        return None
    return value


def _labels(value: object, problems: Problems) -> dict[str, str]:
    if value is None:
        return {}
    try:
        return check_labels(value, field="labels")
    except AtlasError as exc:
        problems.add("labels", exc.message)
        return {}


def _tags(value: object, problems: Problems) -> dict[str, str]:
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


def _resources(value: object, problems: Problems) -> dict[str, object]:
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
def _objectives(value: object, problems: Problems) -> tuple[Objective, ...]:
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


def _objective(value: object, path: str, problems: Problems) -> Objective | None:
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


def _tool(value: object, path: str, names: Sequence[str], problems: Problems) -> Tool:
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
