"""A sweep's search space: its parameters (float, int, categorical, conditional), checked
with the path of each problem, the explicit param sets tried first, and a grid's size."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from atlas.domain import ParamValue
from atlas.errors import AtlasError
from atlas.hpo.problems import Problems
from atlas.names import (
    MAX_SWEEP_CHOICES,
    MAX_SWEEP_PARAM_SETS,
    MAX_SWEEP_PARAMS,
    check_key,
    is_key,
    param_json,
)

__all__ = [
    "Categorical",
    "FloatParam",
    "IntParam",
    "Param",
    "grid_size",
    "is_number",
    "parse_param_sets",
    "parse_space",
]


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
        return is_number(value) and self.low <= float(value) <= self.high  # type: ignore[arg-type]


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


# -- the space ----------------------------------------------------------------------------------
def parse_space(value: object, problems: Problems) -> tuple[Param, ...]:
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
    name: str, value: object, path: str, earlier: list[Param], problems: Problems
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
    problems: Problems,
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
        where = f"{path}.choices.{i}"
        same = next((other for other in choices[:i] if _same(choice, other)), _NONE)
        if same is not _NONE:
            problems.add(where, _twice(choice, same))
            return None
        try:
            param_json(name, choice, field=where)
        except AtlasError as exc:
            problems.add(where, exc.message)
            return None
    return Categorical(name=name, choices=tuple(choices), when=when)


def _range(
    name: str,
    kind: str,
    value: Mapping[str, object],
    path: str,
    when: dict[str, tuple[ParamValue, ...]],
    problems: Problems,
) -> Param | None:
    low, high, step, log = value.get("low"), value.get("high"), value.get("step"), value.get("log")
    number = _is_int if kind == "int" else is_number
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
    value: object, path: str, earlier: list[Param], problems: Problems
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
def parse_param_sets(
    value: object, space: tuple[Param, ...], problems: Problems
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
            elif not space and not is_key(key):
                try:
                    check_key(key, "param", field=where)
                except AtlasError as exc:
                    problems.add(where, exc.message)
            elif param is not None and not param.holds(given):
                problems.add(where, f"{given!r} is outside the space of {key}")
            else:
                try:
                    param_json(str(key), given, field=where)
                except AtlasError as exc:
                    problems.add(where, exc.message)
        sets.append(dict(item))
    return tuple(sets)


def grid_size(space: Sequence[Param], problems: Problems | None = None) -> int | None:
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


# -- values -------------------------------------------------------------------------------------
def is_number(value: object) -> bool:
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


_NONE = object()
"""No earlier choice (``None`` is a choice)."""


def _same(a: object, b: object) -> bool:
    """Whether two choices are one to Optuna, which finds a choice by ``==``: ``1``,
    ``1.0`` and ``true`` are the same choice (as are ``0``, ``0.0`` and ``false``)."""
    return a == b


def _twice(choice: object, earlier: object) -> str:
    if type(choice) is type(earlier):
        return f"{choice!r} is listed twice"
    return (
        f"{_shown(choice)} equals the earlier choice {_shown(earlier)} (Optuna cannot tell "
        "them apart): keep one"
    )


def _shown(value: object) -> str:
    """A choice as the spec's JSON or YAML writes it (``true``, not ``True``)."""
    return json.dumps(value) if isinstance(value, bool) or value is None else repr(value)
