"""Reading MLflow request bodies: fields of the right type or ``INVALID_PARAMETER_VALUE``.

MLflow's client sends protobuf messages as JSON (int64 fields sometimes as text); GET
requests carry the same fields in the query string. Every reader here names the field it
refused, as MLflow's server does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from atlas.names import is_job_id, shown
from atlas.server.mlflow.errors import DOES_NOT_EXIST, INVALID_VALUE, MlflowError

__all__ = [
    "Body",
    "count_field",
    "int_field",
    "number_field",
    "items_field",
    "run_id_of",
    "text_field",
]

Body = Mapping[str, object]
_SPECIAL = frozenset({"nan", "inf", "infinity"})


def _invalid(value: object, name: str) -> MlflowError:
    text = shown(str(value)[:100])
    return MlflowError(INVALID_VALUE, f"Invalid value {text!r} for parameter '{name}'")


def text_field(body: Body, name: str, *, required: bool = False, default: str = "") -> str:
    """The text of field ``name``."""
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise MlflowError(INVALID_VALUE, f"Missing value for required parameter '{name}'")
        return default
    if not isinstance(value, str):
        raise _invalid(value, name)
    return value


def int_field(body: Body, name: str, *, default: int | None = None) -> int | None:
    """The integer of field ``name`` (a number or its text)."""
    value = body.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise MlflowError(INVALID_VALUE, f"Invalid value {value!r} for parameter '{name}'")
    try:
        number = int(value) if isinstance(value, int | str) else None
    except ValueError:
        number = None
    if number is None or not -(2**63) <= number < 2**63:
        raise _invalid(value, name)
    return number


def count_field(body: Body, name: str, *, least: int = 0, default: int | None = None) -> int | None:
    """The integer of field ``name`` when it is at least ``least`` (a page size, an offset):
    ``INVALID_PARAMETER_VALUE`` for a smaller one."""
    number = int_field(body, name, default=default)
    if number is not None and number < least:
        raise _invalid(number, name)
    return number


def number_field(body: Body, name: str) -> float:
    """The float of required field ``name``; MLflow writes NaN and the infinities as text."""
    value = body.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer past the largest float
            raise _invalid(value, name) from None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if math.isfinite(number) or value.strip().lower().lstrip("+-") in _SPECIAL:
                return number
    if value is None:
        raise MlflowError(INVALID_VALUE, f"Missing value for required parameter '{name}'")
    raise _invalid(value, name)


def items_field(body: Body, name: str) -> list[Mapping[str, object]]:
    """The list of objects in field ``name`` (empty when absent)."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise MlflowError(INVALID_VALUE, f"Parameter '{name}' must be a list of objects")
    return value


def run_id_of(body: Body, field: str = "run_id") -> str:
    """The run id of a request (``field``, or the older ``run_uuid``); a run id that cannot
    be an Atlas job's is ``RESOURCE_DOES_NOT_EXIST`` at once."""
    run_id = text_field(body, field) or text_field(body, "run_uuid")
    if not run_id:
        raise MlflowError(INVALID_VALUE, f"Missing value for required parameter '{field}'")
    if not is_job_id(run_id):
        raise MlflowError(DOES_NOT_EXIST, f"Run with id={shown(run_id)} not found")
    return run_id
