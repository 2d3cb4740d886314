"""The Atlas job a framework adapter logs into, and the conversions every adapter shares.

An adapter never sets a job's status. It logs into the job the process tracks: the one Atlas
started (``ATLAS_JOB_ID``), or the user's ``atlas.init``. With none, it starts one with
``atlas.init``, which then is the process's active job, as for a first ``atlas.log_metric``:
what the script logs after training (a test or evaluation pass, the model) goes to the same
job, and the job ends with the script (completed, or failed on an uncaught exception) or at
``atlas.finish()``. At the end of training an adapter waits until the server has its data.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Mapping
from pathlib import Path

import atlas

__all__ = ["AdapterRun", "metric_values", "plain_params"]

logger = logging.getLogger(__name__)

ParamTree = dict[str, object]

MAX_PARAM_DEPTH = 20
"""Levels of nested mappings and lists a param keeps; a value deeper than that (a mapping
that contains itself, say) is written as its ``str``, not followed into a RecursionError."""


class AdapterRun:
    """The run of one adapter, resolved on first use: ``run`` when given, else the active
    run (``atlas.current_job()``), else a new job started with ``atlas.init(project=project,
    name=name, tags=tags)``. Options are keyword-only."""

    def __init__(
        self,
        *,
        run: atlas.Run | None = None,
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
    ) -> None:
        self._given = run
        self._run: atlas.Run | None = None
        self._project = project
        self._name = name
        self._tags = tags

    @property
    def run(self) -> atlas.Run:
        """The job to log into: the given one, else the active one, else a new one (also
        when the job used before has ended since: a second training after ``atlas.finish()``
        logs into a job of its own)."""
        if self._given is not None:
            return self._given
        if self._run is None or self._run.finished:
            active = atlas.current_job()
            if active is None:
                active = atlas.init(project=self._project, name=self._name, tags=self._tags)
                logger.info("started job %s to log training into", active.id)
            self._run = active
        return self._run

    def log_params(self, params: Mapping[str, object], *, prefix: str = "") -> None:
        """Record ``params`` (framework values made JSON by :func:`plain_params`), under
        ``prefix`` when given."""
        plain = plain_params(params)
        if prefix and plain:
            plain = {prefix: plain}
        if plain:
            self.run.log_params(plain)

    def log_metrics(self, metrics: Mapping[str, object], step: int) -> None:
        """Record the numeric values of ``metrics`` at ``step`` (others are skipped)."""
        values = metric_values(metrics)
        if values:
            self.run.log_metrics(values, step=step)

    def save_artifact(self, path: str | Path, key: str) -> list[str]:
        """Store the file or folder ``path`` as artifact ``key``; its artifact paths."""
        return self.run.save_artifact(path, key)

    def flush(self) -> None:
        """Wait until the server has everything logged so far (training ended); the job
        goes on."""
        run = self._given or self._run
        if run is not None and not run.finished:
            run.flush()


def plain_params(params: Mapping[str, object]) -> ParamTree:
    """``params`` as JSON data a job accepts: nested mappings kept (Atlas flattens them
    with ``.``), lists kept, numpy and torch scalars as numbers, enums as their values; NaN,
    infinities and every other object (a class, a module, a tensor) as its ``str``; keys as
    strings, empty keys dropped; below :data:`MAX_PARAM_DEPTH` levels, values as their
    ``str``."""
    return _plain_tree(params, 1)


def _plain_tree(params: Mapping[str, object], depth: int) -> ParamTree:
    return {str(key): _plain(value, depth) for key, value in params.items() if str(key)}


def _plain(value: object, depth: int) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping | list | tuple) and depth >= MAX_PARAM_DEPTH:
        return str(value)  # a self-containing value's str is finite: "{'a': {...}}"
    if isinstance(value, Mapping):
        return _plain_tree(value, depth + 1)
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, enum.Enum):
        return _plain(value.value, depth)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        try:
            return _plain(item(), depth)
        except (TypeError, ValueError, RuntimeError):
            pass
    return str(value)


def metric_values(metrics: Mapping[str, object]) -> dict[str, float]:
    """The values of ``metrics`` that are numbers (Python, numpy or 0-d tensors), as
    floats; text, bools, ``None`` and arrays are left out."""
    values: dict[str, float] = {}
    for key, value in metrics.items():
        number = _number(value)
        if number is not None and key:
            values[str(key)] = number
    return values


def _number(value: object) -> float | None:
    if isinstance(value, bool | str | bytes) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if getattr(value, "ndim", 0) != 0:  # an array, even of one value: not a metric's point
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return None
