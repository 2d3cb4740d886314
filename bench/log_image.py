"""The cost of ``atlas.log_image`` on the training thread (issue 10's target: at most 50 µs,
median, for a 256 x 256 x 3 ``uint8`` array).

A worker process runs our SDK against a real ``atlas server`` as a training script would:
``CALLS`` steps, each a ``log_image`` call timed on its own with ``time.perf_counter_ns``,
then a pause of ``STEP_MS`` standing for the training step (a sleep: GPU work leaves the
interpreter, so the sender thread encodes and uploads meanwhile, as it would in training).
Then ``atlas.finish()`` and a check that the server lists every step. No peer: MLflow's
``log_image`` writes the file synchronously, which is not the same contract.
"""

from __future__ import annotations

from collections.abc import Iterator

from bench.result import Result
from bench.server import AtlasServer
from bench.trial import Context, Sample, alternate, stats
from bench.worker import Worker

NAME = "log_image"
CALLS = 500
STEP_MS = 5.0
TARGET_MEDIAN_US = 50.0


def run(context: Context) -> Iterator[Result]:
    """Repeat the loop and report the median per-call cost."""
    with context.workdir(NAME) as work, AtlasServer(work / "atlas") as server:
        worker = server.sdk_worker(work, "bench-log-image")
        with worker:
            mine, _ = alternate(
                NAME,
                lambda: _ours(worker),
                None,
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    atlas = stats(mine)
    yield Result(
        name=NAME,
        unit="µs",
        ours=atlas,
        peer=None,
        target=f"log_image of a 256x256x3 uint8 array <= {TARGET_MEDIAN_US:g} µs (median)",
        meets_target=atlas.median <= TARGET_MEDIAN_US,
        note=(
            f"{CALLS} calls per repetition, each followed by a {STEP_MS:g} ms sleep standing "
            "for a training step; per-call median (and p99) on the calling thread; every image "
            "checked on the server after finish()"
        ),
    )


def _ours(worker: Worker) -> Sample:
    answer = worker.call("log_image", calls=CALLS, step_ms=STEP_MS)
    return {"value": answer["median_us"], "p99": answer["p99_us"]}
