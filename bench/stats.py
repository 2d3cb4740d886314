"""Summaries of repeated measurements: median, min, max and a nearest-rank percentile."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Stats", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values`` (need not be sorted)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass(frozen=True, slots=True)
class Stats:
    """Median, min and max of one figure over the repetitions, and the median per-repetition
    p99 where the figure is a per-call cost."""

    median: float
    min: float
    max: float
    p99: float | None = None
    repetitions: int = 0

    @classmethod
    def of(cls, values: Sequence[float], p99s: Sequence[float] | None = None) -> Stats:
        """Summarise ``values`` (one per repetition) and optionally their p99s."""
        if not values:
            raise ValueError("no repetitions to summarise")
        p99 = statistics.median(p99s) if p99s else None
        return cls(
            median=float(statistics.median(values)),
            min=float(min(values)),
            max=float(max(values)),
            p99=None if p99 is None else float(p99),
            repetitions=len(values),
        )

    def as_json(self) -> dict[str, float]:
        """The ``{"median", "min", "max", "p99"?}`` object of a result file."""
        out = {"median": _round(self.median), "min": _round(self.min), "max": _round(self.max)}
        if self.p99 is not None:
            out["p99"] = _round(self.p99)
        return out


def _round(value: float) -> float:
    """Four significant digits: more would be noise on a shared machine."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 3 - math.floor(math.log10(abs(value))))
