"""Ray Tune with its Optuna search algorithm, as a user runs a sweep of a function trainable.

Usage: ``python ray_tune.py STORAGE_DIR TEMP_DIR`` with the peer's venv (bench/.peers/ray-tune):
Tune's results go to ``STORAGE_DIR``, Ray's session to ``TEMP_DIR``. Set-up starts Ray in this
process (``ray.init`` with ``num_cpus=CPUS`` on 127.0.0.1, no dashboard), as a user's script
does before ``Tuner.fit()``; the protocol command is

- ``{"op": "sweep", "trials": N, "parallel": K, "sleep_s": S}``: ``Tuner.fit()`` of N trials
  of a function trainable that sleeps S seconds and reports Branin of its two parameters, with
  ``OptunaSearch`` (TPE, seed 0) over the same space as Atlas's sweep and K trials at once.
  Answers the wall time of ``Tuner(...).fit()`` (from building the tuner to fit's return), the
  number of trials that ended without error and the best value found.

Trials reuse their actors (``reuse_actors=True``): the faster of Tune's two settings for short
trials, so the figure is Tune at its best here, not at its default.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import ray
from ray import tune
from ray.tune.search.optuna import OptunaSearch

STATE: dict[str, Any] = {}
CPUS = 4
SEED = 0


def branin(x1: float, x2: float) -> float:
    """The Branin function (3 global minima of 0.397887...), as the Atlas trial computes it."""
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def setup() -> dict[str, Any]:
    STATE["storage"] = sys.argv[1]
    ray.init(
        num_cpus=CPUS,
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        _temp_dir=sys.argv[2],
        logging_level="warning",
        log_to_driver=False,
    )
    import optuna

    return {"version": ray.__version__, "optuna": optuna.__version__}


def sweep(trials: int, parallel: int, sleep_s: float) -> dict[str, Any]:
    """One ``Tuner.fit()`` of ``trials`` trials, ``parallel`` at once; its wall time."""

    def objective(config: dict[str, float]) -> None:
        time.sleep(sleep_s)
        tune.report({"value": branin(config["x1"], config["x2"])})

    started = time.time()
    tuner = tune.Tuner(
        objective,
        param_space={"x1": tune.uniform(-5.0, 10.0), "x2": tune.uniform(0.0, 15.0)},
        tune_config=tune.TuneConfig(
            metric="value",
            mode="min",
            search_alg=OptunaSearch(seed=SEED),
            num_samples=trials,
            max_concurrent_trials=parallel,
            reuse_actors=True,
        ),
        run_config=tune.RunConfig(storage_path=STATE["storage"], verbose=0),
    )
    results = tuner.fit()
    wall = time.time() - started
    ok = [r for r in results if r.error is None and r.metrics and "value" in r.metrics]
    best = min(float(r.metrics["value"]) for r in ok) if ok else math.nan
    return {"wall_s": wall, "completed": len(ok), "best": best}


if __name__ == "__main__":
    from protocol import serve

    serve(
        setup,
        {
            "sweep": lambda c: sweep(int(c["trials"]), int(c["parallel"]), float(c["sleep_s"])),
        },
    )
