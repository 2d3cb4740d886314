"""Metric points as numpy columns, and their packing into chunk rows.

A chunk holds up to ``CHUNK_POINTS`` points as three packed little-endian arrays (steps int64,
times float64, values float64) in the order they arrived, with its step range and value
extremes so reads can skip chunks and sorts can skip sorted data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atlas.names import invalid
from atlas.store.api import Column
from atlas.store.conversions import float_to_db

__all__ = ["Columns", "chunk_values", "decode_chunk", "to_columns"]

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]

_STEP_DTYPE = np.dtype("<i8")
_FLOAT_DTYPE = np.dtype("<f8")


@dataclass(frozen=True, slots=True)
class Columns:
    """Parallel columns of points (equal lengths)."""

    steps: Int64Array
    times: Float64Array
    values: Float64Array

    def __len__(self) -> int:
        return len(self.steps)

    def slice(self, start: int, stop: int | None = None) -> Columns:
        """The points at positions ``start:stop`` (views, no copy)."""
        return Columns(self.steps[start:stop], self.times[start:stop], self.values[start:stop])

    def take(self, positions: npt.NDArray[np.intp]) -> Columns:
        """The points at ``positions``."""
        return Columns(self.steps[positions], self.times[positions], self.values[positions])

    @staticmethod
    def concat(parts: Sequence[Columns]) -> Columns:
        """One run of columns from several, in order."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return Columns(np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.float64))
        return Columns(
            np.concatenate([p.steps for p in parts]),
            np.concatenate([p.times for p in parts]),
            np.concatenate([p.values for p in parts]),
        )


def to_columns(key: str, steps: Column, times: Column, values: Column) -> Columns:
    """Checked numpy columns from lists, ``array.array``s or numpy arrays (no copy when they
    are already little-endian int64 / float64 arrays). ``InvalidInputError`` for columns of
    unequal lengths, non-integer steps, non-numeric values or non-finite times."""
    step_col = _int_column(key, steps)
    time_col = _float_column(key, times, "times")
    value_col = _float_column(key, values, "values")
    if not len(step_col) == len(time_col) == len(value_col):
        raise invalid(
            "series",
            f"metric {key!r}: steps, times and values differ in length "
            f"({len(step_col)}, {len(time_col)}, {len(value_col)})",
        )
    if not np.isfinite(time_col).all():
        raise invalid("series", f"metric {key!r}: times must be finite numbers")
    return Columns(step_col, time_col, value_col)


def decode_chunk(steps: bytes, times: bytes, values: bytes) -> Columns:
    """The columns packed in a chunk row (read-only views of the bytes)."""
    return Columns(
        np.frombuffer(steps, dtype=_STEP_DTYPE),
        np.frombuffer(times, dtype=_FLOAT_DTYPE),
        np.frombuffer(values, dtype=_FLOAT_DTYPE),
    )


def chunk_values(job_id: str, key: str, seq: int, points: Columns) -> dict[str, object]:
    """The column values of the chunk row ``seq`` holding ``points`` (at least one)."""
    low = float(np.fmin.reduce(points.values))  # fmin skips NaN, NaN only when all are
    high = float(np.fmax.reduce(points.values))
    return {
        "job_id": job_id,
        "key": key,
        "seq": seq,
        "count": len(points),
        "min_step": int(points.steps.min()),
        "max_step": int(points.steps.max()),
        "min_value": float_to_db(low),
        "max_value": float_to_db(high),
        "steps": points.steps.astype(_STEP_DTYPE, copy=False).tobytes(),
        "times": points.times.astype(_FLOAT_DTYPE, copy=False).tobytes(),
        "values": points.values.astype(_FLOAT_DTYPE, copy=False).tobytes(),
    }


def _as_array(column: object) -> npt.NDArray[np.generic]:
    if isinstance(column, np.ndarray):
        return column
    try:  # lists, and array.array through the buffer protocol (no copy)
        return np.asarray(column)
    except (OverflowError, ValueError, TypeError) as exc:
        raise invalid("series", f"not a column of numbers: {exc}") from exc


def _int_column(key: str, column: Column) -> Int64Array:
    arr = _as_array(column)
    if arr.size == 0:
        return np.empty(0, np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise invalid("series", f"metric {key!r}: steps must be integers")
    if arr.dtype.kind == "u" and arr.size and int(arr.max()) >= 2**63:
        raise invalid("series", f"metric {key!r}: a step is beyond the 64-bit range")
    return arr.astype(_STEP_DTYPE, copy=False)


def _float_column(key: str, column: Column, name: str) -> Float64Array:
    arr = _as_array(column)
    if arr.size == 0:
        return np.empty(0, np.float64)
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise invalid("series", f"metric {key!r}: {name} must be numbers")
    return arr.astype(_FLOAT_DTYPE, copy=False)
