"""The liveness watcher: a running tracked script that fell silent is marked ``lost``.

A tracked script (``python train.py`` with ``import atlas``, a job of kind ``local``) sends a
heartbeat every ``heartbeat_interval`` seconds (``POST /jobs/{id}/heartbeat``). Killed with
SIGKILL, or cut off from the server, it stops; once it has been silent for ``lost_after``
seconds, ``tick(now)`` marks its job ``lost`` with the reason. If it reports again, the
heartbeat route brings the job back to ``running`` (``atlas.store.liveness``). Scheduled
jobs are never touched: the scheduler owns their status.

The server runs :func:`watch` beside the app; tests call ``tick(now)`` with any ``now``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import anyio
import anyio.to_thread

from atlas.domain import JobError
from atlas.store.api import Store

__all__ = ["LivenessWatcher", "lost_error", "watch"]

logger = logging.getLogger(__name__)

MAX_WAKE = 30.0
"""Longest wait between two ticks, in seconds (a fraction of ``lost_after`` when shorter)."""


def lost_error(lost_after: float) -> JobError:
    """Why a silent tracked script's job is lost (the job's ``error``)."""
    return JobError(
        type="Lost",
        message=(
            f"no heartbeat from the tracked process for {lost_after:g} s; "
            "it was killed or lost its connection"
        ),
    )


class LivenessWatcher:
    """Marks running ``local`` jobs silent for ``lost_after`` seconds ``lost``.

    ``started`` is the clock when the server started: no job is marked lost before the
    server has itself been up for ``lost_after`` seconds, so scripts that spooled while it
    was down have the time to report again.
    """

    def __init__(self, store: Store, *, lost_after: float, started: float) -> None:
        self.store = store
        self.lost_after = lost_after
        self.started = started
        self.error = lost_error(lost_after)

    @property
    def interval(self) -> float:
        """Seconds between two ticks: a job is marked lost at most this late."""
        return max(0.01, min(MAX_WAKE, self.lost_after / 4))

    def tick(self, now: float) -> list[str]:
        """Mark lost the running local jobs last heard from more than ``lost_after`` seconds
        before ``now`` (seconds since the epoch); return their ids."""
        if now - self.started < self.lost_after:
            return []
        before = datetime.fromtimestamp(now - self.lost_after, UTC)
        lost = self.store.mark_silent_lost(before=before, error=self.error)
        for job_id in lost:
            logger.warning("job %s: %s; marked lost", job_id, self.error.message)
        return lost


async def watch(watcher: LivenessWatcher, clock: Callable[[], float] = time.time) -> None:
    """Tick ``watcher`` every ``watcher.interval`` seconds until cancelled (in a worker
    thread: the store blocks)."""
    while True:
        try:
            await anyio.to_thread.run_sync(watcher.tick, clock())
        except Exception:  # a database hiccup must not end the watch: log it and go on
            logger.exception("the liveness watcher failed; trying again")
        await anyio.sleep(watcher.interval)
