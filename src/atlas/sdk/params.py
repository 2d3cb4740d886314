"""Params and tags as the server stores them: flat keys, JSON values, string tags.

The flattening rule: a nested mapping becomes one param per leaf, its keys joined with ``.``
(``{"model": {"layers": 3}}`` → ``{"model.layers": 3}``); lists and tuples are kept whole as
JSON lists; an empty mapping is kept as the value ``{}``. Values are normalised to JSON:
numpy scalars and 0-d arrays to Python numbers, arrays to lists, paths to strings, enums to
their values. NaN and infinities are refused (JSON cannot hold them), as are keys that are not
strings and two spellings of one key (``{"a.b": 1, "a": {"b": 2}}``).
"""

from __future__ import annotations

import enum
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.errors import InvalidInputError
from atlas.names import MAX_TAG_VALUE_LENGTH, check_key, check_tag_value, param_json

if TYPE_CHECKING:
    from atlas.domain import ParamValue

__all__ = [
    "MAX_TAG_VALUE_LENGTH",
    "PARAMETER_FILES",
    "flatten_params",
    "normalize_tags",
    "read_parameter_file",
    "tag_value",
]

PARAMETER_FILES = ("atlas_job_parameters.json", "foundations_job_parameters.json")


def _json_value(key: str, value: object) -> ParamValue:
    """``value`` as JSON data; ``TypeError``/``InvalidInputError`` naming ``key``."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(
                f"param {key!r} is {value}: params must be finite numbers",
                detail={"field": "params", "key": key},
            )
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(f"{key}.{k}", v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_json_value(key, item) for item in items]
    return _json_value(key, _plain(key, value))


def _plain(key: str, value: object) -> object:
    """Numpy scalars and arrays, paths and enums as plain Python values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and hasattr(value, "dtype"):
        return tolist()  # numpy scalars give a Python scalar, arrays a list
    raise TypeError(
        f"param {key!r} is a {type(value).__name__}, not a JSON value "
        "(str, int, float, bool, None, list or dict)"
    )


def flatten_params(params: Mapping[str, object], *, prefix: str = "") -> dict[str, ParamValue]:
    """``params`` flattened by the rule of this module's docstring, keys checked, values
    normalised to JSON."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of names to values, not {type(params).__name__}")
    flat: dict[str, ParamValue] = {}
    _flatten_into(flat, params, prefix)
    return flat


def _flatten_into(flat: dict[str, ParamValue], params: Mapping[str, object], prefix: str) -> None:
    for raw_key, value in params.items():
        if not isinstance(raw_key, str):
            raise TypeError(
                f"param names must be strings, not {type(raw_key).__name__}: {raw_key!r}"
                + (f" (under {prefix[:-1]!r})" if prefix else "")
            )
        key = prefix + raw_key
        if isinstance(value, Mapping) and value:
            _flatten_into(flat, value, key + ".")
            continue
        check_key(key, "param", type_error=True)
        if key in flat:
            raise InvalidInputError(
                f"param {key!r} is given twice (as a dotted name and as a nested one)",
                detail={"field": "params", "key": key},
            )
        flat[key] = {} if isinstance(value, Mapping) else _json_value(key, value)
        param_json(key, flat[key])  # the server's rule: length and storable text


def normalize_tags(tags: Mapping[str, object] | list[str] | tuple[str, ...]) -> dict[str, str]:
    """Tags as ``{key: text}``. A list of names gives each the value ``""``; numbers and
    bools are written with ``str()``; anything else is a ``TypeError``."""
    if isinstance(tags, list | tuple):
        pairs: list[tuple[object, object]] = [(name, "") for name in tags]
    elif isinstance(tags, Mapping):
        pairs = list(tags.items())
    else:
        raise TypeError(f"tags must be a dict or a list of names, not {type(tags).__name__}")
    return {
        check_key(key, "tag", type_error=True): tag_value(str(key), value) for key, value in pairs
    }


def tag_value(key: str, value: object) -> str:
    """A tag's value as text: strings as given, numbers and bools with ``str()``; at most
    ``MAX_TAG_VALUE_LENGTH`` characters (``atlas.names``)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    else:
        raise TypeError(f"tag {key!r} must be a string (or a number), not {type(value).__name__}")
    return check_tag_value(key, text)


def read_parameter_file(folder: Path) -> dict[str, object] | None:
    """The parameters a job was given, from ``atlas_job_parameters.json`` (or the old
    ``foundations_job_parameters.json``) in ``folder``; ``None`` when neither exists."""
    for name in PARAMETER_FILES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"cannot read job parameters from {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidInputError(f"{path} must hold a JSON object of parameters")
        return data
    return None
