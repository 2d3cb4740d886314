"""A hyper-parameter search for the end-to-end suite: ``python search.py SPEC_JSON``.

It tracks ``spec["runs"]`` jobs, named ``<name>-<first + i>``, one after another in this
process (a loop of ``atlas.init``, as a search script written by hand does), each with the
params a search draws (a log-uniform learning rate, an optimizer, a batch size, dropout,
depth, warm-up), a ``stage`` tag, training and validation curves under ``train/`` and
``val/``, system metrics under ``system/``, and a final ``best_val_acc``. A run whose learning
rate is too high for SGD diverges: its loss turns NaN and it fails with an exception, as a
real one does. Deterministic for a given ``first``. It prints ``ATLAS_E2E_JOB {"id": ...,
"name": ...}`` of its first job for the harness.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import sys
from dataclasses import dataclass

import atlas


class DivergedError(FloatingPointError):
    """The loss of a run went to NaN."""


@dataclass(frozen=True)
class Trial:
    """One point of the search space."""

    lr: float
    optimizer: str
    batch_size: int
    dropout: float
    layers: int
    warmup: int

    @classmethod
    def draw(cls, rng: random.Random) -> Trial:
        return cls(
            lr=round(10 ** rng.uniform(-4, -1), 6),
            optimizer=rng.choice(["adam", "adamw", "sgd"]),
            batch_size=rng.choice([32, 64, 128, 256]),
            dropout=round(rng.uniform(0.0, 0.5), 3),
            layers=rng.choice([18, 34, 50]),
            warmup=rng.choice([0, 100, 500, 1000]),
        )

    @property
    def params(self) -> dict[str, object]:
        return {
            "lr": self.lr,
            "optimizer": self.optimizer,
            "batch_size": self.batch_size,
            "dropout": self.dropout,
            "model": {"layers": self.layers},
            "warmup": self.warmup,
        }

    @property
    def quality(self) -> float:
        """0..1: the best runs sit near lr = 3e-3; SGD learns slower."""
        near = math.exp(-((math.log10(self.lr) + 2.5) ** 2))
        return near * (0.7 if self.optimizer == "sgd" else 1.0)

    @property
    def diverges(self) -> bool:
        return self.optimizer == "sgd" and self.lr > 0.05


def main() -> None:
    spec = json.loads(sys.argv[1])
    first = int(spec.get("first", 0))
    rng = random.Random(first)
    steps = int(spec.get("steps", 60))
    for index in range(first, first + int(spec["runs"])):
        trial = Trial.draw(rng)
        name = f"{spec['name']}-{index:03d}"
        with contextlib.suppress(DivergedError):  # the run ended failed, the search goes on
            _train(spec["project"], name, trial, steps, rng, announce=index == first)


def _train(
    project: str, name: str, trial: Trial, steps: int, rng: random.Random, *, announce: bool
) -> None:
    quality = trial.quality
    floor = 0.15 + 0.6 * (1 - quality) + trial.dropout * 0.1
    stage = "refine" if quality > 0.8 else "explore"
    with atlas.init(project=project, name=name, params=trial.params, tags={"stage": stage}) as run:
        if announce:
            run.flush(timeout=30)
            print("ATLAS_E2E_JOB " + json.dumps({"id": run.id, "name": run.name}), flush=True)
        best = 0.0
        for step in range(steps):
            progress = step / steps
            loss = floor + 2.2 * math.exp(-6 * progress * (0.3 + quality)) + rng.gauss(0, 0.03)
            if trial.diverges and step > steps // 3:
                run.log_metric("train/loss", float("nan"), step=step)
                raise DivergedError(f"loss diverged at lr={trial.lr}")
            acc = max(0.0, min(1.0, 1.05 - loss / 2.5 + rng.gauss(0, 0.01)))
            run.log_metrics(
                {
                    "train/loss": loss,
                    "train/acc": acc,
                    "train/lr": trial.lr * min(1.0, (step + 1) / 10) * (1 - 0.9 * progress),
                    "system/gpu_util": 70 + 25 * rng.random(),
                    "system/gpu_mem_gb": 6 + trial.batch_size / 32 + rng.random(),
                },
                step=step,
            )
            if step % 5 == 4:
                val_loss = loss * 1.08 + 0.02 + rng.gauss(0, 0.02)
                val_acc = max(0.0, min(1.0, acc - 0.03 + rng.gauss(0, 0.01)))
                best = max(best, val_acc)
                run.log_metrics({"val/loss": val_loss, "val/acc": val_acc}, step=step)
        run.log_metric("best_val_acc", best)


if __name__ == "__main__":
    main()
