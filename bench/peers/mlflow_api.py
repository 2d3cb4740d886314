"""The MLflow client against a tracking server over HTTP: per-call cost of synchronous
``mlflow.log_metric``, and the time ``MlflowClient.log_batch`` takes for many points.

Usage: ``python mlflow_api.py TRACKING_URI`` (with the peer's venv: the same client whichever
server it talks to), then protocol commands ``{"op": "log_metric", "calls": N}`` and
``{"op": "log_batch", "points": N}``.
"""

from __future__ import annotations

import sys
import time
from array import array
from typing import Any

import mlflow
import requests
from corpus import loss_values
from mlflow import MlflowClient
from mlflow.entities import Metric
from mlflow.protos.service_pb2 import LogBatch
from mlflow.utils.proto_json_utils import message_to_json
from protocol import per_call, serve

CHUNK = 1_000  # metrics per request, as the client sends them

EXPERIMENT = "bench-mlflow-api"
VALUES: list[float] = []
STATE: dict[str, Any] = {}


def setup() -> dict[str, Any]:
    mlflow.set_tracking_uri(sys.argv[1])
    mlflow.set_experiment(EXPERIMENT)
    STATE["client"] = MlflowClient()
    VALUES.extend(loss_values(200_000))
    return {"version": mlflow.__version__}


def log_metric(calls: int) -> dict[str, Any]:
    """A fresh run, ``calls`` synchronous ``mlflow.log_metric`` calls each timed alone."""
    deltas = array("q", bytes(8 * calls))
    clock = time.perf_counter_ns
    log = mlflow.log_metric
    with mlflow.start_run():
        for step in range(calls):
            before = clock()
            log("loss", VALUES[step % len(VALUES)], step=step, synchronous=True)
            deltas[step] = clock() - before
    return per_call(deltas)


def raw_log_metric(calls: int) -> dict[str, Any]:
    """The same request as ``mlflow.log_metric`` sends, posted with a plain keep-alive
    ``requests`` session, each timed alone: the HTTP round trip and the server, without the
    client's own work."""
    client: MlflowClient = STATE["client"]
    run = client.create_run(mlflow.get_experiment_by_name(EXPERIMENT).experiment_id)
    url = f"{sys.argv[1]}/api/2.0/mlflow/runs/log-metric"
    deltas = array("q", bytes(8 * calls))
    clock = time.perf_counter_ns
    with requests.Session() as session:
        for step in range(calls):
            body = {"run_id": run.info.run_id, "key": "loss", "step": step}
            body |= {"value": VALUES[step % len(VALUES)], "timestamp": int(time.time() * 1000)}
            before = clock()
            session.post(url, json=body).raise_for_status()
            deltas[step] = clock() - before
    client.set_terminated(run.info.run_id)
    return per_call(deltas)


def log_batch(points: int) -> dict[str, Any]:
    """A fresh run, then ``MlflowClient.log_batch`` of ``points`` metrics (the client sends
    them 1,000 a request), timed; the ``Metric`` objects are built before the clock starts.
    Then the points are counted back through the API (untimed)."""
    client: MlflowClient = STATE["client"]
    run = client.create_run(mlflow.get_experiment_by_name(EXPERIMENT).experiment_id)
    now = int(time.time() * 1000)
    metrics = [Metric("loss", VALUES[i % len(VALUES)], now + i, i) for i in range(points)]
    started = time.perf_counter()
    client.log_batch(run.info.run_id, metrics=metrics)
    elapsed = time.perf_counter() - started
    stored = len(client.get_metric_history(run.info.run_id, "loss"))
    client.set_terminated(run.info.run_id)
    if stored != points:
        raise RuntimeError(f"the server kept {stored} of {points} points")
    started = time.perf_counter()
    for first in range(0, points, CHUNK):
        chunk = metrics[first : first + CHUNK]
        message_to_json(LogBatch(run_id=run.info.run_id, metrics=[m.to_proto() for m in chunk]))
    encode = time.perf_counter() - started
    return {"seconds": elapsed, "encode_s": encode}


serve(
    setup,
    {
        "log_metric": lambda c: log_metric(int(c["calls"])),
        "raw_log_metric": lambda c: raw_log_metric(int(c["calls"])),
        "log_batch": lambda c: log_batch(int(c["points"])),
    },
)
