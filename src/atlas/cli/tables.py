"""Plain aligned text tables that fit the terminal.

A table is a list of :class:`Column` and rows of already formatted strings. When the table is
wider than the terminal, optional columns are dropped from the right first, then the columns
that may shrink are cut with an ellipsis, widest first, down to their minimum width.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Column", "Table", "render_table", "terminal_width"]

GAP = "  "
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, alignment and how it may give way when space is short.

    ``optional`` columns are dropped (rightmost first) before anything is cut; ``min_width``
    is how narrow a ``shrink`` column may be cut.
    """

    header: str
    align: str = "left"
    shrink: bool = False
    optional: bool = False
    min_width: int = 8


@dataclass(frozen=True, slots=True)
class Table:
    """A rendered table and how many optional columns did not fit."""

    text: str
    hidden_columns: int


UNLIMITED = 1_000_000


def terminal_width() -> int:
    """Characters per line: ``$COLUMNS``, else the terminal's width; when the output is not a
    terminal (a pipe, a file), no limit, so nothing is cut for ``grep`` or ``less``."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = sys.__stdout__
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream else UNLIMITED
    except (ValueError, OSError):
        return UNLIMITED


def render_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> Table:
    """Lay out ``rows`` under ``columns`` in at most ``width`` characters per line
    (default: :func:`terminal_width`)."""
    limit = terminal_width() if width is None else width
    keep = list(range(len(columns)))
    widths = [_natural_width(columns[i].header, rows, i) for i in keep]
    while _total(widths) > limit and any(columns[i].optional for i in keep[1:]):
        drop = max(pos for pos, i in enumerate(keep) if pos > 0 and columns[i].optional)
        del keep[drop]
        del widths[drop]
    _shrink(widths, [columns[i] for i in keep], limit)
    lines = [_line([columns[i].header for i in keep], widths, [columns[i] for i in keep])]
    for row in rows:
        cells = [row[i] for i in keep]
        lines.append(_line(cells, widths, [columns[i] for i in keep]))
    return Table("\n".join(lines), hidden_columns=len(columns) - len(keep))


def _natural_width(header: str, rows: Sequence[Sequence[str]], index: int) -> int:
    return max([len(header), *(len(row[index]) for row in rows)])


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * max(len(widths) - 1, 0)


def _shrink(widths: list[int], columns: Sequence[Column], limit: int) -> None:
    """Cut shrinkable columns, widest first, until the table fits or none can give more."""
    excess = _total(widths) - limit
    while excess > 0:
        candidates = [
            i for i, col in enumerate(columns) if col.shrink and widths[i] > max(col.min_width, 1)
        ]
        if not candidates:
            return
        widest = max(candidates, key=lambda i: widths[i])
        floor = max(columns[widest].min_width, 1)
        others = [widths[i] for i in candidates if i != widest]
        target = max(floor, widths[widest] - excess, max(others, default=floor))
        if target >= widths[widest]:
            target = widths[widest] - 1
        excess -= widths[widest] - target
        widths[widest] = target


def _fit(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + ELLIPSIS


def _line(cells: Sequence[str], widths: Sequence[int], columns: Sequence[Column]) -> str:
    parts = []
    for cell, width, column in zip(cells, widths, columns, strict=True):
        text = _fit(cell, width)
        parts.append(text.rjust(width) if column.align == "right" else text.ljust(width))
    return GAP.join(parts).rstrip()
