"""Sizes in bytes as people read them: one function for every message, table and log line
that shows an amount of memory or data (the CLI, the scheduler's errors, the executor's
memory limit). Standard library only."""

from __future__ import annotations

import re

from atlas.errors import InvalidInputError

__all__ = ["format_size", "parse_memory"]

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
