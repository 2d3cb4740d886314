"""Points per second from the SDK to durable rows on SQLite through the server, end to end,
beside MLflow's bulk path (``MlflowClient.log_batch``, 1,000 ``Metric`` objects a call).

Ours: a worker process logs ``POINTS`` points with ``atlas.log_metric`` as fast as a loop
can, then calls ``atlas.finish()``; the clock runs from the first call until the server
counts every point in the job's summary (polled every 5 ms). The loop's own cost is part of
the figure, as it is of the user's. The peer: MLflow on SQLite in process, ``PEER_POINTS``
points into a fresh run with ``log_batch`` of 1,000 metrics a call (building the ``Metric``
objects included); 10^6 points would take minutes per repetition at MLflow's rate, and a rate
does not depend on the count.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from bench.peer import MLFLOW_ENV
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.trial import Context, Sample, alternate, stats
from bench.worker import Worker

NAME = "ingest"
POINTS = 1_000_000
PEER_POINTS = 50_000
TARGET_RATE = 500_000.0
TARGET_RATIO = 10.0


def run(context: Context) -> Iterator[Result]:
    """Alternate our end-to-end ingest with MLflow's log_batch."""
    peer_env = context.mlflow
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        ours = server.sdk_worker(work, "bench-ingest")
        peer = Worker(
            peer_env.python,
            "mlflow_ingest.py",
            [str(work)],
            log_path=work / "mlflow.log",
            env=MLFLOW_ENV,
        )
        with ours, peer:
            mine, theirs = alternate(
                NAME,
                lambda: _ours(ours),
                lambda: _peer(peer),
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    atlas = stats(mine)
    peer_stats = stats(theirs)
    loop = statistics.median(s["loop_s"] for s in mine)
    ratio = atlas.median / peer_stats.median
    yield Result(
        name=NAME,
        unit="points/s",
        ours=atlas,
        peer=PeerFigure("mlflow", peer_env.version, peer_stats),
        target=(
            f">= {TARGET_RATE:,.0f} points/s and >= {TARGET_RATIO:g}x MLflow's log_batch on SQLite"
        ),
        meets_target=atlas.median >= TARGET_RATE and ratio >= TARGET_RATIO,
        note=(
            f"atlas: {POINTS:,} atlas.log_metric calls (the loop alone: {loop:.2f} s median), "
            "atlas.finish(), until the real atlas server (SQLite) counts every point; "
            f"mlflow: MlflowClient.log_batch, 1,000 Metric objects a call, {PEER_POINTS:,} "
            "points per repetition into a fresh run on SQLite in process"
        ),
        higher_is_better=True,
    )


def _ours(worker: Worker) -> Sample:
    answer = worker.call("log_and_flush", points=POINTS)
    return {"value": POINTS / answer["total_s"], "loop_s": answer["loop_s"]}


def _peer(worker: Worker) -> Sample:
    return {"value": worker.call("ingest", points=PEER_POINTS)["points_per_s"]}
