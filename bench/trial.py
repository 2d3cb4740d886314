"""Alternating repetitions: a warm-up, then ours and the peer's turns A B A B ...

Alternation keeps the ratio honest when a shared machine's speed drifts during a run: both
sides see the same drift. A measurement is a callable returning one sample, a dict with at
least ``"value"`` (and ``"p99"`` for per-call costs).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.peer import MlflowEnv, mlflow_env
from bench.stats import Stats

__all__ = ["Context", "Measure", "Sample", "alternate", "stats"]

Sample = dict[str, float]
Measure = Callable[[], Sample]


@dataclass
class Context:
    """What every benchmark gets: the repetition count and the peer's environment."""

    repetitions: int = 5
    warmup: int = 1
    _mlflow: MlflowEnv | None = None

    @property
    def mlflow(self) -> MlflowEnv:
        """MLflow's venv, installed on first use."""
        if self._mlflow is None:
            self._mlflow = mlflow_env()
        return self._mlflow

    @contextmanager
    def workdir(self, name: str) -> Iterator[Path]:
        """A fresh temporary folder on disk for one benchmark, removed afterwards."""
        with tempfile.TemporaryDirectory(prefix=f"atlas-bench-{name}-") as folder:
            yield Path(folder)


def alternate(
    label: str,
    ours: Measure,
    peer: Measure | None,
    *,
    repetitions: int,
    warmup: int = 1,
) -> tuple[list[Sample], list[Sample]]:
    """Run ``warmup`` unrecorded rounds, then ``repetitions`` recorded ones, each round ours
    then the peer's. Returns (our samples, the peer's samples)."""
    for _ in range(warmup):
        ours()
        if peer is not None:
            peer()
    mine: list[Sample] = []
    theirs: list[Sample] = []
    for index in range(repetitions):
        mine.append(ours())
        if peer is not None:
            theirs.append(peer())
        progress(
            label,
            f"repetition {index + 1}/{repetitions}: atlas {mine[-1]['value']:.4g}"
            + (f", peer {theirs[-1]['value']:.4g}" if theirs else ""),
        )
    return mine, theirs


def stats(samples: list[Sample]) -> Stats:
    """Median/min/max of the samples' values, and the median of their p99s when present."""
    p99s = [s["p99"] for s in samples if "p99" in s]
    return Stats.of([s["value"] for s in samples], p99s or None)


def progress(label: str, message: str) -> None:
    """A progress line on stderr (stdout carries the summaries)."""
    print(f"  [{label}] {message}", file=sys.stderr, flush=True)
