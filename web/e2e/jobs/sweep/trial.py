"""A sweep's trial for the e2e suite: the scheduler runs it once per trial with the sampled
params (``atlas.load_parameters()``), and it logs ``val_loss`` (and ``latency``) per step,
so the sweep reads its objective and a pruner sees the curve.

The loss is smallest at ``lr = 0.01`` with one layer and ``adam``; ``latency`` grows with
the layers, so the two objectives pull apart (a Pareto front). ``--sleep S`` waits S seconds
per step, so a test can watch trials running and stop the sweep; ``--steps N`` logs N steps.
"""

from __future__ import annotations

import argparse
import math
import time

import atlas


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    params = atlas.load_parameters()
    lr = float(params.get("lr", 0.01))
    layers = int(params.get("layers", 1))
    sgd = params.get("optimizer") == "sgd"
    momentum = float(params.get("momentum", 0.0)) if sgd else 0.0
    floor = (math.log10(lr) + 2) ** 2 + 0.1 * (layers - 1) + (0.3 - 0.2 * momentum if sgd else 0.0)
    for step in range(args.steps):
        atlas.log_metric("val_loss", floor + 1.0 / (step + 1), step=step)
        atlas.log_metric("latency", 2.0 * layers + 0.5 / (step + 1), step=step)
        if args.sleep:
            time.sleep(args.sleep)
    print(f"trial lr={lr} layers={layers} logged {args.steps} steps", flush=True)


if __name__ == "__main__":
    main()
