"""Reading a 10^6-point series downsampled to 1,000 points through the REST API, beside
MLflow's ``get_metric_history``.

Ours: a real ``atlas server`` holding one job with a 10^6-point ``loss`` series (loaded
through ``POST /api/v1/jobs/{id}/metrics``, base64 columns, not measured); each repetition
times ``CALLS`` requests of ``GET /api/v1/jobs/{id}/metrics/loss?max_points=1000`` over a
kept-alive HTTP connection, JSON decoding of the answer included. The peer: MLflow on SQLite in
process, reading a whole ``PEER_POINTS``-point series (MLflow has no server-side downsampling
in ``get_metric_history``); loading 10^6 points into MLflow takes minutes, so it holds 10^5 and
its time is scaled linearly to 10^6 points for the ratio (the raw figure is in the note).
"""

from __future__ import annotations

import base64
import statistics
import time
from array import array
from collections.abc import Sequence

import httpx

from bench.peer import MLFLOW_ENV
from bench.peers.corpus import loss_values
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import percentile
from bench.trial import Context, Sample, alternate, progress, stats
from bench.worker import BenchError, Worker

NAME = "series_read"
POINTS = 1_000_000
PEER_POINTS = 100_000
MAX_POINTS = 1000
CALLS = 40
LOAD_BATCH = 200_000
TARGET_MS = 50.0


def run(context: Context) -> list[Result]:
    """Load the series on both sides, then read it, alternating."""
    peer_env = context.mlflow
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        job_id = load_series(server.url, "bench-series", POINTS)
        peer = Worker(
            peer_env.python,
            "mlflow_series_read.py",
            [str(work), str(PEER_POINTS)],
            log_path=work / "mlflow.log",
            env=MLFLOW_ENV,
        )
        with httpx.Client(base_url=server.url, timeout=120) as http, peer:
            progress(NAME, f"mlflow loaded {PEER_POINTS:,} points in {peer.info['load_s']:.1f} s")
            mine, theirs = alternate(
                NAME,
                lambda: _read_ours(http, job_id),
                lambda: _read_peer(peer),
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    return [_result(mine, theirs, peer_env.version)]


def load_series(
    url: str, project: str, points: int, *, keys: Sequence[str] = ("loss",), name: str = "long-run"
) -> str:
    """Create a job on the server at ``url`` with a ``points``-point series under each of
    ``keys`` (the same loss curve under every key); its id."""
    values = loss_values(points)
    start = time.time() - points * 0.01
    with httpx.Client(base_url=url, timeout=300) as http:
        answer = http.post("/api/v1/jobs", json={"project": project, "name": name})
        answer.raise_for_status()
        job_id: str = answer.json()["id"]
        for first in range(0, points, LOAD_BATCH):
            steps = range(first, min(points, first + LOAD_BATCH))
            columns = {
                "steps": _b64(array("q", steps)),
                "times": _b64(array("d", (start + s * 0.01 for s in steps))),
                "values": _b64(array("d", values[first : first + len(steps)])),
            }
            for key in keys:
                body = {
                    "batch_id": f"load-{key}-{first}",
                    "encoding": "base64",
                    "series": [{"key": key, **columns}],
                }
                http.post(f"/api/v1/jobs/{job_id}/metrics", json=body).raise_for_status()
    return job_id


def load_finished_jobs(
    url: str, project: str, *, jobs: int, points: int, keys: Sequence[str] = ("loss",)
) -> list[str]:
    """``jobs`` jobs made by ``load_series``, then marked completed (a finished job's page
    does not poll); their ids, in creation order."""
    ids = [
        load_series(url, project, points, keys=keys, name=f"run-{index:02d}")
        for index in range(jobs)
    ]
    with httpx.Client(base_url=url, timeout=60) as http:
        for job_id in ids:
            http.patch(f"/api/v1/jobs/{job_id}", json={"status": "completed"}).raise_for_status()
    return ids


def _b64(column: array[int] | array[float]) -> str:
    return base64.b64encode(column.tobytes()).decode("ascii")


def _read_ours(http: httpx.Client, job_id: str) -> Sample:
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        answer = http.get(f"/api/v1/jobs/{job_id}/metrics/loss", params={"max_points": MAX_POINTS})
        answer.raise_for_status()
        series = answer.json()
        times.append((time.perf_counter() - started) * 1000)
        if series["total"] != POINTS or not 2 <= len(series["values"]) <= MAX_POINTS:
            raise BenchError(
                f"unexpected series: total {series['total']}, {len(series['values'])} points"
            )
    return {"value": statistics.median(times), "p99": percentile(times, 99)}


def _read_peer(peer: Worker) -> Sample:
    answer = peer.call("read")
    raw_ms = answer["seconds"] * 1000
    return {"value": raw_ms * POINTS / PEER_POINTS, "raw_ms": raw_ms}


def _result(mine: list[Sample], theirs: list[Sample], version: str) -> Result:
    ours = stats(mine)
    peer = stats(theirs)
    raw = statistics.median(s["raw_ms"] for s in theirs)
    return Result(
        name=NAME,
        unit="ms",
        ours=ours,
        peer=PeerFigure("mlflow", version, peer),
        target=f"<= {TARGET_MS:g} ms for {POINTS:,} points downsampled to {MAX_POINTS:,}",
        meets_target=ours.median <= TARGET_MS,
        note=(
            f"atlas: GET /api/v1/jobs/{{id}}/metrics/loss?max_points={MAX_POINTS} on a "
            f"{POINTS:,}-point series through a real server on SQLite, {CALLS} calls per "
            f"repetition (median; p99 of those calls), JSON decoding included. mlflow: "
            f"MlflowClient.get_metric_history on SQLite in process, full series of "
            f"{PEER_POINTS:,} points (loading {POINTS:,} takes minutes): median {raw:.0f} ms "
            f"= {PEER_POINTS / raw * 1000:,.0f} points/s, scaled x{POINTS // PEER_POINTS} to "
            f"{POINTS:,} points for the peer figure and the ratio"
        ),
    )
