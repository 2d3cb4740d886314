"""Checks on what clients send, before anything is written: the store's own (text fields,
param values as JSON); every naming rule and limit is ``atlas.names``'s.

Each check returns the value it accepts or raises ``InvalidInputError`` whose ``detail``
names the offending field, so the server can answer 422 with a precise message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from atlas.domain import ParamValue
from atlas.names import invalid, is_storable, param_json

__all__ = [
    "MAX_INDEXED_TEXT_LENGTH",
    "check_mapping",
    "check_text",
    "decode_params",
    "encode_param",
]

MAX_INDEXED_TEXT_LENGTH = 500
"""Longest string param that filters and sorts as text; longer ones are kept whole."""


def check_text(value: object, *, field: str, max_length: int | None = None) -> str:
    """A string of at most ``max_length`` characters that every database can store."""
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string, not {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise invalid(field, f"{field} has at most {max_length} characters")
    return _storable(value, field)


def _storable(text: str, field: str) -> str:
    if not is_storable(text):
        raise invalid(field, f"{field} may not hold NUL characters or lone surrogates")
    return text


def encode_param(key: str, value: object) -> tuple[str, float | None, str | None]:
    """``(value_json, value_num, value_text)`` for a param (see ``tables.ParamRow``).

    Refuses what ``atlas.names.param_json`` refuses.
    """
    encoded = param_json(key, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return encoded, _as_float(value), None
    if isinstance(value, str):
        if len(value) > MAX_INDEXED_TEXT_LENGTH:
            return encoded, None, None  # kept whole in value_json, not indexed as text
        return encoded, None, value
    return encoded, None, None  # a bool, list or dict: matched on value_json


def decode_params(texts: list[str]) -> list[ParamValue]:
    """The values of stored params from their ``value_json`` (one parse for all: fast)."""
    values: list[ParamValue] = json.loads("[" + ",".join(texts) + "]")
    return values


def check_mapping(values: object, *, field: str) -> Mapping[str, object]:
    """A mapping (of params, tags, ...)."""
    if not isinstance(values, Mapping):
        raise invalid(field, f"{field} must be a mapping of keys to values")
    return values


def _as_float(value: int | float) -> float | None:
    try:
        number = float(value)
    except OverflowError:
        return None  # an int beyond float range filters as JSON only
    return number if math.isfinite(number) else None
