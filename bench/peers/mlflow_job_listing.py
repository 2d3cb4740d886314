"""MLflow's ``search_runs`` with a filter and an order on a populated experiment.

Usage: ``python mlflow_job_listing.py TRACKING_URI RUNS``: setup logs RUNS runs of the shared
corpus (20 params and 10 metrics each, one ``log_batch`` per run; reported as ``load_s``), then
``{"op": "search"}`` times one page of 100 runs.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import mlflow
from corpus import JOB_FILTER_MLFLOW, JOB_SORT_MLFLOW, jobs
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from protocol import serve

STATE: dict[str, Any] = {}


def setup() -> dict[str, Any]:
    uri, runs = sys.argv[1], int(sys.argv[2])
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(f"bench-listing-{time.time_ns()}")
    started = time.perf_counter()
    for job in jobs(runs):
        run_id = client.create_run(experiment).info.run_id
        now = int(time.time() * 1000)
        params = [Param(k, str(v)) for k, v in job.params.items()]
        metrics = [Metric(k, m[0], now, m[3]) for k, m in job.metrics.items()]
        client.log_batch(run_id, metrics=metrics, params=params, synchronous=True)
    STATE.update(client=client, experiment=experiment)
    return {"version": mlflow.__version__, "load_s": time.perf_counter() - started}


def search() -> dict[str, Any]:
    client: MlflowClient = STATE["client"]
    started = time.perf_counter()
    page = client.search_runs(
        [STATE["experiment"]],
        filter_string=JOB_FILTER_MLFLOW,
        order_by=[JOB_SORT_MLFLOW],
        max_results=100,
    )
    elapsed = time.perf_counter() - started
    if len(page) != 100:
        raise RuntimeError(f"search returned {len(page)} runs, expected 100")
    return {"seconds": elapsed, "runs": len(page)}


serve(setup, {"search": lambda c: search()})
