"""MLflow's bulk path: ``MlflowClient.log_batch`` with 1,000 ``Metric`` objects a call, on
SQLite in process. Building the Metric objects is part of the cost (a user has to).

Usage: ``python mlflow_ingest.py WORKDIR``, then ``{"op": "ingest", "points": N}``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import mlflow
from corpus import loss_values
from mlflow import MlflowClient
from mlflow.entities import Metric
from protocol import serve

BATCH = 1000
STATE: dict[str, Any] = {}


def setup() -> dict[str, Any]:
    workdir = Path(sys.argv[1])
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    STATE["client"] = client
    STATE["experiment"] = client.create_experiment("bench-ingest")
    STATE["values"] = loss_values(200_000)
    return {"version": mlflow.__version__}


def ingest(points: int) -> dict[str, Any]:
    """Log ``points`` points of one key into a fresh run, 1,000 per log_batch call."""
    client: MlflowClient = STATE["client"]
    values: list[float] = STATE["values"]
    run_id = client.create_run(STATE["experiment"]).info.run_id
    started = time.perf_counter()
    for first in range(0, points, BATCH):
        now = int(time.time() * 1000)
        batch = [
            Metric("loss", values[step % len(values)], now, step)
            for step in range(first, min(points, first + BATCH))
        ]
        client.log_batch(run_id, metrics=batch, synchronous=True)
    elapsed = time.perf_counter() - started
    client.set_terminated(run_id)
    return {"seconds": elapsed, "points": points, "points_per_s": points / elapsed}


serve(setup, {"ingest": lambda c: ingest(int(c["points"]))})
