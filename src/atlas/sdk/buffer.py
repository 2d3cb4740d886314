"""The in-memory metric buffer: the hot path of ``log_metric``.

Each key owns three columns (``array('q')`` steps, ``array('d')`` times and values); an
append is a lock, three appends and a size check. When ``batch_points`` are buffered the
sender is woken; when ``capacity`` points are buffered the caller takes everything out and
hands it to ``spill`` (the spool), so memory stays bounded and nothing is dropped.

Metric values: ``float`` and ``int`` (not ``bool``), any ``numbers.Real``, and any object with
``__float__`` that is not an array of more than zero dimensions (numpy scalars and 0-d
arrays, ``Decimal``, 0-d tensors). NaN and infinities are kept. Anything else (``str``,
``None``, lists, bools, complex numbers) raises ``TypeError`` naming the key.
"""

from __future__ import annotations

import numbers
import operator
import threading
from array import array
from collections.abc import Callable
from time import time

from atlas.errors import ConflictError, InvalidInputError
from atlas.names import check_key

__all__ = ["MetricBuffer", "MetricColumns", "metric_step", "metric_value"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_REFUSED_DTYPE_KINDS = frozenset("bcmMOSUV")  # bool, complex, times, objects, text, bytes


def metric_value(key: str, value: object) -> float:
    """``value`` as a float, or ``TypeError`` naming ``key``; NaN and infinities pass."""
    if isinstance(value, bool) or _dtype_kind(value) == "b":
        raise TypeError(
            f"metric {key!r}: a bool is not a metric value (log float(flag) to chart it)"
        )
    if isinstance(value, int | float | numbers.Real):
        return _as_float(key, value)
    if not hasattr(type(value), "__float__"):
        raise TypeError(
            f"metric {key!r} must be a number (int, float or a numpy scalar), "
            f"not {type(value).__name__}: {value!r:.60}"
        )
    ndim = getattr(value, "ndim", 0)
    if ndim != 0:
        raise TypeError(
            f"metric {key!r} must be one number, not an array with {ndim} dimensions "
            f"(log each element, or a reduction such as its mean)"
        )
    kind = _dtype_kind(value)
    if kind is not None and kind in _REFUSED_DTYPE_KINDS:
        raise TypeError(f"metric {key!r} must be a real number, not dtype kind {kind!r}")
    return _as_float(key, value)


def _dtype_kind(value: object) -> str | None:
    dtype = getattr(value, "dtype", None)
    kind = getattr(dtype, "kind", None)
    return kind if isinstance(kind, str) else None


def _as_float(key: str, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise InvalidInputError(
            f"metric {key!r}: {value!r:.60} is beyond the range of a float",
            detail={"field": "metrics", "key": key},
        ) from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metric {key!r}: {value!r:.60} is not a number ({exc})") from None


def metric_step(key: str, step: object) -> int:
    """``step`` as an int64 (Python and numpy integers), or ``TypeError`` naming ``key``."""
    if isinstance(step, bool):
        raise TypeError(f"metric {key!r}: step must be an integer, not a bool")
    try:
        number = operator.index(step)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"metric {key!r}: step must be an integer, not {type(step).__name__}: {step!r:.40}"
        ) from None
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise InvalidInputError(
            f"metric {key!r}: step {number} is outside the 64-bit integer range",
            detail={"field": "metrics", "key": key},
        )
    return number


class MetricColumns:
    """Points of one metric key as three parallel columns of equal lengths: int64 steps,
    float64 times (seconds since the epoch) and float64 values."""

    __slots__ = ("key", "steps", "times", "values")

    def __init__(
        self, key: str, steps: array[int], times: array[float], values: array[float]
    ) -> None:
        self.key = key
        self.steps = steps
        self.times = times
        self.values = values

    def __len__(self) -> int:
        return len(self.steps)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricColumns):
            return NotImplemented
        return (self.key, self.steps, self.times, self.values) == (
            other.key,
            other.steps,
            other.times,
            other.values,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable columns

    def __repr__(self) -> str:
        return f"MetricColumns({self.key!r}, {len(self)} points)"


class _Series:
    """The buffered points of one key and the step its next default point takes."""

    __slots__ = ("next_step", "steps", "times", "values")

    def __init__(self) -> None:
        self.next_step = 0
        self.steps: array[int] = array("q")
        self.times: array[float] = array("d")
        self.values: array[float] = array("d")


class MetricBuffer:
    """Per-key column buffers shared by the logging threads and the sender.

    ``wake`` is called (outside the lock) when ``batch_points`` are buffered; ``spill``
    receives everything when ``capacity`` points are buffered.
    """

    def __init__(
        self,
        *,
        batch_points: int,
        capacity: int,
        wake: Callable[[], None],
        spill: Callable[[list[MetricColumns]], None],
    ) -> None:
        self._lock = threading.Lock()
        self._series: dict[str, _Series] = {}
        self._size = 0
        self._closed = False
        self._batch_points = max(1, batch_points)
        self._capacity = max(self._batch_points, capacity)
        self._trigger = self._batch_points
        self._wake = wake
        self._spill = spill

    def __len__(self) -> int:
        return self._size

    def append(self, key: str, value: float, step: int | None) -> None:
        """Buffer one point; ``step`` ``None`` takes the key's previous step + 1 (0 first)."""
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._add(key)
            if self._closed:
                raise ConflictError(f"cannot log metric {key!r}: the job has ended")
            if step is None:
                step = series.next_step
            try:
                series.steps.append(step)
            except OverflowError:
                raise metric_step_error(key, step) from None
            series.next_step = step + 1
            series.times.append(time())
            series.values.append(value)
            self._size += 1
            if self._size < self._trigger:
                return
            overflow = self._on_threshold()
        self._after_threshold(overflow)

    def extend(self, points: list[tuple[str, float, int | None]]) -> None:
        """Buffer several points at once (all or none: keys and steps are checked first)."""
        for key, _, step in points:
            if key not in self._series:  # a key already buffered was checked then
                check_key(key, "metric", type_error=True)
            if step is not None:
                metric_step(key, step)
        for key, value, step in points:
            self.append(key, value, step)

    def take(self, *, close: bool = False) -> list[MetricColumns]:
        """Everything buffered, as one column set per key; the buffer is left empty.
        With ``close``, later appends raise ``ConflictError`` (the job has ended)."""
        with self._lock:
            self._closed = self._closed or close
            return self._take_locked()

    def _add(self, key: str) -> _Series:
        check_key(key, "metric", type_error=True)
        series = self._series[key] = _Series()
        return series

    def _take_locked(self) -> list[MetricColumns]:
        taken = []
        for key, series in self._series.items():
            if series.steps:
                taken.append(MetricColumns(key, series.steps, series.times, series.values))
                series.steps, series.times, series.values = array("q"), array("d"), array("d")
        self._size = 0
        self._trigger = self._batch_points
        return taken

    def _on_threshold(self) -> list[MetricColumns] | None:
        """Under the lock: at capacity take everything out; at a batch wake the sender once
        (the next wake comes at capacity, or after the sender took the buffer)."""
        if self._size >= self._capacity:
            return self._take_locked()
        self._trigger = self._capacity
        return None

    def _after_threshold(self, overflow: list[MetricColumns] | None) -> None:
        if overflow is None:
            self._wake()
        else:
            self._spill(overflow)


def metric_step_error(key: str, step: int) -> InvalidInputError:
    """The error for a step outside int64."""
    return InvalidInputError(
        f"metric {key!r}: step {step} is outside the 64-bit integer range",
        detail={"field": "metrics", "key": key},
    )
