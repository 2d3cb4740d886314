"""MLflow's ``log_metric`` on SQLite, in process: per-call cost, synchronous and asynchronous,
and the time its asynchronous queue takes to drain.

Usage: ``python mlflow_log_metric.py WORKDIR`` (with the peer's venv), then protocol commands:
``{"op": "sync", "calls": N}``, ``{"op": "async", "calls": N}``.
"""

from __future__ import annotations

import sys
import time
from array import array
from pathlib import Path
from typing import Any

import mlflow
from corpus import loss_values
from protocol import per_call, serve

VALUES: list[float] = []


def setup() -> dict[str, Any]:
    workdir = Path(sys.argv[1])
    mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
    mlflow.set_experiment("bench-log-metric")
    VALUES.extend(loss_values(200_000))
    return {"version": mlflow.__version__}


def run_loop(calls: int, *, synchronous: bool) -> dict[str, Any]:
    """One fresh run, ``calls`` timed log_metric calls, then drain and end the run."""
    values = VALUES
    deltas = array("q", bytes(8 * calls))
    clock = time.perf_counter_ns
    log_metric = mlflow.log_metric
    with mlflow.start_run():
        started = clock()
        for step in range(calls):
            before = clock()
            log_metric("loss", values[step % len(values)], step=step, synchronous=synchronous)
            deltas[step] = clock() - before
        loop_ns = clock() - started
        drain_started = clock()
        mlflow.flush_async_logging()
        drain_ns = clock() - drain_started
    return {**per_call(deltas), "loop_s": loop_ns / 1e9, "drain_s": drain_ns / 1e9}


serve(
    setup,
    {
        "sync": lambda c: run_loop(int(c["calls"]), synchronous=True),
        "async": lambda c: run_loop(int(c["calls"]), synchronous=False),
    },
)
