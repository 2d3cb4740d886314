"""Atlas's scheduler driven from Python as a user's sweep script drives it: ``atlas.submit``
against a real ``atlas server``.

Usage: ``python atlas_jobs.py CODE_DIR`` with ``ATLAS_URL``, ``ATLAS_HOME`` (scratch) and
``ATLAS_PROJECT`` set; ``CODE_DIR`` is the small folder every job is submitted from (so each
submission snapshots it, and uploads it once). Protocol commands:

- ``{"op": "latency", "jobs": N, "marks": DIR}``: N jobs one after the other; each runs
  ``sh -c 'date +%s.%N > DIR/<i>'`` and the figure is that timestamp minus the time just
  before ``atlas.submit`` was called. The next job is submitted once this one has ended
  (untimed), so each is measured on an idle scheduler.
- ``{"op": "throughput", "jobs": N}``: N jobs running ``true`` (1 CPU each) submitted
  back to back; the figure is N / (the last job's end as the server recorded it minus the
  time the first submit was called). Every job must have completed.
- ``{"op": "fill", "jobs": N, "command": [...], "cpus": C}``: N jobs queued through
  ``Client.submit_job`` (no code snapshot: they are not meant to run), for the memory figure.
"""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from jobclock import FILE_POLL_S, read_stamp, summary, wait_for

import atlas
from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.sdk.client import Client

STATE: dict[str, Any] = {}
WAIT_S = 120.0


def setup() -> dict[str, Any]:
    STATE["code"] = Path(sys.argv[1])
    STATE["client"] = Client(os.environ["ATLAS_URL"], "", timeout=60)
    STATE["project"] = os.environ["ATLAS_PROJECT"]
    return {"version": atlas.__version__}


def _submit(command: list[str], name: str) -> str:
    job = atlas.submit(
        command,
        directory=STATE["code"],
        project=STATE["project"],
        name=name,
        client=STATE["client"],
    )
    return job.id


def latency(jobs: int, marks: Path) -> dict[str, Any]:
    """Submit-to-process-start latency of ``jobs`` sequential jobs, in milliseconds."""
    client: Client = STATE["client"]
    marks.mkdir(parents=True, exist_ok=True)
    latencies: list[float] = []
    submit_calls: list[float] = []
    for index in range(jobs):
        mark = marks / f"{index}"
        started = time.time()
        job_id = _submit(["sh", "-c", f"date +%s.%N > {mark}"], f"latency-{index}")
        submit_calls.append((time.time() - started) * 1000)
        stamp = wait_for(
            partial(read_stamp, mark), WAIT_S, f"job {job_id} to start", pause=FILE_POLL_S
        )
        latencies.append((stamp - started) * 1000)
        status = wait_for(partial(_final, client, job_id), WAIT_S, f"job {job_id} to end")
        if status != JobStatus.COMPLETED:
            raise RuntimeError(f"job {job_id} ended {status}")
    return {**summary(latencies), "submit_call_ms": summary(submit_calls)["median"]}


def _final(client: Client, job_id: str) -> JobStatus | None:
    status = client.get_job(job_id).status
    return status if status in FINAL_STATUSES else None


def throughput(jobs: int) -> dict[str, Any]:
    """Jobs per second from the first submit call to the last job's end."""
    client: Client = STATE["client"]
    started = time.time()
    ids = [_submit(["true"], f"true-{index}") for index in range(jobs)]
    submitted = time.time()
    wait_for(lambda: _idle(client), WAIT_S * 5, "the queue to drain")
    ends = []
    for job_id in ids:
        job = client.get_job(job_id)
        if job.status != JobStatus.COMPLETED or job.finished_at is None:
            raise RuntimeError(f"job {job_id} ended {job.status}")
        ends.append(job.finished_at.timestamp())
    elapsed = max(ends) - started
    return {"jobs_per_s": jobs / elapsed, "elapsed_s": elapsed, "submit_s": submitted - started}


def _idle(client: Client) -> bool | None:
    state = client.get_scheduler(limit=0)
    return True if state.queue_total == 0 and not state.running else None


def fill(jobs: int, command: list[str], cpus: int) -> dict[str, Any]:
    """Queue ``jobs`` jobs of ``command`` through the REST API, as fast as one client can."""
    client: Client = STATE["client"]
    started = time.time()
    for index in range(jobs):
        body = {
            "project": STATE["project"],
            "command": command,
            "name": f"queued-{index}",
            "resources": {"cpus": cpus, "gpus": 0, "memory": None},
        }
        client.submit_job(body)
    return {"fill_s": time.time() - started}


def submit_one(command: list[str], cpus: int) -> dict[str, Any]:
    """Queue one job without code and wait until it runs."""
    client: Client = STATE["client"]
    body = {
        "project": STATE["project"],
        "command": command,
        "name": "holder",
        "resources": {"cpus": cpus, "gpus": 0, "memory": None},
    }
    job_id = client.submit_job(body).id

    def running() -> bool | None:
        return True if client.get_job(job_id).status == JobStatus.RUNNING else None

    wait_for(running, WAIT_S, f"job {job_id} to run")
    return {"id": job_id}


if __name__ == "__main__":
    from protocol import serve

    serve(
        setup,
        {
            "latency": lambda c: latency(int(c["jobs"]), Path(c["marks"])),
            "throughput": lambda c: throughput(int(c["jobs"])),
            "fill": lambda c: fill(int(c["jobs"]), list(c["command"]), int(c["cpus"])),
            "submit_one": lambda c: submit_one(list(c["command"]), int(c["cpus"])),
        },
    )
