"""Filling Atlas's store with the job-listing corpus, fast (set-up, not measured).

The schema is made by ``SqlStore(url).upgrade()`` exactly as the server makes it; the rows go
in with SQLAlchemy Core bulk inserts into the tables of ``atlas.store.tables``, encoded the way
the store encodes them (``encode_param``), in one transaction per slice of jobs. The jobs are
``bench.peers.corpus.jobs``: 20 params and 10 metric summaries each, the same generator the
MLflow side is filled from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert

from atlas.domain import JobKind, JobStatus, new_job_id
from atlas.store.sql_store import SqlStore
from atlas.store.tables import JobRow, MetricSummaryRow, ParamRow, ProjectRow
from atlas.store.validation import encode_param
from bench.peers.corpus import JobRecord, jobs

__all__ = ["populate_jobs"]

SLICE = 5_000  # jobs per transaction: bounded memory, few commits


def populate_jobs(url: str, project: str, count: int) -> None:
    """Create the schema at ``url`` and ``count`` completed jobs in ``project``."""
    store = SqlStore(url)
    try:
        store.upgrade()
        store.create_project(project)
        with store.engine.begin() as conn:
            project_id = int(
                conn.execute(ProjectRow.__table__.select().where(ProjectRow.name == project))
                .one()
                .id
            )
        newest = datetime.now(UTC)
        records = list(jobs(count))
        for first in range(0, count, SLICE):
            with store.engine.begin() as conn:
                _insert_slice(conn, project_id, records[first : first + SLICE], newest)
    finally:
        store.close()


def _insert_slice(
    conn: Connection, project_id: int, records: list[JobRecord], newest: datetime
) -> None:
    job_rows: list[dict[str, object]] = []
    param_rows: list[dict[str, object]] = []
    summary_rows: list[dict[str, object]] = []
    for record in records:
        created = newest - timedelta(minutes=record.index)  # one job a minute, newest first
        job_id = new_job_id(created.timestamp())
        job_rows.append(_job_row(job_id, project_id, record, created))
        param_rows.extend(_param_rows(job_id, project_id, record))
        summary_rows.extend(_summary_rows(job_id, project_id, record, created))
    _bulk(conn, JobRow.__table__, job_rows)
    _bulk(conn, ParamRow.__table__, param_rows)
    _bulk(conn, MetricSummaryRow.__table__, summary_rows)


def _bulk(conn: Connection, table: Any, rows: list[dict[str, object]]) -> None:
    assert isinstance(table, Table)
    conn.execute(insert(table), rows)


def _job_row(
    job_id: str, project_id: int, record: JobRecord, created: datetime
) -> dict[str, object]:
    finished = created + timedelta(seconds=30 + record.index % 1800)
    return {
        "id": job_id,
        "project_id": project_id,
        "name": f"sweep-{record.index:06d}",
        "user": ("ana", "ben", "chloe", "dev")[record.index % 4],
        "kind": JobKind.LOCAL.value,
        "status": JobStatus.COMPLETED.value,
        "command": "python train.py",
        "priority": 0,
        "created_at": created,
        "started_at": created,
        "finished_at": finished,
        "exit_code": 0,
        "git_json": "{}",
        "environment_json": "{}",
        "resources_json": "{}",
    }


def _param_rows(job_id: str, project_id: int, record: JobRecord) -> Iterable[dict[str, object]]:
    for key, value in record.params.items():
        value_json, value_num, value_text = encode_param(key, value)
        yield {
            "job_id": job_id,
            "key": key,
            "project_id": project_id,
            "value_json": value_json,
            "value_num": value_num,
            "value_text": value_text,
        }


def _summary_rows(
    job_id: str, project_id: int, record: JobRecord, created: datetime
) -> Iterable[dict[str, object]]:
    for key, (last, low, high, count) in record.metrics.items():
        yield {
            "job_id": job_id,
            "key": key,
            "project_id": project_id,
            "last": last,
            "last_step": count - 1,
            "min": low,
            "max": high,
            "count": count,
            "updated_at": created,
        }
