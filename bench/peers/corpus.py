"""The data both sides are measured on, generated the same way for Atlas and for MLflow.

Standard library only (it runs under the peer's interpreter too) and deterministic: the same
seed gives the same jobs and the same series on every run. The shapes are those of real
training runs: a noisy, decaying loss curve; hyper-parameters drawn as a sweep would draw them
(a log-uniform learning rate, categorical optimizers, ...), so filters select realistic shares.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "JOB_FILTER_ATLAS",
    "JOB_FILTER_MLFLOW",
    "JOB_SORT_ATLAS",
    "JOB_SORT_MLFLOW",
    "METRIC_KEYS",
    "JobRecord",
    "jobs",
    "loss_values",
]

METRIC_KEYS = (
    "loss",
    "val_loss",
    "acc",
    "val_acc",
    "f1",
    "auc",
    "grad_norm",
    "throughput",
    "epoch_time",
    "final_lr",
)

# The listing query: ours filters a numeric param (about 2/3 of the jobs match, since lr is
# log-uniform over 1e-4..1e-1). MLflow compares params as strings only (=, !=, LIKE), so its
# query filters a categorical param that matches the same 2/3 share; both sort on the loss.
JOB_FILTER_ATLAS = "params.lr < 0.01"
JOB_SORT_ATLAS = "metrics.loss.min"
JOB_FILTER_MLFLOW = "params.optimizer != 'sgd'"
JOB_SORT_MLFLOW = "metrics.loss ASC"


def loss_values(count: int, *, seed: int = 7) -> list[float]:
    """A training loss curve of ``count`` points: decaying, noisy, with rare spikes."""
    rng = random.Random(seed)
    values = []
    for step in range(count):
        base = 2.0 / (1.0 + step / 5000.0) + 0.05
        noise = rng.gauss(0.0, 0.02 * base)
        spike = 3.0 * base if rng.random() < 1e-5 else 0.0
        values.append(base + noise + spike)
    return values


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job of the listing corpus: 20 params and the final summary of 10 metrics."""

    index: int
    params: dict[str, str | int | float | bool]
    metrics: dict[str, tuple[float, float, float, int]]  # key -> (last, min, max, count)


def jobs(count: int, *, seed: int = 11) -> Iterator[JobRecord]:
    """``count`` jobs of a hyper-parameter sweep, each with 20 params and 10 metrics."""
    rng = random.Random(seed)
    for index in range(count):
        params = _params(rng)
        yield JobRecord(index=index, params=params, metrics=_metrics(rng, params))


def _params(rng: random.Random) -> dict[str, str | int | float | bool]:
    return {
        "lr": 10 ** rng.uniform(-4, -1),
        "batch_size": rng.choice((16, 32, 64, 128, 256, 512)),
        "optimizer": rng.choice(("adam", "adamw", "sgd")),
        "layers": rng.randint(2, 48),
        "hidden": rng.choice((128, 256, 512, 768, 1024, 2048)),
        "heads": rng.choice((4, 8, 12, 16)),
        "dropout": round(rng.uniform(0.0, 0.5), 3),
        "weight_decay": 10 ** rng.uniform(-6, -2),
        "momentum": round(rng.uniform(0.8, 0.99), 3),
        "beta2": rng.choice((0.98, 0.99, 0.999)),
        "warmup_steps": rng.choice((0, 500, 1000, 2000, 4000)),
        "epochs": rng.randint(5, 100),
        "seed": rng.randint(0, 2**31 - 1),
        "activation": rng.choice(("relu", "gelu", "silu", "tanh")),
        "scheduler": rng.choice(("cosine", "linear", "step", "constant")),
        "grad_clip": rng.choice((0.5, 1.0, 5.0)),
        "label_smoothing": rng.choice((0.0, 0.05, 0.1)),
        "augment": rng.random() < 0.5,
        "dataset": rng.choice(("imagenet-1k", "cifar-100", "coco-2017", "wikitext-103")),
        "model": f"resnet-{rng.choice((18, 34, 50, 101, 152))}",
    }


def _metrics(
    rng: random.Random, params: dict[str, str | int | float | bool]
) -> dict[str, tuple[float, float, float, int]]:
    steps = int(params["epochs"]) * 100
    quality = rng.uniform(0.2, 1.0) * (1.0 - abs(math.log10(float(params["lr"])) + 2.5) / 4)
    out: dict[str, tuple[float, float, float, int]] = {}
    for key in METRIC_KEYS:
        low = rng.uniform(0.01, 1.0) * (1.5 - quality)
        high = low + rng.uniform(0.5, 5.0)
        last = rng.uniform(low, low + (high - low) * 0.1)
        out[key] = (last, low, high, steps)
    return out
