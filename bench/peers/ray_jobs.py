"""The Ray Jobs API, as a user submits jobs to a Ray head: ``JobSubmissionClient``.

Usage: ``python ray_jobs.py DASHBOARD_URL CODE_DIR`` with the peer's venv (bench/.peers/ray);
``CODE_DIR`` is shipped with each job as its ``working_dir`` (Ray uploads it once per content
hash), as Atlas snapshots the same folder. Protocol commands, measured the same way as
``atlas_jobs.py``'s:

- ``{"op": "latency", "jobs": N, "marks": DIR}``: N jobs one after the other, each running
  ``date +%s.%N > DIR/<i>``; the figure is that timestamp minus the time just before
  ``submit_job`` was called; the next job is submitted once this one has ended (untimed).
- ``{"op": "throughput", "jobs": N}``: N jobs running ``true`` with ``entrypoint_num_cpus=1``
  submitted back to back; N / (the last job's ``end_time`` minus the first submit call).
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import ray
from jobclock import FILE_POLL_S, read_stamp, summary, wait_for
from ray.job_submission import JobStatus, JobSubmissionClient

STATE: dict[str, Any] = {}
WAIT_S = 300.0
FINAL = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED}


def setup() -> dict[str, Any]:
    STATE["client"] = JobSubmissionClient(sys.argv[1])
    STATE["runtime_env"] = {"working_dir": sys.argv[2]}
    return {"version": ray.__version__}


def _submit(entrypoint: str) -> str:
    client: JobSubmissionClient = STATE["client"]
    job_id = client.submit_job(
        entrypoint=entrypoint, runtime_env=STATE["runtime_env"], entrypoint_num_cpus=1
    )
    return str(job_id)


def _final(job_id: str) -> JobStatus | None:
    status = STATE["client"].get_job_status(job_id)
    return status if status in FINAL else None


def latency(jobs: int, marks: Path) -> dict[str, Any]:
    """Submit-to-process-start latency of ``jobs`` sequential jobs, in milliseconds."""
    marks.mkdir(parents=True, exist_ok=True)
    latencies: list[float] = []
    submit_calls: list[float] = []
    for index in range(jobs):
        mark = marks / f"{index}"
        started = time.time()
        job_id = _submit(f"date +%s.%N > {mark}")
        submit_calls.append((time.time() - started) * 1000)
        stamp = wait_for(
            partial(read_stamp, mark), WAIT_S, f"job {job_id} to start", pause=FILE_POLL_S
        )
        latencies.append((stamp - started) * 1000)
        status = wait_for(partial(_final, job_id), WAIT_S, f"job {job_id} to end")
        if status != JobStatus.SUCCEEDED:
            raise RuntimeError(f"job {job_id} ended {status}")
    return {**summary(latencies), "submit_call_ms": summary(submit_calls)["median"]}


def throughput(jobs: int) -> dict[str, Any]:
    """Jobs per second from the first submit call to the last job's end."""
    client: JobSubmissionClient = STATE["client"]
    started = time.time()
    ids = [_submit("true") for _ in range(jobs)]
    submitted = time.time()
    ends = []
    for job_id in ids:
        status = wait_for(partial(_final, job_id), WAIT_S, f"job {job_id} to end")
        info = client.get_job_info(job_id)
        if status != JobStatus.SUCCEEDED or info.end_time is None:
            raise RuntimeError(f"job {job_id} ended {status}")
        ends.append(info.end_time / 1000)
    elapsed = max(ends) - started
    return {"jobs_per_s": jobs / elapsed, "elapsed_s": elapsed, "submit_s": submitted - started}


if __name__ == "__main__":
    from protocol import serve

    serve(
        setup,
        {
            "latency": lambda c: latency(int(c["jobs"]), Path(c["marks"])),
            "throughput": lambda c: throughput(int(c["jobs"])),
        },
    )
