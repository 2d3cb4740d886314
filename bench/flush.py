"""How long a script waits at exit for 10^6 logged points to be durable on the server,
beside MLflow's asynchronous queue draining.

Ours: a worker process logs ``POINTS`` points with ``atlas.log_metric`` as fast as a loop
can, then calls ``atlas.finish()``; the figure runs from the end of the loop until the server
counts every point in the job's summary (polled every 5 ms). Two variants each repetition:

- *all buffered* (the result's figure): ``ATLAS_BATCH_POINTS=1000000`` and a flush interval
  of an hour, so the sender ships nothing during the loop and ``finish()`` really flushes
  10^6 buffered points (checked), the worst case a user can meet at exit;
- *default settings* (in the note): the sender ships 50,000-point batches during the loop, so
  only what is left is flushed at exit; what the default user waits for.

The peer: MLflow on SQLite in process, ``PEER_POINTS`` calls of
``mlflow.log_metric(..., synchronous=False)``, then ``mlflow.flush_async_logging()``; its
drain (from the end of the loop until flushed) is scaled linearly to 10^6 points, since
draining 10^6 points through MLflow's queue takes hours (the raw figure is in the note).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from bench.peer import MLFLOW_ENV
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.trial import Context, Sample, alternate, stats
from bench.worker import BenchError, Worker

NAME = "flush"
POINTS = 1_000_000
PEER_POINTS = 1_000
TARGET_S = 2.0
ALL_BUFFERED = {"ATLAS_BATCH_POINTS": str(POINTS), "ATLAS_FLUSH_INTERVAL": "3600"}


def run(context: Context) -> Iterator[Result]:
    """Alternate our log-then-finish (both variants) with MLflow's log-then-drain."""
    peer_env = context.mlflow
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        buffered = server.sdk_worker(work, "bench-flush", **ALL_BUFFERED)
        default = server.sdk_worker(work, "bench-flush")
        peer = Worker(
            peer_env.python,
            "mlflow_log_metric.py",
            [str(work)],
            log_path=work / "mlflow.log",
            env=MLFLOW_ENV,
        )
        with buffered, default, peer:
            mine, theirs = alternate(
                NAME,
                lambda: _ours(buffered, default),
                lambda: _peer(peer),
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    yield _result(mine, theirs, peer_env.version)


def _ours(buffered: Worker, default: Worker) -> Sample:
    worst = buffered.call("log_and_flush", points=POINTS)
    if worst.get("buffered_at_finish") not in (None, POINTS):
        raise BenchError(f"{worst['buffered_at_finish']} points buffered at finish, not {POINTS}")
    usual = default.call("log_and_flush", points=POINTS)
    left = usual.get("buffered_at_finish")
    return {
        "value": worst["flush_s"],
        "loop_s": worst["loop_s"],
        "default_s": usual["flush_s"],
        "default_loop_s": usual["loop_s"],
        "default_left": float("nan") if left is None else float(left),
    }


def _peer(worker: Worker) -> Sample:
    answer = worker.call("async", calls=PEER_POINTS)
    return {"value": answer["drain_s"] * POINTS / PEER_POINTS, "raw_s": answer["drain_s"]}


def _result(mine: list[Sample], theirs: list[Sample], version: str) -> Result:
    atlas = stats(mine)

    def median(samples: list[Sample], key: str) -> float:
        return statistics.median(s[key] for s in samples)

    raw = median(theirs, "raw_s")
    return Result(
        name=NAME,
        unit="s",
        ours=atlas,
        peer=PeerFigure("mlflow", version, stats(theirs)),
        target=f"<= {TARGET_S:g} s to flush {POINTS:,} buffered points at exit until durable",
        meets_target=atlas.median <= TARGET_S,
        note=(
            f"atlas: {POINTS:,} atlas.log_metric calls in a loop, then atlas.finish(), timed "
            "from the end of the loop until the real atlas server (SQLite) counts every point. "
            f"Figure: all {POINTS:,} points still buffered at finish() (ATLAS_BATCH_POINTS="
            f"{POINTS}, ATLAS_FLUSH_INTERVAL=3600; loop {median(mine, 'loop_s'):.2f} s). With "
            "default settings the sender ships during the loop "
            f"({median(mine, 'default_loop_s'):.2f} s) and "
            f"{median(mine, 'default_left'):,.0f} points were left at finish(), flushed "
            f"in {median(mine, 'default_s'):.2f} s (medians). mlflow: {PEER_POINTS:,} "
            "log_metric(synchronous=False) calls, then flush_async_logging(): median drain "
            f"{raw:.2f} s for {PEER_POINTS:,} points = {PEER_POINTS / raw:,.0f} points/s, scaled "
            f"x{POINTS // PEER_POINTS:,} to {POINTS:,} points for the peer figure and the ratio"
        ),
    )
