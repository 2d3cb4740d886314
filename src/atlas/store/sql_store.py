"""``SqlStore``: the ``Store`` on SQLite or PostgreSQL through SQLAlchemy Core.

Each method runs one transaction: reads in a plain one, writes in one that takes the write
lock first (``engine.writer``), so a method either does all it says or nothing. The work is
done by the modules named after what they own (``projects``, ``jobs``, ``attributes``,
``metrics``, ``job_pages``, ``artifact_records``); this class opens the transactions. The
accounts (users, sessions, tokens, members, audit) are inherited from ``SqlAccounts``, the
sweeps from ``SqlSweeps``, the workspace's views and many-job reads from ``SqlWorkspace``,
notification rules and deliveries from ``SqlNotifications``, recurring jobs from
``SqlSchedules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine

from atlas.domain import (
    Artifact,
    ArtifactKind,
    Heartbeat,
    Job,
    JobError,
    JobSpec,
    JobStatus,
    MediaKey,
    Note,
    Page,
    ParamValue,
    Project,
    Series,
)
from atlas.errors import InvalidInputError
from atlas.names import MAX_VERSIONS_LISTED
from atlas.settings import Settings
from atlas.store import (
    artifact_records,
    attributes,
    job_pages,
    jobs,
    liveness,
    members,
    metrics,
    projects,
    queue,
    requeue,
    schema,
    sweeps,
)
from atlas.store.api import (
    ActiveJob,
    JobQuery,
    QueuedJob,
    QueueSummary,
    SeriesBatch,
)
from atlas.store.conversions import utc_now
from atlas.store.engine import make_engine, writer
from atlas.store.job_values import ColumnCache
from atlas.store.notification_store import SqlNotifications
from atlas.store.project_cache import ProjectCache
from atlas.store.schedule_store import SqlSchedules
from atlas.store.series_cache import SeriesCache
from atlas.store.workspace_store import SqlWorkspace

__all__ = ["KEYS_CACHE_BYTES", "SqlStore"]

KEYS_CACHE_BYTES = 8 * 1024 * 1024
"""What a store's cache of projects' keys may hold (a key counts as a column's entry)."""


class SqlStore(SqlWorkspace, SqlNotifications, SqlSchedules):
    """The metadata store in the database at ``url`` (``sqlite:///path``,
    ``postgresql://...``). Call :meth:`upgrade` once before use. Safe to share between
    threads."""

    def __init__(self, url: str, *, query_timeout: float | None = None) -> None:
        """``query_timeout``: seconds the database may work on a job listing before
        ``list_jobs`` stops it (default: the ``query_timeout`` setting's default)."""
        self._engine = make_engine(url)
        self._writer = writer(self._engine)
        self._query_timeout = _query_timeout(query_timeout)
        self._series_cache = SeriesCache()
        self._column_cache = ColumnCache()
        self._keys_cache = ProjectCache[list[str]](KEYS_CACHE_BYTES)

    @classmethod
    def from_engine(cls, engine: Engine, *, query_timeout: float | None = None) -> SqlStore:
        """A store over an existing engine (made with ``engine.make_engine``)."""
        store = cls.__new__(cls)
        store._engine = engine
        store._writer = writer(engine)
        store._query_timeout = _query_timeout(query_timeout)
        store._series_cache = SeriesCache()
        store._column_cache = ColumnCache()
        store._keys_cache = ProjectCache[list[str]](KEYS_CACHE_BYTES)
        return store

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for migrations, benchmarks and tests)."""
        return self._engine

    def __repr__(self) -> str:
        return f"SqlStore({self._engine.url.render_as_string(hide_password=True)!r})"

    # -- life cycle -------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version (Alembic)."""
        schema.upgrade(self._engine)

    def close(self) -> None:
        """Release connections."""
        self._engine.dispose()

    # -- projects ---------------------------------------------------------------------------
    def create_project(
        self, name: str, *, description: str = "", owner: str | None = None
    ) -> Project:
        """Create a project (``owner``, a user, owns it); ``ConflictError`` when the name is
        taken, ``NotFoundError`` for an unknown owner."""
        with self._write() as conn:
            pid = projects.create_project(conn, name, description=description)
            if owner is not None:
                members.add_owner(conn, pid, owner)
            return projects.get_project(conn, pid)

    def ensure_project(self, name: str, *, owner: str | None = None) -> Project:
        """Return the project, creating it when missing (race-safe); ``owner`` owns a
        project this call creates."""
        with self._write() as conn:
            pid, created = projects.ensure_project(conn, name)
            if created and owner is not None:
                members.add_owner(conn, pid, owner)
            return projects.get_project(conn, pid)

    def get_project(self, name: str) -> Project:
        """The project with job counts by status and last activity."""
        with self._read() as conn:
            return projects.get_project(conn, projects.project_id(conn, name))

    def list_projects(self) -> list[Project]:
        """Every project, most recently active first."""
        with self._read() as conn:
            return projects.list_projects(conn)

    def rename_project(self, name: str, new_name: str) -> Project:
        """Rename; ``ConflictError`` when ``new_name`` is taken."""
        with self._write() as conn:
            return projects.get_project(conn, projects.rename_project(conn, name, new_name))

    def delete_project(self, name: str) -> list[str]:
        """Delete the project, its jobs and their rows; return the deleted job ids."""
        with self._write() as conn:
            return projects.delete_project(conn, name)

    def set_description(self, name: str, markdown: str) -> Project:
        """Replace the project's markdown description."""
        with self._write() as conn:
            return projects.get_project(conn, projects.set_description(conn, name, markdown))

    def add_note(self, name: str, *, author: str, text: str) -> Note:
        """Add a dated note to the project."""
        with self._write() as conn:
            return projects.add_note(conn, name, author=author, text=text)

    def list_notes(self, name: str) -> list[Note]:
        """The project's notes, newest first."""
        with self._read() as conn:
            return projects.list_notes(conn, name)

    # -- jobs -------------------------------------------------------------------------------
    def create_job(
        self,
        spec: JobSpec,
        *,
        status: JobStatus | None = None,
        job_id: str | None = None,
        started_at: datetime | None = None,
    ) -> Job:
        """Create the job ``spec`` describes; see ``Store.create_job``."""
        with self._write() as conn:
            job_id = jobs.insert_job(
                conn, spec, status=status, job_id=job_id, started_at=started_at
            )
            return job_pages.get_job(conn, job_id)

    def get_job(self, job_id: str) -> Job:
        """The job with its params, tags and metric summaries."""
        with self._read() as conn:
            return job_pages.get_job(conn, job_id)

    def job_project(self, job_id: str) -> str:
        """The name of the job's project (one indexed lookup)."""
        with self._read() as conn:
            return jobs.job_project(conn, job_id)

    def list_jobs(self, project: str, query: JobQuery) -> Page[Job]:
        """A page of the project's jobs, filtered and sorted in SQL (see ``Store``)."""
        with self._read() as conn:
            return job_pages.list_jobs(conn, project, query, time_limit=self._query_timeout)

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
        (``InvalidTransitionError`` otherwise) and stamps started_at/finished_at. Setting
        the status a job already has changes nothing (a retried report)."""
        with self._write() as conn:
            jobs.update_job(
                conn, job_id, name=name, status=status, exit_code=exit_code, error=error, at=at
            )
            return job_pages.get_job(conn, job_id)

    def set_status(
        self,
        job_id: str,
        status: JobStatus,
        *,
        exit_code: int | None = None,
        error: JobError | None = None,
        at: datetime | None = None,
    ) -> None:
        """``update_job`` for a status change alone, without reading the job back (the
        scheduler's path: one transaction, no params/tags/summaries loaded)."""
        with self._write() as conn:
            jobs.update_job(conn, job_id, status=status, exit_code=exit_code, error=error, at=at)

    def delete_job(self, job_id: str) -> None:
        """Delete the job and its rows (the caller removes its files)."""
        with self._write() as conn:
            jobs.delete_job(conn, job_id)
        self._series_cache.drop_job(job_id)

    # -- liveness of tracked scripts --------------------------------------------------------
    def record_heartbeat(self, job_id: str) -> Heartbeat:
        """Note that the job's process is alive now (a lost ``local`` job runs again)."""
        with self._write() as conn:
            return liveness.record_heartbeat(conn, job_id, utc_now())

    def mark_silent_lost(self, *, before: datetime, error: JobError) -> list[str]:
        """Mark lost every running ``local`` job last heard from before ``before``."""
        with self._write() as conn:
            return liveness.mark_silent_lost(conn, before=before, error=error)

    # -- the scheduler's jobs ---------------------------------------------------------------
    def submit_job(self, spec: JobSpec) -> Job:
        """Create the scheduler's job ``spec`` describes as ``queued``; a job of a sweep
        (``sweep_id``) is recorded as its next trial in the same transaction."""
        with self._write() as conn:
            job_id = queue.insert_submission(conn, spec)
            if spec.sweep_id is not None:
                sweeps.insert_trial(conn, spec.sweep_id, job_id, spec.params)
            return job_pages.get_job(conn, job_id)

    def list_queued(self) -> list[QueuedJob]:
        """The scheduler's queued jobs, compactly (any order)."""
        with self._read() as conn:
            return queue.list_queued(conn)

    def queue_summary(self) -> QueueSummary:
        """Count, latest queue time and priority sum of the scheduler's queued jobs."""
        with self._read() as conn:
            return queue.queue_summary(conn)

    def list_active(self) -> list[ActiveJob]:
        """The scheduler's starting and running jobs with their launch records."""
        with self._read() as conn:
            return queue.list_active(conn)

    def start_job(self, job_id: str, *, resources: Mapping[str, object]) -> Job:
        """Move a queued job to ``starting`` with the resources it was given."""
        with self._write() as conn:
            queue.start_job(conn, job_id, resources)
            return job_pages.get_job(conn, job_id)

    def record_launch(
        self,
        job_id: str,
        *,
        launch: Mapping[str, object],
        pid: int | None = None,
        pgid: int | None = None,
    ) -> None:
        """Keep the executor's launch record of a starting job."""
        with self._write() as conn:
            queue.record_launch(conn, job_id, launch=launch, pid=pid, pgid=pgid)

    def requeue_job(
        self,
        job_id: str,
        *,
        status: JobStatus,
        exit_code: int | None = None,
        error: JobError | None = None,
        not_before: datetime,
    ) -> Job:
        """Queue a job again after a failed or lost attempt (see ``Store.requeue_job``)."""
        with self._write() as conn:
            requeue.requeue_job(
                conn,
                job_id,
                status=status,
                exit_code=exit_code,
                error=error,
                not_before=not_before,
            )
            return job_pages.get_job(conn, job_id)

    def get_jobs(self, job_ids: Sequence[str]) -> list[Job]:
        """The jobs ``job_ids`` in that order (unknown ids left out)."""
        with self._read() as conn:
            return job_pages.load_jobs(conn, job_ids)

    def cancel_queued(self, project: str | None = None) -> list[str]:
        """Cancel the scheduler's queued jobs (only ``project``'s when given)."""
        with self._write() as conn:
            return queue.cancel_queued(conn, project, utc_now())

    def set_priority(self, job_id: str, priority: int) -> Job:
        """Change a job's priority."""
        with self._write() as conn:
            queue.set_priority(conn, job_id, priority)
            return job_pages.get_job(conn, job_id)

    # -- params and tags --------------------------------------------------------------------
    def set_params(self, job_id: str, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Merge ``params`` into the job's params; return all of them."""
        with self._write() as conn:
            project_id = jobs.lock_job(conn, job_id)
            attributes.write_params(conn, job_id, project_id, params)
            projects.touch_project(conn, project_id)
            return attributes.load_params(conn, [job_id])[job_id]

    def delete_param(self, job_id: str, key: str) -> None:
        """Remove a param; ``NotFoundError`` when the job has no such param."""
        self._delete_key("param", job_id, key)

    def set_tags(self, job_id: str, tags: Mapping[str, str]) -> dict[str, str]:
        """Merge ``tags`` into the job's tags; return all of them."""
        with self._write() as conn:
            project_id = jobs.lock_job(conn, job_id)
            attributes.write_tags(conn, job_id, project_id, tags)
            projects.touch_project(conn, project_id)
            return attributes.load_tags(conn, [job_id])[job_id]

    def delete_tag(self, job_id: str, key: str) -> None:
        """Remove a tag; ``NotFoundError`` when the job has no such tag."""
        self._delete_key("tag", job_id, key)

    def _delete_key(self, kind: str, job_id: str, key: str) -> None:
        with self._write() as conn:
            project_id = jobs.lock_job(conn, job_id)
            attributes.delete_key(conn, kind, job_id, key)
            projects.touch_project(conn, project_id)

    # -- metrics ----------------------------------------------------------------------------
    def append_metrics(
        self, job_id: str, batches: Sequence[SeriesBatch], *, batch_id: str | None = None
    ) -> int:
        """Append points and update summaries in one transaction. A ``batch_id`` seen before
        for this job stores nothing and returns 0; otherwise returns the points stored."""
        try:
            with self._write() as conn:
                return metrics.append_metrics(conn, job_id, batches, batch_id)
        finally:
            self._series_cache.drop_job(job_id)

    def read_series(
        self,
        job_id: str,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> Series:
        """The points of one metric in step order within the inclusive step range; with
        ``max_points``, at most that many, keeping each bucket's extremes."""
        with self._read() as conn:
            return metrics.read_series(
                conn, job_id, key, min_step=min_step, max_step=max_step, max_points=max_points
            )

    def list_metric_keys(self, project: str) -> list[str]:
        """Every metric key used by the project's jobs."""
        return self._list_keys("metric", project)

    def list_param_keys(self, project: str) -> list[str]:
        """Every param key used by the project's jobs."""
        return self._list_keys("param", project)

    def list_tag_keys(self, project: str) -> list[str]:
        """Every tag key used by the project's jobs."""
        return self._list_keys("tag", project)

    def _list_keys(self, kind: str, project: str) -> list[str]:
        with self._read() as conn:
            version = projects.project_version(conn, project)
            kept = self._keys_cache.get(version, kind)
            if kept is None:
                kept = attributes.list_keys(conn, kind, version.project_id)
                self._keys_cache.put(version, kind, kept, items=len(kept))
            return list(kept)

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
        caption: str | None = None,
    ) -> Artifact:
        """Record (or replace) the metadata of a stored artifact file: the latest save of
        ``path`` and, with a ``step``, that step's version (docs/media.md)."""
        with self._write() as conn:
            return artifact_records.record_artifact(
                conn,
                job_id,
                path=path,
                kind=kind,
                mime=mime,
                size=size,
                sha256=sha256,
                step=step,
                caption=caption,
            )

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's artifacts by path."""
        with self._read() as conn:
            return artifact_records.list_artifacts(conn, job_id)

    def get_artifact(self, job_id: str, path: str) -> Artifact:
        """One artifact's metadata."""
        with self._read() as conn:
            return artifact_records.get_artifact(conn, job_id, path)

    def list_artifact_versions(
        self,
        job_id: str,
        path: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        limit: int = MAX_VERSIONS_LISTED,
    ) -> list[Artifact]:
        """The versions of the artifact ``path`` by step, at most ``limit`` within the
        inclusive step range; ``NotFoundError`` for an unknown job or path."""
        with self._read() as conn:
            return artifact_records.list_versions(
                conn, job_id, path, min_step=min_step, max_step=max_step, limit=limit
            )

    def get_artifact_version(self, job_id: str, path: str, step: int) -> Artifact:
        """The version of ``path`` saved at ``step``, or ``NotFoundError``."""
        with self._read() as conn:
            return artifact_records.get_version(conn, job_id, path, step)

    def find_artifact_version_at(self, job_id: str, path: str, step: int | None) -> Artifact | None:
        """The version of ``path`` at the greatest step at or before ``step`` (without
        ``step``: the latest save), or None; ``NotFoundError`` for an unknown job."""
        with self._read() as conn:
            return artifact_records.find_version_at(conn, job_id, path, step)

    def list_media(self, job_id: str) -> list[MediaKey]:
        """The job's media keys with every step kept (docs/media.md)."""
        with self._read() as conn:
            return artifact_records.list_media(conn, job_id)


def _query_timeout(seconds: float | None) -> float:
    if seconds is None:
        return Settings().query_timeout
    if not seconds > 0:
        raise InvalidInputError(
            f"query_timeout must be a positive number of seconds, not {seconds}"
        )
    return seconds
