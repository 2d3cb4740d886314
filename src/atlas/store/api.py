"""The Store protocol: everything the server asks of the metadata store.

``SqlStore`` (SQLite or PostgreSQL through SQLAlchemy) is the implementation; the contract
suite in tests/store runs against both databases. Every method raises ``NotFoundError`` for
an unknown project or job, ``InvalidInputError`` for bad values and ``ConflictError`` for a
clash, and leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from atlas.domain import (
    Artifact,
    ArtifactKind,
    Heartbeat,
    Job,
    JobError,
    JobSpec,
    JobStatus,
    Note,
    Page,
    ParamValue,
    Project,
    Series,
)

__all__ = [
    "ActiveJob",
    "Column",
    "JobQuery",
    "QueueSummary",
    "QueuedJob",
    "SeriesBatch",
    "Store",
]


Column = Sequence[int] | Sequence[float] | npt.NDArray[np.generic]
"""A column of points: a list, an ``array.array`` or a 1-d numpy array (the fast path: no
copy when it is little-endian int64 for steps, float64 for times and values)."""


@dataclass(frozen=True, slots=True)
class SeriesBatch:
    """Points of one metric key, as parallel columns (equal lengths).

    ``steps`` are integers, ``times`` (seconds since the epoch) finite numbers, ``values``
    numbers that may be NaN or +-inf, stored as such.
    """

    key: str
    steps: Column
    times: Column
    values: Column


@dataclass(frozen=True, slots=True)
class JobQuery:
    """A job listing request.

    ``filter`` is a query-language expression (see docs/rest-api.md#filters), e.g.
    ``params.lr < 0.01 and (tags.stage = "prod" or metrics.loss.min < 0.2)``.
    ``sort`` is a list of fields, each optionally prefixed with ``-`` for descending:
    ``created_at``, ``name``, ``status``, ``user``, ``started_at``, ``finished_at``,
    ``duration``, ``id``, ``params.<key>``, ``tags.<key>``, ``metrics.<key>[.last|.min|.max|
    .count]`` (``.last`` when omitted). Jobs without the value sort last in either direction.
    Ties are broken by ``-created_at``, then ``id``.
    """

    filter: str = ""
    sort: Sequence[str] = ("-created_at",)
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """What tells cheaply whether the queue changed: how many jobs are queued, the latest
    ``queued_at`` (seconds since the epoch, 0 when none) and the sum of their priorities."""

    count: int
    last_queued_at: float
    priority_sum: int


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A queued job as the scheduler keeps it: ``queued_at`` in seconds since the epoch."""

    id: str
    priority: int
    queued_at: float
    resources: Mapping[str, object]
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActiveJob:
    """A starting or running scheduled job, with the executor's record of its launch
    (``None`` while it was only starting)."""

    id: str
    status: JobStatus
    resources: Mapping[str, object]
    launch: Mapping[str, object] | None
    timeout: float | None
    started_at: datetime | None
    parent_id: str | None = None


class Store(Protocol):
    """The metadata store: projects, jobs and everything recorded about them."""

    # -- life cycle -------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version (Alembic)."""

    def close(self) -> None:
        """Release connections."""

    # -- projects ---------------------------------------------------------------------------
    def create_project(self, name: str, *, description: str = "") -> Project:
        """Create a project; ``ConflictError`` when the name is taken."""

    def ensure_project(self, name: str) -> Project:
        """Return the project, creating it when missing (race-safe)."""

    def get_project(self, name: str) -> Project:
        """The project with job counts by status and last activity."""

    def list_projects(self) -> list[Project]:
        """Every project, most recently active first."""

    def rename_project(self, name: str, new_name: str) -> Project:
        """Rename; ``ConflictError`` when ``new_name`` is taken."""

    def delete_project(self, name: str) -> list[str]:
        """Delete the project, its jobs and their rows; return the deleted job ids
        (the caller removes their files)."""

    def set_description(self, name: str, markdown: str) -> Project:
        """Replace the project's markdown description."""

    def add_note(self, name: str, *, author: str, text: str) -> Note:
        """Add a dated note to the project."""

    def list_notes(self, name: str) -> list[Note]:
        """The project's notes, newest first."""

    # -- jobs -------------------------------------------------------------------------------
    def create_job(
        self,
        spec: JobSpec,
        *,
        status: JobStatus | None = None,
        job_id: str | None = None,
        started_at: datetime | None = None,
    ) -> Job:
        """Create the job ``spec`` describes, in its project (created when missing), as
        ``status`` (default: ``running`` for a tracked script, else ``queued``).
        ``started_at`` is set when the job starts as running: to ``started_at`` when given
        (a tracked script's own clock, its spool replayed later; also its ``created_at``),
        else now. ``job_id`` may be given by a client that must know the id before the
        server answers (the SDK's spool); ``ConflictError`` when it exists."""

    def get_job(self, job_id: str) -> Job:
        """The job with its params, tags and metric summaries."""

    def list_jobs(self, project: str, query: JobQuery) -> Page[Job]:
        """A page of the project's jobs, filtered and sorted in SQL, each with params, tags
        and metric summaries (a fixed number of queries, whatever the page size).
        ``QuerySyntaxError`` for a bad filter or sort."""

    def update_job(
        self,
        job_id: str,
        *,
        name: str | None = None,
        status: JobStatus | None = None,
        exit_code: int | None = None,
        error: JobError | None = None,
        at: datetime | None = None,
    ) -> Job:
        """Change a job; a status change must be allowed by ``domain.TRANSITIONS``
        (``InvalidTransitionError`` otherwise) and stamps started_at (on ``running``) and
        finished_at (on a final status) with ``at`` (default: now). Asking for the status
        the job already has changes nothing, so a retried report is harmless."""

    def set_status(
        self,
        job_id: str,
        status: JobStatus,
        *,
        exit_code: int | None = None,
        error: JobError | None = None,
        at: datetime | None = None,
    ) -> None:
        """Change a job's status as ``update_job`` does, without reading the job back."""

    def delete_job(self, job_id: str) -> None:
        """Delete the job and its rows (the caller removes its files)."""

    # -- liveness of tracked scripts --------------------------------------------------------
    def record_heartbeat(self, job_id: str) -> Heartbeat:
        """Note that the job's process is alive now; a ``local`` job marked ``lost`` runs
        again, its error cleared."""

    def mark_silent_lost(self, *, before: datetime, error: JobError) -> list[str]:
        """Mark ``lost`` with ``error`` every running ``local`` job last heard from before
        ``before`` (finished when last heard from); return their ids. Scheduled jobs are
        never touched."""

    # -- the scheduler's jobs ---------------------------------------------------------------
    def submit_job(self, spec: JobSpec) -> Job:
        """Create the scheduler's job ``spec`` describes as ``queued`` (its project created
        when missing)."""

    def list_queued(self) -> list[QueuedJob]:
        """The scheduler's queued jobs, compactly (any order)."""

    def queue_summary(self) -> QueueSummary:
        """Count, latest queue time and priority sum of the scheduler's queued jobs (one
        indexed aggregate: the scheduler compares it with its queue every second)."""

    def list_active(self) -> list[ActiveJob]:
        """The scheduler's starting and running jobs with their launch records."""

    def start_job(self, job_id: str, *, resources: Mapping[str, object]) -> Job:
        """Move a queued job to ``starting`` with the resources it was given;
        ``InvalidTransitionError`` when it is no longer queued."""

    def record_launch(
        self,
        job_id: str,
        *,
        launch: Mapping[str, object],
        pid: int | None = None,
        pgid: int | None = None,
    ) -> None:
        """Keep the executor's record of a starting job's launch (the job stays
        ``starting``: ``update_job(status=running)`` once its command runs)."""

    def get_jobs(self, job_ids: Sequence[str]) -> list[Job]:
        """The jobs ``job_ids`` in that order (unknown ids left out), in a fixed number of
        queries."""

    def cancel_queued(self, project: str | None = None) -> list[str]:
        """Cancel the scheduler's queued jobs, only ``project``'s when given (never another
        project's); return their ids. ``NotFoundError`` for an unknown project."""

    def set_priority(self, job_id: str, priority: int) -> Job:
        """Change a job's priority."""

    # -- params and tags --------------------------------------------------------------------
    def set_params(self, job_id: str, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Merge ``params`` into the job's params; return all of them."""

    def delete_param(self, job_id: str, key: str) -> None:
        """Remove a param; ``NotFoundError`` when the job has no such param."""

    def set_tags(self, job_id: str, tags: Mapping[str, str]) -> dict[str, str]:
        """Merge ``tags`` into the job's tags; return all of them."""

    def delete_tag(self, job_id: str, key: str) -> None:
        """Remove a tag; ``NotFoundError`` when the job has no such tag."""

    # -- metrics ----------------------------------------------------------------------------
    def append_metrics(
        self, job_id: str, batches: Sequence[SeriesBatch], *, batch_id: str | None = None
    ) -> int:
        """Append points and update summaries in one transaction. A ``batch_id`` seen before
        for this job stores nothing and returns 0; otherwise returns the points stored."""

    def read_series(
        self,
        job_id: str,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> Series:
        """The points of one metric in step order within the inclusive step range. With
        ``max_points``, at most that many points, keeping each bucket's min and max so no
        spike is lost."""

    def list_metric_keys(self, project: str) -> list[str]:
        """Every metric key used by the project's jobs (for completion and column choosers)."""

    def list_param_keys(self, project: str) -> list[str]:
        """Every param key used by the project's jobs."""

    def list_tag_keys(self, project: str) -> list[str]:
        """Every tag key used by the project's jobs."""

    # -- artifacts --------------------------------------------------------------------------
    def record_artifact(
        self,
        job_id: str,
        *,
        path: str,
        kind: ArtifactKind,
        mime: str,
        size: int,
        sha256: str,
        step: int | None = None,
    ) -> Artifact:
        """Record (or replace) the metadata of a stored artifact file."""

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's artifacts by path."""

    def get_artifact(self, job_id: str, path: str) -> Artifact:
        """One artifact's metadata."""
