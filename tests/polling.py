"""Waiting in end-to-end tests: poll a condition, or a job until it ends, with a deadline
(never a bare sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable

from atlas.domain import FINAL_STATUSES, Job
from atlas.sdk.client import Client

DEADLINE_S = 60.0


def wait_for(condition: Callable[[], object], what: str, *, deadline_s: float = DEADLINE_S) -> None:
    """Return once ``condition()`` is true; fail naming ``what`` after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_until_final(client: Client, job_id: str, *, deadline_s: float = DEADLINE_S) -> Job:
    """The job once it has ended; fails after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        job = client.get_job(job_id)
        if job.status in FINAL_STATUSES:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end: {client.get_job(job_id)}")
