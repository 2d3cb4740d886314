"""MLflow's ``get_metric_history`` on one long series, on SQLite in process.

Usage: ``python mlflow_series_read.py WORKDIR POINTS``: setup loads POINTS points of ``loss``
into one run with ``log_batch`` (1,000 a call; reported as ``load_s``), then
``{"op": "read"}`` times one full read of the series.
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

STATE: dict[str, Any] = {}


def setup() -> dict[str, Any]:
    workdir, points = Path(sys.argv[1]), int(sys.argv[2])
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    run_id = client.create_run(client.create_experiment("bench-series")).info.run_id
    values = loss_values(points)
    started = time.perf_counter()
    now = int(time.time() * 1000)
    for first in range(0, points, 1000):
        batch = [
            Metric("loss", values[s], now + s, s) for s in range(first, min(points, first + 1000))
        ]
        client.log_batch(run_id, metrics=batch, synchronous=True)
    STATE.update(client=client, run_id=run_id, points=points)
    return {"version": mlflow.__version__, "load_s": time.perf_counter() - started}


def read() -> dict[str, Any]:
    client: MlflowClient = STATE["client"]
    started = time.perf_counter()
    history = client.get_metric_history(STATE["run_id"], "loss")
    elapsed = time.perf_counter() - started
    if len(history) != STATE["points"]:
        raise RuntimeError(f"read {len(history)} points, expected {STATE['points']}")
    return {"seconds": elapsed, "points": len(history)}


serve(setup, {"read": lambda c: read()})
