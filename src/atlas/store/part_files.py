"""Appendable files on object stores, which cannot append: a file grown by ``append`` is a
run of immutable part objects, each named by the byte offset it starts at.

The file ``jobs/<id>/log.txt`` appended three times is::

    jobs/<id>/log.txt.atlas-parts/00000000000000000000   (bytes 0..)
    jobs/<id>/log.txt.atlas-parts/00000000000000004096   (bytes 4096..)
    jobs/<id>/log.txt.atlas-parts/00000000000000004173   (bytes 4173..)

An append writes one new part at the file's end (O(size of the append), never a rewrite of
what is there), created only if no part holds that offset yet, so two writers never
overwrite each other: the loser looks again and appends after the winner. A reader lists
the parts (names and sizes) and reads the ones its range touches. Zero-padded offsets sort
as numbers, so a listing can start at the last part a reader already knows
(:class:`PartRun` remembers the parts, which never change once written).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "OFFSET_DIGITS",
    "PARTS_SUFFIX",
    "PartRun",
    "part_key",
    "part_offset",
    "parts_prefix",
]

PARTS_SUFFIX = ".atlas-parts"
"""What follows a file's key to name the folder of its parts."""
OFFSET_DIGITS = 20
"""Digits of a part's name: any 64-bit offset, zero-padded so names sort as numbers."""


def parts_prefix(key: str) -> str:
    """The folder (with its trailing ``/``) holding the parts of the file ``key``."""
    return f"{key}{PARTS_SUFFIX}/"


def part_key(key: str, offset: int) -> str:
    """The key of the part of the file ``key`` that starts at byte ``offset``."""
    return f"{parts_prefix(key)}{offset:0{OFFSET_DIGITS}d}"


def part_offset(name: str) -> int | None:
    """The offset a part's key (or its last segment) names, or ``None`` for another key."""
    last = name.rsplit("/", 1)[-1]
    if len(last) != OFFSET_DIGITS or not last.isdigit():
        return None
    return int(last)


@dataclass
class PartRun:
    """The parts of an appended file, in order, with no gap: ``offsets[i]`` is where part
    ``i`` starts, ``end`` the file's size."""

    offsets: list[int] = field(default_factory=list)
    end: int = 0

    @classmethod
    def from_listing(cls, listed: Iterable[tuple[int, int]]) -> PartRun | None:
        """The run of parts from offset 0 in ``listed`` (``(offset, size)`` pairs in any
        order), up to the first gap; ``None`` when no part starts at 0 (no such file, or one
        being deleted). A gap appears only while parts are being deleted."""
        run = cls()
        if not run.extend(sorted(listed)):
            return None
        return run if run.offsets else None

    def extend(self, listed: Iterable[tuple[int, int]]) -> bool:
        """Add the parts of ``listed`` (sorted by offset) that continue the run; whether
        they all did (``False``: a gap or an overlap, so the run is stale)."""
        for offset, size in listed:
            if offset != self.end or size <= 0:
                return False
            self.offsets.append(offset)
            self.end = offset + size
        return True

    def last(self) -> tuple[int, int]:
        """``(offset, size)`` of the last part."""
        return self.offsets[-1], self.end - self.offsets[-1]

    def spans(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        """The parts that bytes ``start:stop`` touch, as ``(part offset, first, stop)``
        with ``first:stop`` relative to the part."""
        found: list[tuple[int, int, int]] = []
        index = max(bisect.bisect_right(self.offsets, start) - 1, 0)
        while index < len(self.offsets) and start < stop:
            offset = self.offsets[index]
            part_end = self.offsets[index + 1] if index + 1 < len(self.offsets) else self.end
            piece_stop = min(stop, part_end)
            if piece_stop > start:
                found.append((offset, start - offset, piece_stop - offset))
                start = piece_stop
            index += 1
        return found
