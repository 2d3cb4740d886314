"""Sizes in bytes and durations as people read and write them: one function for every
message, table and log line that shows an amount of memory or data (the CLI, the
scheduler's errors, the executor's memory limit) or a lifetime (tokens, sessions).
Standard library only."""

from __future__ import annotations

import re

from atlas.errors import InvalidInputError

__all__ = ["format_duration", "format_size", "parse_duration", "parse_memory"]

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_FACTORS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtTpP]?)(?:i?[bB])?\s*")


def format_size(size: int) -> str:
    """Bytes in the largest unit that keeps the number readable: ``512 B``, ``1.2 MiB``,
    ``20.0 GiB`` (powers of 1024)."""
    amount = float(size)
    for unit in _UNITS:
        if abs(amount) < 1024 or unit == _UNITS[-1]:
            return f"{size} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def parse_memory(value: object, *, where: str = "memory", allow_zero: bool = False) -> int:
    """Bytes from an integer or a text such as ``4G``, ``512M``, ``1.5GiB`` or ``1048576``
    (units are powers of 1024). ``InvalidInputError`` naming ``where`` for anything else,
    and for zero unless ``allow_zero``."""
    amount = -1
    if isinstance(value, int) and not isinstance(value, bool):
        amount = value
    elif isinstance(value, str) and (match := _SIZE.fullmatch(value)):
        amount = int(float(match.group(1)) * _FACTORS[match.group(2).upper()])
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInputError(
            f"{where}: {value!r} is not an amount of memory: use e.g. 4G, 512M or bytes",
            detail={"field": where},
        )
    return amount


_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdwy]?)\s*")


def parse_duration(value: object, *, where: str = "duration") -> float:
    """Seconds from a number of seconds or a text such as ``90s``, ``30m``, ``12h``, ``30d``,
    ``2w`` or ``1y``. ``InvalidInputError`` naming ``where`` for anything else and for
    zero."""
    seconds = -1.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.lower())):
        seconds = float(match.group(1)) * _SECONDS[match.group(2) or "s"]
    if not 0 < seconds < float("inf"):
        raise InvalidInputError(
            f"{where}: {value!r} is not a duration: use e.g. 90s, 30m, 12h, 30d or 2w",
            detail={"errors": [{"field": where, "message": "not a duration"}]},
        )
    return seconds


def format_duration(seconds: float) -> str:
    """Seconds in the largest unit that divides them: ``30d``, ``12h``, ``90s``."""
    for unit in ("y", "w", "d", "h", "m"):
        if seconds >= _SECONDS[unit] and seconds % _SECONDS[unit] == 0:
            return f"{int(seconds // _SECONDS[unit])}{unit}"
    return f"{seconds:g}s"
