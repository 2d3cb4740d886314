"""Rows of the metadata store turned into ``atlas.domain`` objects (rows never leave here)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from atlas.domain import (
    Artifact,
    ArtifactKind,
    Job,
    JobError,
    JobKind,
    JobStatus,
    MetricSummary,
    Note,
    ParamValue,
    Project,
)

__all__ = [
    "artifact_from_row",
    "dump_json",
    "float_from_db",
    "float_to_db",
    "job_from_row",
    "load_json",
    "note_from_row",
    "project_from_row",
    "summary_from_columns",
    "utc_now",
]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def float_to_db(value: float) -> float | None:
    """A float as stored: NaN becomes NULL (SQLite cannot hold NaN), infinities stay."""
    return None if math.isnan(value) else value


def float_from_db(value: float | None) -> float:
    """A stored float read back: NULL means NaN."""
    return math.nan if value is None else float(value)


def dump_json(value: Mapping[str, object] | None) -> str:
    """A JSON object column's text."""
    return json.dumps(dict(value or {}), separators=(",", ":"), ensure_ascii=False, default=str)


def load_json(text: str | None) -> dict[str, object]:
    """A JSON object column's value."""
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def load_json_list(text: str | None) -> list[dict[str, object]]:
    """A JSON column holding a list of objects (``jobs.attempts_json``)."""
    value = json.loads(text) if text else []
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def project_from_row(row: Row[Any], job_counts: Mapping[JobStatus, int] | None = None) -> Project:
    """A ``Project`` from a ``projects`` row."""
    return Project(
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        job_counts=dict(job_counts or {}),
        last_activity=row.last_activity,
    )


def note_from_row(row: Row[Any], project: str) -> Note:
    """A ``Note`` from a ``notes`` row."""
    return Note(
        id=row.id, project=project, author=row.author, text=row.text, created_at=row.created_at
    )


def summary_from_columns(
    key: str,
    last: float | None,
    last_step: int,
    low: float | None,
    high: float | None,
    count: int,
    updated_at: datetime,
) -> MetricSummary:
    """A ``MetricSummary`` from the columns of a ``metric_summaries`` row (NULL means NaN)."""
    return MetricSummary(
        key=key,
        last=float_from_db(last),
        last_step=int(last_step),
        min=float_from_db(low),
        max=float_from_db(high),
        count=int(count),
        updated_at=updated_at,
    )


def job_from_row(
    row: Row[Any],
    project: str,
    *,
    params: dict[str, ParamValue] | None = None,
    tags: dict[str, str] | None = None,
    metrics: dict[str, MetricSummary] | None = None,
) -> Job:
    """A ``Job`` from a ``jobs`` row and its params, tags and metric summaries."""
    error = None
    if row.error_type is not None:
        error = JobError(
            type=row.error_type,
            message=row.error_message or "",
            traceback=row.error_traceback or "",
        )
    return Job(
        id=row.id,
        project=project,
        name=row.name,
        user=row.user,
        kind=JobKind(row.kind),
        status=JobStatus(row.status),
        created_at=row.created_at,
        command=row.command,
        started_at=row.started_at,
        finished_at=row.finished_at,
        exit_code=row.exit_code,
        error=error,
        params=params or {},
        tags=tags or {},
        metrics=metrics or {},
        git=load_json(row.git_json),
        environment=load_json(row.environment_json),
        resources=load_json(row.resources_json),
        priority=row.priority,
        parent_id=row.parent_id,
        snapshot=row.snapshot,
        timeout=row.timeout_s,
        env_mode=row.env_mode,
        rerun_of=row.rerun_of,
        image=row.image,
        retries=row.retries,
        sweep_id=row.sweep_id,
        queued_at=row.queued_at,
        attempts=load_json_list(row.attempts_json),
    )


def artifact_from_row(row: Row[Any]) -> Artifact:
    """An ``Artifact`` from an ``artifacts`` row."""
    return Artifact(
        job_id=row.job_id,
        path=row.path,
        kind=ArtifactKind(row.kind),
        mime=row.mime,
        size=int(row.size),
        sha256=row.sha256,
        created_at=row.created_at,
        step=None if row.step is None else int(row.step),
        caption=row.caption,
    )
