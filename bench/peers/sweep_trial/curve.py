"""A sweep's trial for the benchmark's pruning figure: a learning curve
``loss_t = f(x, y) + g(x, y) / sqrt(t)`` for ``t = 1 .. STEPS``, one step every ``STEP_S``
seconds, each step logged as the metric ``loss`` at step ``t`` and counted as one line in
``STEPS_DIR/<job id>`` (``python curve.py STEPS_DIR STEPS STEP_S``), so the benchmark counts
the steps the trial really ran, pruned or not.

``f`` is the loss the curve tends to (best at x = 0.3, y = 0.7), ``g`` how far above it the
curve starts, larger for larger ``x``: early ranks are not final ranks. The SDK sends every
0.1 s (``flush_interval``), a tenth of its default, as the steps are short: a real epoch
lasts far longer than a second.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import atlas
from atlas.settings import load_settings


def loss(x: float, y: float, t: int) -> float:
    """The curve's value at step ``t`` (1-based) for the params ``x`` and ``y``."""
    return (x - 0.3) ** 2 + (y - 0.7) ** 2 + (0.5 + x) / math.sqrt(t)


def main() -> None:
    atlas.configure(settings=load_settings({"flush_interval": 0.1}))
    params = atlas.load_parameters()
    x, y = float(params["x"]), float(params["y"])
    steps_file = Path(sys.argv[1]) / os.environ["ATLAS_JOB_ID"]
    steps, step_s = int(sys.argv[2]), float(sys.argv[3])
    for t in range(1, steps + 1):
        time.sleep(step_s)
        atlas.log_metric("loss", loss(x, y, t), step=t)
        with steps_file.open("a", encoding="ascii") as counted:
            counted.write(f"{t}\n")


if __name__ == "__main__":
    main()
