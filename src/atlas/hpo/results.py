"""What a sweep found: its best trial, or the Pareto front of several objectives."""

from __future__ import annotations

from collections.abc import Sequence

from atlas.domain import Trial, TrialState
from atlas.hpo.spec import Objective

__all__ = ["best_trials"]


def best_trials(objectives: Sequence[Objective], trials: Sequence[Trial]) -> list[Trial]:
    """The best complete trial (the first of equals) for one objective; for several, every
    complete trial no other dominates (the Pareto front), by number. Empty before any."""
    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.values is not None]
    if not complete or not objectives:
        return []
    signs = [1.0 if o.direction == "minimize" else -1.0 for o in objectives]
    costs = {
        t.number: [s * v for s, v in zip(signs, t.values or (), strict=False)] for t in complete
    }
    if len(objectives) == 1:
        return [min(complete, key=lambda t: (costs[t.number][0], t.number))]
    return [
        t
        for t in complete
        if not any(_dominates(costs[o.number], costs[t.number]) for o in complete)
    ]


def _dominates(a: list[float], b: list[float]) -> bool:
    """Whether cost vector ``a`` is no worse than ``b`` everywhere and better somewhere."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )
