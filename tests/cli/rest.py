"""Test data written straight through the documented REST API (docs/rest-api.md)."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Mapping, Sequence

import httpx


def make_job(
    url: str,
    project: str,
    *,
    name: str = "",
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
    metrics: Mapping[str, Sequence[float]] | None = None,
    artifacts: Mapping[str, bytes] | None = None,
    status: str | None = "completed",
) -> str:
    """Create a job with the given data (metric values at steps 0, 1, ...); return its id."""
    with httpx.Client(base_url=f"{url}/api/v1", timeout=10.0) as http:
        body = {
            "project": project,
            "name": name,
            "params": dict(params or {}),
            "tags": dict(tags or {}),
            "command": "python main.py",
        }
        answer = http.post("/jobs", json=body)
        answer.raise_for_status()
        job_id = str(answer.json()["id"])
        if metrics:
            now = time.time()
            series = [
                {
                    "key": key,
                    "steps": list(range(len(values))),
                    "times": [now + i for i in range(len(values))],
                    "values": [_number(v) for v in values],
                }
                for key, values in metrics.items()
            ]
            batch = {"batch_id": uuid.uuid4().hex, "encoding": "json", "series": series}
            http.post(f"/jobs/{job_id}/metrics", json=batch).raise_for_status()
        for path, content in (artifacts or {}).items():
            http.put(f"/jobs/{job_id}/artifacts/{path}", content=content).raise_for_status()
        if status is not None and status != "running":
            patch: dict[str, object] = {"status": status}
            if status in ("completed", "failed"):
                patch["exit_code"] = 0 if status == "completed" else 1
            http.patch(f"/jobs/{job_id}", json=patch).raise_for_status()
    return job_id


def _number(value: float) -> float | str:
    """A metric value as the REST API writes it (non-finite values as strings)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def job_exists(url: str, job_id: str) -> bool:
    """Whether the server still knows the job."""
    answer = httpx.get(f"{url}/api/v1/jobs/{job_id}", timeout=10.0)
    return answer.status_code == 200
