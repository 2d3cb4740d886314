"""Decoding of metric batches (docs/rest-api.md#metrics) into the store's ``SeriesBatch``.

A batch is read from the raw request body, not through pydantic: a million points would
cost more to validate as models than to store. Columns become numpy arrays: JSON lists are
checked by the types they hold (numbers, and for floats the strings ``"NaN"``,
``"Infinity"``, ``"-Infinity"``), base64 columns are little-endian int64 (steps) and float64
(times, values) read with ``numpy.frombuffer``; ``encode_float64`` writes the same float64
form (the workspace's columnar values answer it). A bad batch raises ``InvalidInputError``
whose ``detail.errors`` names the field (``series.0.values``); too many points raise
``PayloadTooLargeError``. Nothing is stored unless the whole batch decodes.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pydantic_core

from atlas.errors import InvalidInputError, PayloadTooLargeError
from atlas.names import check_key
from atlas.store.api import SeriesBatch

__all__ = ["MAX_BATCH_BYTES", "MAX_POINTS", "DecodedBatch", "decode_batch", "encode_float64"]

MAX_POINTS = 1_000_000
"""Most points in one request."""
MAX_BATCH_BYTES = 128 * 1024 * 1024
"""Largest metric request body (a million points as JSON numbers take about 45 MiB)."""
MAX_BATCH_ID_LENGTH = 100

_NON_FINITE = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BATCH_FIELDS = frozenset({"batch_id", "encoding", "series"})
_SERIES_FIELDS = frozenset({"key", "steps", "times", "values"})
_INT64 = np.dtype("<i8")
_FLOAT64 = np.dtype("<f8")


@dataclass(frozen=True, slots=True)
class DecodedBatch:
    """A decoded metric batch, ready for ``Store.append_metrics``."""

    batch_id: str | None
    series: list[SeriesBatch]
    points: int


def _invalid(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(
        f"invalid {field}: {message}", detail={"errors": [{"field": field, "message": message}]}
    )


def decode_batch(body: bytes) -> DecodedBatch:
    """Decode a ``MetricBatch`` request body.

    Raises ``InvalidInputError`` for a malformed batch (bad JSON, unknown fields, wrong
    types, malformed base64, columns of unequal lengths, steps outside int64, non-finite
    times, a key repeated) and ``PayloadTooLargeError`` past ``MAX_POINTS`` points.
    """
    document = _parse_json(body)
    batch_id = _batch_id(document.get("batch_id"))
    encoding = document.get("encoding", "json")
    if encoding not in ("json", "base64"):
        raise _invalid("encoding", f"must be 'json' or 'base64', not {encoding!r}")
    entries = document.get("series")
    if not isinstance(entries, list):
        raise _invalid("series", "must be a list of {key, steps, times, values}")
    _check_size(entries, encoding)
    batches: list[SeriesBatch] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        batch = _decode_series(entry, f"series.{index}", encoding == "base64")
        if batch.key in seen:
            raise _invalid(f"series.{index}.key", f"key {batch.key!r} appears twice")
        seen.add(batch.key)
        batches.append(batch)
    points = sum(len(b.steps) for b in batches)
    return DecodedBatch(batch_id=batch_id, series=batches, points=points)


def _parse_json(body: bytes) -> dict[str, object]:
    # pydantic-core's parser reads the long base64 strings of a batch about 10x faster than
    # the json module; it accepts NaN and Infinity literals like the json module does.
    try:
        document = pydantic_core.from_json(body, cache_strings="keys")
    except ValueError as exc:  # bad JSON, bad UTF-8, nesting too deep
        raise _invalid("body", f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise _invalid("body", "a metric batch is a JSON object")
    unknown = sorted(set(document) - _BATCH_FIELDS)
    if unknown:
        raise _invalid(unknown[0], "unknown field")
    return document


def _batch_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_BATCH_ID_LENGTH:
        raise _invalid("batch_id", f"must be a string of 1 to {MAX_BATCH_ID_LENGTH} characters")
    if _CONTROL.search(value):
        raise _invalid("batch_id", "may not hold control characters")
    return value


def _check_size(entries: list[object], encoding: str) -> None:
    """Refuse a batch over ``MAX_POINTS`` before decoding any column."""
    points = 0
    for entry in entries:
        steps = entry.get("steps") if isinstance(entry, dict) else None
        if isinstance(steps, list):
            points += len(steps)
        elif isinstance(steps, str) and encoding == "base64":
            points += len(steps) * 3 // 4 // 8
    if points > MAX_POINTS:
        raise PayloadTooLargeError(
            f"a metric batch holds at most {MAX_POINTS} points, this one {points}",
            detail={"points": points, "max_points": MAX_POINTS},
        )


def _decode_series(entry: object, where: str, binary: bool) -> SeriesBatch:
    if not isinstance(entry, dict):
        raise _invalid(where, "must be an object {key, steps, times, values}")
    missing = sorted(_SERIES_FIELDS - set(entry))
    if missing:
        raise _invalid(f"{where}.{missing[0]}", "field required")
    unknown = sorted(set(entry) - _SERIES_FIELDS)
    if unknown:
        raise _invalid(f"{where}.{unknown[0]}", "unknown field")
    key = _key(entry["key"], f"{where}.key")
    if binary:
        steps = _base64_column(entry["steps"], _INT64, f"{where}.steps")
        times = _base64_column(entry["times"], _FLOAT64, f"{where}.times")
        values = _base64_column(entry["values"], _FLOAT64, f"{where}.values")
    else:
        steps = _json_steps(entry["steps"], f"{where}.steps")
        times = _json_floats(entry["times"], f"{where}.times")
        values = _json_floats(entry["values"], f"{where}.values")
    if not len(steps) == len(times) == len(values):
        raise _invalid(
            where,
            f"steps, times and values differ in length ({len(steps)}, {len(times)}, {len(values)})",
        )
    if not np.isfinite(times).all():
        raise _invalid(f"{where}.times", "times must be finite")
    return SeriesBatch(
        key=key,
        steps=cast(Sequence[int], steps),
        times=cast(Sequence[float], times),
        values=cast(Sequence[float], values),
    )


def _key(value: object, field: str) -> str:
    try:
        return check_key(value, "metric", field=field)
    except InvalidInputError as exc:
        raise _invalid(field, exc.message) from None


def _base64_column(
    value: object, dtype: np.dtype[np.generic], field: str
) -> npt.NDArray[np.generic]:
    if not isinstance(value, str):
        raise _invalid(field, "with encoding 'base64', a column is a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(field, "not valid base64") from None
    if len(raw) % 8:
        raise _invalid(field, f"{len(raw)} bytes is not a whole number of 8-byte values")
    return np.frombuffer(raw, dtype=dtype)


def encode_float64(values: npt.ArrayLike) -> str:
    """``values`` as the base64 of little-endian float64, the form the ``base64`` encoding
    of a metric batch reads (NaN and infinities as IEEE values)."""
    raw = np.ascontiguousarray(values, dtype=_FLOAT64).tobytes()
    return base64.b64encode(raw).decode("ascii")


def _json_steps(value: object, field: str) -> npt.NDArray[np.int64]:
    if not isinstance(value, list):
        raise _invalid(field, "must be a list of integers")
    if not set(map(type, value)) <= {int}:
        raise _invalid(field, "steps must be integers")
    try:
        return np.array(value, dtype=np.int64)
    except OverflowError:
        raise _invalid(field, "steps must fit in a signed 64-bit integer") from None


def _json_floats(value: object, field: str) -> npt.NDArray[np.float64]:
    if not isinstance(value, list):
        raise _invalid(field, 'must be a list of numbers, "NaN", "Infinity" or "-Infinity"')
    types = set(map(type, value))
    if not types <= {int, float, str}:
        raise _invalid(field, 'only numbers, "NaN", "Infinity" and "-Infinity" are allowed')
    if str in types:
        try:
            value = [_NON_FINITE[v] if type(v) is str else v for v in value]
        except KeyError as exc:
            raise _invalid(
                field, f'{exc.args[0]!r} is not a number, "NaN", "Infinity" or "-Infinity"'
            ) from None
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        raise _invalid(field, "a number is too large for a 64-bit float") from None
