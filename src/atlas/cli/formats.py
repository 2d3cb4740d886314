"""How the CLI shows values: local times, durations, numbers, and JSON for scripts.

Tables show times in the local time zone; ``--json`` output follows the REST API's shapes
(docs/rest-api.md): ISO 8601 times in UTC and non-finite numbers as ``"NaN"``,
``"Infinity"`` and ``"-Infinity"`` so the output is always valid JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from atlas.domain import Artifact, Job, JobStatus, MetricSummary, Page, Project
from atlas.units import format_size

__all__ = [
    "artifact_json",
    "cell",
    "dumps",
    "format_duration",
    "format_number",
    "format_size",
    "format_time",
    "format_value",
    "job_duration",
    "job_json",
    "jobs_page_json",
    "mask_password",
    "project_json",
    "projects_json",
]


def cell(text: str) -> str:
    """Text that fits one table line: control characters become spaces."""
    return "".join(" " if ch < " " or ch == "\x7f" else ch for ch in text)


def mask_password(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def format_time(moment: datetime | None, *, seconds: bool = False, zone: bool = False) -> str:
    """A moment in the local time zone, ``2026-11-25 15:02`` (``-`` when unknown)."""
    if moment is None:
        return "-"
    local = _aware(moment).astimezone()
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {local.tzname()}" if zone else text


def job_duration(job: Job, *, now: datetime | None = None) -> float | None:
    """Seconds the job ran, or has been running; ``None`` when it never started."""
    if job.started_at is None:
        return None
    end = job.finished_at
    if end is None:
        if job.status in (JobStatus.RUNNING, JobStatus.STARTING):
            end = now or datetime.now(UTC)
        else:
            return None
    return max((_aware(end) - _aware(job.started_at)).total_seconds(), 0.0)


def format_duration(seconds: float | None) -> str:
    """``4.2s``, ``3m 12s``, ``1h 02m``, ``2d 03h`` (``-`` when unknown)."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def format_number(value: float | int | None) -> str:
    """A metric value in at most ~8 significant characters; ``nan``/``inf`` kept."""
    if value is None:
        return "-"
    if isinstance(value, (bool, int)):
        return str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


def format_value(value: object) -> str:
    """A param or tag value as a user would type it."""
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str):
        return cell(value)
    return cell(json.dumps(_jsonable(value), ensure_ascii=False))


def dumps(data: object) -> str:
    """Indented, valid JSON (non-finite floats as strings, times in ISO 8601 UTC)."""
    return json.dumps(_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)


def project_json(project: Project) -> dict[str, object]:
    """A project in the REST API's ``Project`` shape."""
    return {
        "name": project.name,
        "description": project.description,
        "created_at": project.created_at,
        "last_activity": project.last_activity,
        "job_count": project.job_count,
        "job_counts": {str(status): n for status, n in project.job_counts.items()},
    }


def projects_json(projects: list[Project]) -> dict[str, object]:
    """``{"items": [Project]}`` as the REST API answers."""
    return {"items": [project_json(p) for p in projects]}


def job_json(job: Job) -> dict[str, object]:
    """A job in the REST API's ``Job`` shape."""
    return {
        "id": job.id,
        "project": job.project,
        "name": job.name,
        "user": job.user,
        "kind": str(job.kind),
        "status": str(job.status),
        "command": job.command,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "duration": job_duration(job),
        "exit_code": job.exit_code,
        "error": _error_json(job),
        "params": job.params,
        "tags": job.tags,
        "metrics": {key: _summary_json(s) for key, s in job.metrics.items()},
        "git": job.git,
        "environment": job.environment,
        "resources": job.resources,
        "priority": job.priority,
        "parent_id": job.parent_id,
        "snapshot": job.snapshot,
        "timeout": job.timeout,
        "env": job.env_mode,
        "rerun_of": job.rerun_of,
        "image": job.image,
        "retries": job.retries,
        "attempts": job.attempts,
        "queued_at": job.queued_at,
    }


def jobs_page_json(page: Page[Job]) -> dict[str, object]:
    """``{"items": [Job], "total", "limit", "offset"}`` as the REST API answers."""
    return {
        "items": [job_json(job) for job in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def artifact_json(artifact: Artifact) -> dict[str, object]:
    """An artifact in the REST API's ``Artifact`` shape."""
    return {
        "path": artifact.path,
        "kind": str(artifact.kind),
        "mime": artifact.mime,
        "size": artifact.size,
        "sha256": artifact.sha256,
        "step": artifact.step,
        "created_at": artifact.created_at,
    }


def _error_json(job: Job) -> dict[str, str] | None:
    if job.error is None:
        return None
    return {
        "type": job.error.type,
        "message": job.error.message,
        "traceback": job.error.traceback,
    }


def _summary_json(summary: MetricSummary) -> dict[str, object]:
    return {
        "key": summary.key,
        "last": summary.last,
        "last_step": summary.last_step,
        "min": summary.min,
        "max": summary.max,
        "count": summary.count,
        "updated_at": summary.updated_at,
    }


def _aware(moment: datetime) -> datetime:
    """Naive datetimes from the wire are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return _aware(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
