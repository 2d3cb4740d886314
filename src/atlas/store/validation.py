"""Checks on what clients send, before anything is written.

Each check returns the value it accepts or raises ``InvalidInputError`` whose ``detail``
names the offending field, so the server can answer 422 with a precise message.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

from atlas.domain import ParamValue
from atlas.errors import InvalidInputError

__all__ = [
    "MAX_INDEXED_TEXT_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_PARAM_JSON_LENGTH",
    "MAX_PROJECT_NAME_LENGTH",
    "MAX_TAG_VALUE_LENGTH",
    "check_job_id",
    "check_key",
    "check_mapping",
    "check_project_name",
    "check_tag_value",
    "check_text",
    "decode_params",
    "encode_param",
    "invalid",
    "is_storable",
]

MAX_KEY_LENGTH = 250
MAX_PARAM_JSON_LENGTH = 65_536
MAX_TAG_VALUE_LENGTH = 500
"""Longest tag value: tags are indexed, and a PostgreSQL index entry holds ~2,700 bytes."""
MAX_INDEXED_TEXT_LENGTH = 500
"""Longest string param that filters and sorts as text; longer ones are kept whole."""
MAX_PROJECT_NAME_LENGTH = 200

_PROJECT_NAME = re.compile(r"(?![ .])[\w.\- ]+")
_JOB_ID = re.compile(r"[0-9a-z]{16}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_project_name(name: object, *, field: str = "name") -> str:
    """A project name: 1-200 letters, digits, ``.``, ``_``, ``-`` and spaces, not starting
    with a space or a dot."""
    if not isinstance(name, str):
        raise invalid(field, "a project name must be a string")
    if not 1 <= len(name) <= MAX_PROJECT_NAME_LENGTH:
        raise invalid(field, f"a project name has 1 to {MAX_PROJECT_NAME_LENGTH} characters")
    if not _PROJECT_NAME.fullmatch(name):
        raise invalid(
            field,
            f"invalid project name {name!r}: use letters, digits, '.', '_', '-' and spaces, "
            "not starting with a space or a dot",
        )
    return name


def check_job_id(job_id: object, *, field: str = "id") -> str:
    """A job id given by a client: 16 characters of ``0-9a-z``."""
    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        raise invalid(field, f"invalid job id {job_id!r}: expected 16 characters of 0-9a-z")
    return job_id


def check_key(key: object, *, kind: str) -> str:
    """A param, tag or metric key: 1-250 characters without control characters."""
    field = f"{kind}s"
    if not isinstance(key, str):
        raise invalid(field, f"a {kind} key must be a string, not {type(key).__name__}")
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise invalid(field, f"a {kind} key has 1 to {MAX_KEY_LENGTH} characters: {key[:40]!r}")
    if _CONTROL.search(key):
        raise invalid(field, f"a {kind} key may not hold control characters: {key!r}")
    return _storable(key, field)


def check_text(value: object, *, field: str, max_length: int | None = None) -> str:
    """A string of at most ``max_length`` characters that every database can store."""
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string, not {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise invalid(field, f"{field} has at most {max_length} characters")
    return _storable(value, field)


def is_storable(text: str) -> bool:
    """Whether ``text`` can be stored and looked up: no NUL (PostgreSQL refuses it) and no
    lone surrogate (not UTF-8). A lookup of other text finds nothing."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(text: str, field: str) -> str:
    if not is_storable(text):
        raise invalid(field, f"{field} may not hold NUL characters or lone surrogates")
    return text


def check_tag_value(key: str, value: object) -> str:
    """A tag value: a string (numbers are refused, not converted)."""
    if not isinstance(value, str):
        raise invalid("tags", f"tag {key!r} must be a string, not {type(value).__name__}")
    if len(value) > MAX_TAG_VALUE_LENGTH:
        raise invalid("tags", f"tag {key!r} has at most {MAX_TAG_VALUE_LENGTH} characters")
    return _storable(value, "tags")


def encode_param(key: str, value: object) -> tuple[str, float | None, str | None]:
    """``(value_json, value_num, value_text)`` for a param (see ``tables.ParamRow``).

    Refuses values JSON cannot hold: NaN and infinities, non-string dict keys, objects.
    """
    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise invalid(
            "params", f"param {key!r} is not a JSON value (finite numbers only): {exc}"
        ) from exc
    if len(encoded) > MAX_PARAM_JSON_LENGTH:
        raise invalid("params", f"param {key!r} is over {MAX_PARAM_JSON_LENGTH} characters")
    _storable(encoded, "params")  # json escapes NUL; a lone surrogate stays
    if isinstance(value, int | float) and not isinstance(value, bool):
        return encoded, _as_float(value), None
    if isinstance(value, str):
        _storable(value, "params")
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


def invalid(field: str, message: str) -> InvalidInputError:
    """An ``InvalidInputError`` whose detail names ``field``."""
    return InvalidInputError(message, detail={"errors": [{"field": field, "message": message}]})
