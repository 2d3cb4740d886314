"""Liveness of tracked scripts in the store: heartbeats, silent jobs marked lost, lost jobs
that report again, and the times a client reports (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from atlas.domain import JobError, JobKind, JobSpec, JobStatus
from atlas.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from atlas.store import schema
from atlas.store.sql_store import SqlStore
from atlas.store.tables import jobs_table, projects_table

WHY = JobError(type="Lost", message="no heartbeat from the tracked process for 120 s")


def later(seconds: float = 1.0) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_a_silent_running_script_is_marked_lost_with_the_reason(store: SqlStore) -> None:
    job = store.create_job(JobSpec("live"))
    assert store.mark_silent_lost(before=job.created_at, error=WHY) == []
    assert store.mark_silent_lost(before=later(), error=WHY) == [job.id]
    lost = store.get_job(job.id)
    assert lost.status == JobStatus.LOST
    assert lost.error == WHY
    assert lost.finished_at is not None
    assert lost.finished_at <= datetime.now(UTC)
    assert store.mark_silent_lost(before=later(), error=WHY) == []  # once


def test_only_running_local_jobs_are_ever_marked_lost(store: SqlStore) -> None:
    scheduled = store.create_job(JobSpec("live", kind=JobKind.SCHEDULED, command="true"))
    store.update_job(scheduled.id, status=JobStatus.RUNNING)
    done = store.create_job(JobSpec("live"))
    store.update_job(done.id, status=JobStatus.COMPLETED)
    queued = store.create_job(JobSpec("live"), status=JobStatus.QUEUED)
    assert store.mark_silent_lost(before=later(), error=WHY) == []
    statuses = [store.get_job(j.id).status for j in (scheduled, done, queued)]
    assert statuses == [JobStatus.RUNNING, JobStatus.COMPLETED, JobStatus.QUEUED]


def test_a_heartbeat_keeps_a_job_alive_and_brings_a_lost_one_back(store: SqlStore) -> None:
    job = store.create_job(JobSpec("live"))
    cutoff = later(0.5)
    beat = store.record_heartbeat(job.id)
    assert (beat.status, beat.kind) == (JobStatus.RUNNING, JobKind.LOCAL)
    assert (
        store.mark_silent_lost(before=job.created_at + timedelta(microseconds=1), error=WHY) == []
    )
    assert store.mark_silent_lost(before=cutoff + timedelta(seconds=1), error=WHY) == [job.id]
    assert store.record_heartbeat(job.id).status == JobStatus.RUNNING
    back = store.get_job(job.id)
    assert (back.status, back.error, back.finished_at) == (JobStatus.RUNNING, None, None)
    assert back.started_at == job.started_at


def test_a_lost_scheduled_job_stays_lost(store: SqlStore) -> None:
    job = store.create_job(JobSpec("live", kind=JobKind.SCHEDULED, command="true"))
    store.update_job(job.id, status=JobStatus.RUNNING)
    store.update_job(job.id, status=JobStatus.LOST, error=WHY)
    assert store.record_heartbeat(job.id).status == JobStatus.LOST
    with pytest.raises(InvalidTransitionError):
        store.update_job(job.id, status=JobStatus.RUNNING)
    assert store.get_job(job.id).error == WHY


def test_a_lost_script_that_reports_its_end_takes_it_without_the_lost_reason(
    store: SqlStore,
) -> None:
    job = store.create_job(JobSpec("live"))
    store.mark_silent_lost(before=later(), error=WHY)
    ended = store.update_job(job.id, status=JobStatus.COMPLETED, exit_code=0)
    assert (ended.status, ended.exit_code, ended.error) == (JobStatus.COMPLETED, 0, None)
    other = store.create_job(JobSpec("live"))
    store.mark_silent_lost(before=later(), error=WHY)
    failure = JobError(type="ValueError", message="bad lr")
    failed = store.update_job(other.id, status=JobStatus.FAILED, exit_code=1, error=failure)
    assert (failed.status, failed.error) == (JobStatus.FAILED, failure)


def test_a_heartbeat_for_an_unknown_job_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        store.record_heartbeat("0123456789abcdef")


def test_a_client_keeps_its_own_start_and_end_times(store: SqlStore) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    job = store.create_job(JobSpec("offline"), started_at=start)
    assert (job.created_at, job.started_at) == (start, start)
    end = start + timedelta(seconds=2.6)
    done = store.update_job(job.id, status=JobStatus.COMPLETED, exit_code=0, at=end)
    assert (done.started_at, done.finished_at) == (start, end)


def test_reported_times_in_the_future_or_before_the_start_are_refused(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="future"):
        store.create_job(JobSpec("offline"), started_at=later(3600))
    with pytest.raises(InvalidInputError, match="not started"):
        store.create_job(JobSpec("offline"), status=JobStatus.QUEUED, started_at=later(-5))
    start = datetime.now(UTC) - timedelta(minutes=5)
    job = store.create_job(JobSpec("offline"), started_at=start)
    with pytest.raises(InvalidInputError, match="before the job started"):
        store.update_job(job.id, status=JobStatus.COMPLETED, at=start - timedelta(seconds=1))
    with pytest.raises(InvalidInputError, match="future"):
        store.update_job(job.id, status=JobStatus.COMPLETED, at=later(3600))
    assert store.get_job(job.id).status == JobStatus.RUNNING


def test_the_upgrade_counts_running_scripts_as_seen_at_that_moment(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(store.engine, "0002")
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(insert(projects_table).values(id=1, name="old", created_at=now))
        for job_id, kind, status in (
            ("0000000000000001", "local", "running"),
            ("0000000000000002", "scheduled", "running"),
            ("0000000000000003", "local", "completed"),
        ):
            row = {"id": job_id, "project_id": 1, "kind": kind, "status": status}
            conn.execute(insert(jobs_table).values(created_at=now, **row))
    before = datetime.now(UTC)
    store.upgrade()
    with store.engine.connect() as conn:
        seen = dict(conn.execute(select(jobs_table.c.id, jobs_table.c.last_seen_at)).all())
    assert seen["0000000000000001"] is not None
    assert seen["0000000000000001"] >= before
    assert seen["0000000000000002"] is None
    assert seen["0000000000000003"] is None
    assert store.mark_silent_lost(before=before, error=WHY) == []
    assert store.mark_silent_lost(before=later(), error=WHY) == ["0000000000000001"]
    store.close()
