"""Timing helpers shared by the scheduling workers (Atlas's and Ray's).

Standard library only: it runs under the peer's interpreter as well as ours. A measured job
writes ``date +%s.%N`` (the wall clock, as ``time.time()`` reads it) into a file as the first
thing its process does; the worker subtracts the time it took just before the submit call.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

__all__ = ["API_POLL_S", "FILE_POLL_S", "read_stamp", "summary", "wait_for"]

T = TypeVar("T")
FILE_POLL_S = 0.002
"""Between two looks for a job's timestamp file (cheap: no server is asked)."""
API_POLL_S = 0.02
"""Between two questions to a server (so the wait does not load the server it measures)."""


def read_stamp(path: Path) -> float | None:
    """The timestamp a job wrote into ``path``, or None while it is not (fully) written."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    if not text.endswith("\n"):
        return None
    return float(text)


def wait_for(
    probe: Callable[[], T | None], timeout: float, what: str, *, pause: float = API_POLL_S
) -> T:
    """Call ``probe`` every ``pause`` seconds until it answers something other than None."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(pause)


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, min, max and nearest-rank p99 of ``values``, and how many there are."""
    ordered = sorted(values)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p99": p99,
        "count": len(ordered),
    }
