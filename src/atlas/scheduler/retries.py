"""Retries: a scheduled job with ``retries = N`` whose attempt fails (a non-zero exit, a
timeout, a launch that failed) or is lost (its process vanished, its node died) is queued
again, up to N times, under the same id.

Retry ``k`` (1 for the first) waits :func:`backoff` ``(k)`` seconds (2, 4, 8, ... capped
at :data:`BACKOFF_MAX_S`) before it may start: the store's ``queued_at`` is set to that time
(so the job takes its place in the queue behind jobs of its priority queued before then, and
a restarted server knows the wait), and the scheduler keeps the wait in memory on its own
clock (``tick(now)``). A waiting job holds nothing and never holds the reservation. Each
attempt is appended to the job's ``attempts``; its log gets a line before each new attempt.
A cancelled job is never retried.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from atlas.domain import JobError, JobStatus
from atlas.errors import ConflictError, InvalidTransitionError, NotFoundError
from atlas.scheduler.resources import request_from
from atlas.store.requeue import RETRIED_STATUSES

if TYPE_CHECKING:
    from atlas.scheduler.scheduler import Scheduler

__all__ = [
    "BACKOFF_MAX_S",
    "Retry",
    "announce_attempt",
    "backoff",
    "due",
    "next_due",
    "note_waiting",
    "requeue",
    "retry_text",
]

logger = logging.getLogger(__name__)

BACKOFF_MAX_S = 300.0
"""Longest wait before a retry (5 minutes)."""


@dataclass(frozen=True, slots=True)
class Retry:
    """A queued job waiting for its retry: when it may start (the scheduler's clock), which
    retry it is (1 for the first) and how many the job has."""

    at: float
    number: int
    of: int


def backoff(number: int) -> float:
    """Seconds retry ``number`` (1 for the first) waits: ``2 ** number``, at most
    :data:`BACKOFF_MAX_S`."""
    return min(2.0 ** min(number, 32), BACKOFF_MAX_S)


def retry_text(retry: Retry, now: float) -> str:
    """What a job waiting for its retry waits for, in words: ``retry 2 of 3 in 4 s``."""
    left = max(0, math.ceil(retry.at - now))
    return f"retry {retry.number} of {retry.of} in {left} s"


def requeue(
    scheduler: Scheduler,
    job_id: str,
    *,
    status: JobStatus,
    exit_code: int | None,
    error: JobError | None,
    now: float,
) -> bool:
    """Queue the job again when its attempt ended ``status`` (failed or lost) and it has
    retries left; ``False`` (nothing written) otherwise, and the caller records the end.
    Call under the scheduler's lock, with the job no longer running."""
    if status not in RETRIED_STATUSES:
        return False
    try:
        job = scheduler.store.get_job(job_id)
    except NotFoundError:
        return False
    number = len(job.attempts) + 1
    if number > job.retries:
        return False
    delay = backoff(number)
    not_before = datetime.now(UTC) + timedelta(seconds=delay)
    try:
        job = scheduler.store.requeue_job(
            job_id, status=status, exit_code=exit_code, error=error, not_before=not_before
        )
    except (NotFoundError, InvalidTransitionError, ConflictError) as exc:
        logger.warning("job %s: not queued again: %s", job_id, exc.message)
        return False
    queued_at = job.queued_at.timestamp() if job.queued_at else time.time() + delay
    scheduler.queue.add(
        job_id,
        priority=job.priority,
        queued_at=queued_at,
        request=request_from(job.resources),
        parent_id=job.parent_id,
        user=job.user,
    )
    scheduler.retries[job_id] = Retry(now + delay, number, job.retries)
    ended = "was lost" if status == JobStatus.LOST else "failed"
    why = "" if error is None else f" ({error.type}: {error.message.splitlines()[0][:200]})"
    _log_line(
        scheduler,
        job_id,
        f"attempt {number} of {job.retries + 1} {ended}{why}; "
        f"retry {number} of {job.retries} in {delay:g} s",
    )
    logger.info("job %s %s: retry %d of %d in %g s", job_id, ended, number, job.retries, delay)
    return True


def note_waiting(scheduler: Scheduler, job_id: str, queued_at: float) -> None:
    """A queued job read from the store (at a start, or a take-over) whose ``queued_at``
    lies ahead waits for its retry until then: keep the wait on the scheduler's clock."""
    left = queued_at - time.time()
    if left <= 0:
        return
    try:
        job = scheduler.store.get_job(job_id)
    except NotFoundError:
        return
    if not job.attempts:
        return  # queued by a server whose clock runs ahead: it starts as usual
    number = len(job.attempts)
    scheduler.retries[job_id] = Retry(scheduler.clock() + left, number, max(job.retries, number))


def due(scheduler: Scheduler, now: float) -> bool:
    """Forget the waits that are over at ``now`` (and those of jobs no longer queued);
    ``True`` when a waiting job may now start."""
    over = [
        job_id
        for job_id, retry in scheduler.retries.items()
        if retry.at <= now or job_id not in scheduler.queue
    ]
    for job_id in over:
        del scheduler.retries[job_id]
    return bool(over)


def next_due(scheduler: Scheduler) -> float | None:
    """The scheduler clock at which the next waiting job may start; ``None`` when none
    waits."""
    return min((retry.at for retry in scheduler.retries.values()), default=None)


def announce_attempt(scheduler: Scheduler, job_id: str, *, attempt: int, of: int) -> None:
    """Write ``[atlas] attempt K of N`` to the job's log before attempt ``K`` starts."""
    _log_line(scheduler, job_id, f"attempt {attempt} of {of}")


def _log_line(scheduler: Scheduler, job_id: str, text: str) -> None:
    try:
        with scheduler.files.log_path(job_id).open("ab") as log:
            log.write(f"[atlas] {text}\n".encode())
        scheduler.files.pump(job_id, force=True)
    except OSError:
        logger.exception("job %s: could not write to its log", job_id)
