"""Atlas's SDK in a process of its own, as in a user's training script, against a real server.

Usage: ``python atlas_sdk.py`` with ``ATLAS_URL`` (the server), ``ATLAS_HOME`` (a scratch
folder for the spool) and ``ATLAS_PROJECT`` set (and ``ATLAS_TOKEN`` for a server with
authentication on: the SDK and the harness's own polling send it); then protocol commands:

- ``{"op": "log_metric", "calls": N}``: a new job, N ``atlas.log_metric`` calls each timed
  with ``perf_counter_ns`` (the sender thread ships batches meanwhile), then ``finish()``;
- ``{"op": "log_image", "calls": N, "step_ms": S}``: a new job, N ``atlas.log_image`` calls
  of a 256 x 256 x 3 ``uint8`` array each timed, each followed by an S ms sleep, then
  ``finish()`` and a check that the server lists all N steps;
- ``{"op": "log_and_flush", "points": N}``: a new job, N calls untimed one by one, then
  ``finish()``; reports the loop's time, the time from the end of the loop until the server
  has all N points (polled on the job's metric summary), and the total.
"""

from __future__ import annotations

import os
import time
from array import array
from typing import Any

import httpx
from corpus import loss_values
from protocol import per_call, serve

import atlas

STATE: dict[str, Any] = {}
DURABLE_WITHIN_S = 300.0


def setup() -> dict[str, Any]:
    STATE["values"] = loss_values(1_000_000)
    token = os.environ.get("ATLAS_TOKEN")  # a server with auth on (bench/auth.py)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    STATE["http"] = httpx.Client(base_url=os.environ["ATLAS_URL"], headers=headers, timeout=60)
    return {"version": atlas.__version__}


def timed_calls(calls: int) -> dict[str, Any]:
    """Time each of ``calls`` log_metric calls; finish; check the server has them."""
    values: list[float] = STATE["values"]
    deltas = array("q", bytes(8 * calls))
    clock = time.perf_counter_ns
    log_metric = atlas.log_metric
    run = atlas.init(name="bench-log-metric")
    started = clock()
    for step in range(calls):
        before = clock()
        log_metric("loss", values[step], step)
        deltas[step] = clock() - before
    loop_ns = clock() - started
    atlas.finish()
    _wait_durable(run.id, calls)
    return {**per_call(deltas), "loop_s": loop_ns / 1e9}


def timed_images(calls: int, step_ms: float) -> dict[str, Any]:
    """Time each of ``calls`` log_image calls, a sleep of ``step_ms`` after each; finish;
    check the server has every step."""
    import numpy as np

    image = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    deltas = array("q", bytes(8 * calls))
    clock = time.perf_counter_ns
    log_image = atlas.log_image
    pause = step_ms / 1000
    run = atlas.init(name="bench-log-image")
    for step in range(calls):
        before = clock()
        log_image("samples", image, step=step)
        deltas[step] = clock() - before
        time.sleep(pause)
    atlas.finish()
    _wait_media(run.id, calls)
    return per_call(deltas)


def _wait_media(job_id: str, steps: int) -> None:
    """Poll the job's media until the server lists ``steps`` steps of ``samples``."""
    http: httpx.Client = STATE["http"]
    deadline = time.monotonic() + DURABLE_WITHIN_S
    count = 0
    while time.monotonic() < deadline:
        answer = http.get(f"/api/v1/jobs/{job_id}/media")
        answer.raise_for_status()
        count = sum(item["count"] for item in answer.json()["items"])
        if count >= steps:
            return
        time.sleep(0.05)
    raise RuntimeError(f"only {count} of {steps} images stored after {DURABLE_WITHIN_S:.0f} s")


def log_and_flush(points: int) -> dict[str, Any]:
    """Log ``points`` points as fast as a loop can, finish, and time until all are durable."""
    values: list[float] = STATE["values"]
    log_metric = atlas.log_metric
    run = atlas.init(name="bench-flush")
    started = time.perf_counter()
    for step in range(points):
        log_metric("loss", values[step], step)
    loop_end = time.perf_counter()
    buffered = _buffered(run)
    atlas.finish()
    finished = time.perf_counter()
    _wait_durable(run.id, points)
    durable = time.perf_counter()
    return {
        "loop_s": loop_end - started,
        "finish_s": finished - loop_end,
        "flush_s": durable - loop_end,
        "total_s": durable - started,
        "buffered_at_finish": buffered,
    }


def _buffered(run: atlas.Run) -> int | None:
    """Points still in the run's buffer (diagnostic only: a private attribute)."""
    buffer = getattr(run, "_buffer", None)
    return len(buffer) if buffer is not None else None


def _wait_durable(job_id: str, points: int) -> None:
    """Poll the job's summary until the server counts ``points`` points of ``loss``."""
    http: httpx.Client = STATE["http"]
    deadline = time.monotonic() + DURABLE_WITHIN_S
    count = 0
    while time.monotonic() < deadline:
        answer = http.get(f"/api/v1/jobs/{job_id}/metrics")
        answer.raise_for_status()
        counts = {item["key"]: item["count"] for item in answer.json()["items"]}
        count = counts.get("loss", 0)
        if count >= points:
            if count != points:
                raise RuntimeError(f"the server counts {count} points, {points} were logged")
            return
        time.sleep(0.005)
    raise RuntimeError(f"only {count} of {points} points durable after {DURABLE_WITHIN_S:.0f} s")


serve(
    setup,
    {
        "log_metric": lambda c: timed_calls(int(c["calls"])),
        "log_image": lambda c: timed_images(int(c["calls"]), float(c["step_ms"])),
        "log_and_flush": lambda c: log_and_flush(int(c["points"])),
    },
)
