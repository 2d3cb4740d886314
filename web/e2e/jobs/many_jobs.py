"""Many small jobs in one process for the workspace's panels: ``python many_jobs.py SPEC_JSON``.

It tracks ``spec["runs"]`` jobs named ``<name>-<i>`` one after another (a loop of
``atlas.init``), each with params ``lr`` (log-uniform), ``optimizer`` and ``batch_size``, a
``loss`` curve of a few steps that falls faster with a larger ``lr``, and ``test_acc`` logged
once at the end (a single-value metric). The last ``spec["media_runs"]`` jobs (the newest, so
the workspace's visible ones) also log the image ``samples`` and the histogram ``weights`` at
steps 0 and 5. Deterministic. It prints ``ATLAS_E2E_JOB {"id": ..., "name": ...}`` of its
last job for the harness.
"""

from __future__ import annotations

import json
import math
import random
import sys

import numpy as np

import atlas


def main() -> None:
    spec = json.loads(sys.argv[1])
    runs = int(spec["runs"])
    media_from = runs - int(spec.get("media_runs", 0))
    rng = random.Random(13)
    last = None
    for i in range(runs):
        lr = round(10 ** rng.uniform(-4, -1), 6)
        optimizer = rng.choice(["adam", "sgd", "adamw"])
        params = {"lr": lr, "optimizer": optimizer, "batch_size": rng.choice([32, 64, 128])}
        run = atlas.init(project=spec["project"], name=f"{spec['name']}-{i}", params=params)
        for step in range(5):
            run.log_metric("loss", math.exp(-step * lr * 30) + rng.random() * 0.05, step=step)
        run.log_metric("test_acc", round(0.5 + 0.4 * (1 - math.exp(-lr * 60)), 4), step=4)
        if i >= media_from:
            for index, step in enumerate([0, 5]):
                run.log_image("samples", _picture(i, index), step=step)
                values = np.random.default_rng(i).normal(loc=index, size=500)
                run.log_histogram("weights", values, step=step, bins=16)
        run.finish()
        last = run
    if last is not None:
        print("ATLAS_E2E_JOB " + json.dumps({"id": last.id, "name": last.name}), flush=True)


def _picture(seed: int, index: int) -> np.ndarray:
    """A small gradient that differs per job and step."""
    y, x = np.mgrid[0:24, 0:32]
    image = np.zeros((24, 32, 3), dtype=np.float64)
    image[..., 0] = (x / 31 + seed / 10) % 1
    image[..., 1] = y / 23
    image[..., 2] = index / 2
    return image


if __name__ == "__main__":
    main()
