"""Sizes in bytes as people read them: one function for every message, table and log line
that shows an amount of memory or data (the CLI, the scheduler's errors, the executor's
memory limit). Standard library only."""

from __future__ import annotations

__all__ = ["format_size"]

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_size(size: int) -> str:
    """Bytes in the largest unit that keeps the number readable: ``512 B``, ``1.2 MiB``,
    ``20.0 GiB`` (powers of 1024)."""
    amount = float(size)
    for unit in _UNITS:
        if abs(amount) < 1024 or unit == _UNITS[-1]:
            return f"{size} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")
