"""The per-call cost of ``atlas.log_metric`` in a training loop, beside MLflow's
``log_metric`` (synchronous, and asynchronous with ``synchronous=False``).

Ours: a worker process runs our SDK against a real ``atlas server`` (so the sender thread is
really shipping batches while the loop runs) and makes ``CALLS`` calls, each timed on its own
with ``time.perf_counter_ns`` (the figure includes one clock read, ~50 ns); then
``atlas.finish()`` and a check that the server has every point. Per repetition: the median and
p99 of the calls; the result gives the median over repetitions of each.

The peer: MLflow in process on SQLite (``mlflow.set_tracking_uri('sqlite:///...')``), a fresh
run per repetition, timed the same way over fewer calls (one synchronous call costs
milliseconds): ``PEER_SYNC_CALLS`` synchronous ones, then ``PEER_ASYNC_CALLS`` with
``synchronous=False`` (its queue drained before the next turn). Two results: ``log_metric``
(against synchronous MLflow) and ``log_metric_async`` (against asynchronous MLflow).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bench.peer import MLFLOW_ENV, MlflowEnv
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import Stats
from bench.trial import Context, Sample, alternate, stats
from bench.worker import Worker

NAME = "log_metric"
CALLS = 1_000_000
PEER_SYNC_CALLS = 1_000
PEER_ASYNC_CALLS = 1_000
TARGET_MEDIAN_US = 2.0
TARGET_P99_US = 50.0
TARGET_RATIO = 100.0


def run(context: Context) -> Iterator[Result]:
    """Alternate our loop with MLflow's (synchronous then asynchronous)."""
    peer_env = context.mlflow
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        ours = server.sdk_worker(work, "bench-log-metric")
        peer = _peer_worker(peer_env, work)
        with ours, peer:
            mine, theirs = alternate(
                NAME,
                lambda: _ours(ours),
                lambda: _peer(peer),
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    atlas = stats(mine)
    sync = stats(theirs)
    asynchronous = Stats.of([s["async"] for s in theirs], [s["async_p99"] for s in theirs])
    yield _sync_result(atlas, PeerFigure("mlflow", peer_env.version, sync))
    yield _async_result(atlas, PeerFigure("mlflow", peer_env.version, asynchronous))


def _peer_worker(peer_env: MlflowEnv, work: Path) -> Worker:
    return Worker(
        peer_env.python,
        "mlflow_log_metric.py",
        [str(work)],
        log_path=work / "mlflow.log",
        env=MLFLOW_ENV,
    )


def _ours(worker: Worker) -> Sample:
    answer = worker.call("log_metric", calls=CALLS)
    return {"value": answer["median_us"], "p99": answer["p99_us"], "loop_s": answer["loop_s"]}


def _peer(worker: Worker) -> Sample:
    sync = worker.call("sync", calls=PEER_SYNC_CALLS)
    asynchronous = worker.call("async", calls=PEER_ASYNC_CALLS)
    return {
        "value": sync["median_us"],
        "p99": sync["p99_us"],
        "async": asynchronous["median_us"],
        "async_p99": asynchronous["p99_us"],
    }


def _our_note() -> str:
    return (
        f"atlas: {CALLS:,} calls of atlas.log_metric('loss', v, step) per repetition in a "
        "worker process, each call timed alone with time.perf_counter_ns (median and p99 of "
        "the calls; the result's p99 is the median of the repetitions' p99s), against a real "
        "atlas server on SQLite while the SDK's sender thread ships batches"
    )


def _sync_result(atlas: Stats, peer: PeerFigure) -> Result:
    ratio = peer.stats.median / atlas.median
    met = (
        atlas.median <= TARGET_MEDIAN_US
        and (atlas.p99 or 0) <= TARGET_P99_US
        and ratio >= TARGET_RATIO
    )
    return Result(
        name=NAME,
        unit="us",
        ours=atlas,
        peer=peer,
        target=(
            f"median <= {TARGET_MEDIAN_US:g} us, p99 <= {TARGET_P99_US:g} us, "
            f">= {TARGET_RATIO:g}x cheaper than MLflow's synchronous log_metric on SQLite"
        ),
        meets_target=met,
        note=(
            _our_note() + f". mlflow: mlflow.log_metric on SQLite in process, "
            f"{PEER_SYNC_CALLS:,} synchronous calls per repetition (one costs milliseconds), "
            "timed the same way, a fresh run each time"
        ),
    )


def _async_result(atlas: Stats, peer: PeerFigure) -> Result:
    return Result(
        name=f"{NAME}_async",
        unit="us",
        ours=atlas,
        peer=peer,
        target="cheaper than MLflow's log_metric(..., synchronous=False)",
        meets_target=atlas.median < peer.stats.median,
        note=(
            _our_note() + f". mlflow: mlflow.log_metric(..., synchronous=False) on SQLite in "
            f"process, {PEER_ASYNC_CALLS:,} calls per repetition timed the same way (its "
            "queue is drained, untimed, before the next turn), a fresh run each time"
        ),
    )
