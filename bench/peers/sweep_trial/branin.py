"""A sweep's trial for the benchmark: Branin of the params ``x1`` and ``x2``, logged as the
metric ``value`` after sleeping ``SLEEP_S`` seconds (``python branin.py [SLEEP_S]``): the
objective of the overhead and quality figures (bench/sweeps.py)."""

from __future__ import annotations

import math
import sys
import time

import atlas


def branin(x1: float, x2: float) -> float:
    """The Branin function (3 global minima of 0.397887...), as the peers compute it."""
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def main() -> None:
    params = atlas.load_parameters()
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0)
    atlas.log_metric("value", branin(float(params["x1"]), float(params["x2"])))


if __name__ == "__main__":
    main()
