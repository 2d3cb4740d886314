"""How long a script waits at exit for 10^6 logged points to be durable on the server,
beside MLflow's asynchronous queue draining.

Ours: a worker process logs ``POINTS`` points with ``atlas.log_metric`` as fast as a loop
can (the sender ships batches meanwhile, as it would in a real run), then calls
``atlas.finish()``; the figure runs from the end of the loop until the server counts every
point in the job's summary (polled every 5 ms), so it is what the user waits for at exit.
How many points were still buffered when ``finish()`` was called is in the note.

The peer: MLflow on SQLite in process, ``PEER_POINTS`` calls of
``mlflow.log_metric(..., synchronous=False)``, then ``mlflow.flush_async_logging()``; its
drain (from the end of the loop until flushed) is scaled linearly to 10^6 points, since
draining 10^6 points through MLflow's queue takes over an hour (the raw figure is in the note).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from bench.peer import MLFLOW_ENV
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.trial import Context, Sample, alternate, stats
from bench.worker import Worker

NAME = "flush"
POINTS = 1_000_000
PEER_POINTS = 1_000
TARGET_S = 2.0


def run(context: Context) -> Iterator[Result]:
    """Alternate our log-then-finish with MLflow's log-then-drain."""
    peer_env = context.mlflow
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        ours = server.sdk_worker(work, "bench-flush")
        peer = Worker(
            peer_env.python,
            "mlflow_log_metric.py",
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
    buffered = statistics.median(s["buffered"] for s in mine)
    loop = statistics.median(s["loop_s"] for s in mine)
    raw = statistics.median(s["raw_s"] for s in theirs)
    yield Result(
        name=NAME,
        unit="s",
        ours=atlas,
        peer=PeerFigure("mlflow", peer_env.version, stats(theirs)),
        target=f"<= {TARGET_S:g} s from the end of a {POINTS:,}-point loop to all points durable",
        meets_target=atlas.median <= TARGET_S,
        note=(
            f"atlas: {POINTS:,} atlas.log_metric calls in a loop ({loop:.2f} s median), then "
            "atlas.finish(); timed from the end of the loop until the server's summary counts "
            f"every point (real atlas server on SQLite); median {buffered:,.0f} points were "
            "still buffered in the SDK when finish() was called (the sender ships batches "
            f"during the loop). mlflow: {PEER_POINTS:,} log_metric(synchronous=False) calls, "
            f"then flush_async_logging(): median drain {raw:.2f} s for {PEER_POINTS:,} points "
            f"= {PEER_POINTS / raw:,.0f} points/s, scaled x{POINTS // PEER_POINTS:,} to "
            f"{POINTS:,} points for the peer figure and the ratio"
        ),
    )


def _ours(worker: Worker) -> Sample:
    answer = worker.call("log_and_flush", points=POINTS)
    buffered = answer.get("buffered_at_finish")
    return {
        "value": answer["flush_s"],
        "loop_s": answer["loop_s"],
        "buffered": float("nan") if buffered is None else float(buffered),
    }


def _peer(worker: Worker) -> Sample:
    answer = worker.call("async", calls=PEER_POINTS)
    return {"value": answer["drain_s"] * POINTS / PEER_POINTS, "raw_s": answer["drain_s"]}
