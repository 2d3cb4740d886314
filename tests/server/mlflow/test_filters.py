"""MLflow's search filters and orders in Atlas's query language (docs/mlflow.md), and what
they find in a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.server.mlflow.filters import atlas_filter, atlas_sort
from atlas.server.mlflow.wire import ms, run_json
from atlas.store.api import JobQuery
from atlas.store.sql_store import SqlStore


@pytest.mark.parametrize(
    ("mlflow", "atlas"),
    [
        ("", ""),
        ("metrics.acc > 0.9", "metrics.`acc` > 0.9"),
        ("metric.`val loss` <= 1", "metrics.`val loss` <= 1.0"),
        ("params.lr = '0.01'", "params.`lr` = 0.01"),
        ('params.layers != "3"', "params.`layers` != 3"),
        ("params.opt = 'adam'", 'params.`opt` = "adam"'),
        ("params.lr = '1e-3'", 'params.`lr` = "1e-3"'),
        (
            "tags.stage = 'prod' AND metrics.loss < 2",
            'tags.`stage` = "prod" and metrics.`loss` < 2.0',
        ),
        ("tags.\"mlflow.user\" LIKE 'an%'", 'tags.`mlflow.user` ~ "^an.*$"'),
        ("tags.team ILIKE '_x'", 'tags.`team` ~ "(?i)^.x$"'),
        ("attributes.status = 'FINISHED'", 'status in ("completed")'),
        ("status IN ('FAILED', 'KILLED')", 'status in ("failed", "lost", "cancelled")'),
        ("status != 'SCHEDULED'", 'status not in ("queued", "starting")'),
        ("attributes.status LIKE 'FIN%'", 'status in ("completed")'),
        (
            "attributes.status ILIKE '%ed'",
            'status in ("queued", "starting", "completed", "failed", "lost", "cancelled")',
        ),
        ("attributes.status LIKE 'DONE'", 'id = ""'),
        ("attributes.run_name = 'first'", 'name = "first"'),
        ("run.run_id NOT IN ('abc')", 'id not in ("abc")'),
        (
            "attributes.start_time > 0",
            '(started_at > "1970-01-01T00:00:00+00:00" or started_at = null and '
            'created_at > "1970-01-01T00:00:00+00:00")',
        ),
    ],
)
def test_filters_translate(mlflow: str, atlas: str) -> None:
    assert atlas_filter(mlflow) == atlas


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.acc >", "metrics.acc > needs a value"),
        ("metrics.acc > 1 or metrics.acc < 0", "OR is not supported"),
        ("datasets.digest = 'x'", "filters on 'datasets' are not supported"),
        ("and", "expected a field"),
        ("'x'", "expected a field"),
        ("tags.a LIKE", "tags.a like needs a value"),
        ("tags.a NOT", "tags.a needs a comparison"),
        ("params.a IN (", "an IN list must end"),
        ("attributes.start_time > 1e30", "not a time in milliseconds"),
        ("attributes.end_time < -1e20", "not a time in milliseconds"),
        ("attributes.status > 'FAILED'", "a run status compares with"),
        ("attributes.status = 'DONE'", "unknown run status 'DONE'"),
    ],
)
def test_filters_atlas_cannot_run_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        atlas_filter(text)


def test_orders_translate() -> None:
    assert atlas_sort([]) == ["-created_at"]
    order = ["metrics.acc DESC", "params.lr", "attributes.start_time ASC", "tags.`a b` desc"]
    assert atlas_sort(order) == ["-metrics.`acc`", "params.`lr`", "started_at", "-tags.`a b`"]


def _job(store: SqlStore, name: str, status: JobStatus, **tags: str) -> str:
    kind = JobKind.SCHEDULED if status is JobStatus.QUEUED else JobKind.MLFLOW
    spec = JobSpec(project="p", kind=kind, name=name, tags=tags)
    created = store.create_job(
        spec, status=JobStatus.QUEUED if status is JobStatus.QUEUED else JobStatus.RUNNING
    )
    if status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        store.update_job(created.id, status=status)
    return name


@pytest.fixture
def runs(store: SqlStore) -> SqlStore:
    """Project ``p``: runs in every state MLflow tells apart, tagged."""
    _job(store, "done", JobStatus.COMPLETED, team="Vision", stage="prod")
    _job(store, "broke", JobStatus.FAILED, team="vision", stage="dev")
    _job(store, "vanished", JobStatus.LOST, team="speech")
    _job(store, "stopped", JobStatus.CANCELLED, team="speech")
    _job(store, "going", JobStatus.RUNNING, team="Vision-2")
    _job(store, "waiting", JobStatus.QUEUED)
    return store


def _found(store: SqlStore, mlflow_filter: str) -> set[str]:
    page = store.list_jobs("p", JobQuery(filter=atlas_filter(mlflow_filter), limit=100))
    return {job.name for job in page.items}


@pytest.mark.parametrize(
    ("mlflow_filter", "names"),
    [
        ("attributes.status = 'FAILED'", {"broke", "vanished"}),
        ("attributes.status != 'FAILED'", {"done", "stopped", "going", "waiting"}),
        ("attributes.status = 'SCHEDULED'", {"waiting"}),
        ("attributes.status = 'RUNNING'", {"going"}),
        ("attributes.status LIKE 'FIN%'", {"done"}),
        ("attributes.status ILIKE 'k%'", {"stopped"}),
        ("attributes.status NOT LIKE '%ED'", {"going"}),
        ("attributes.status IN ('KILLED', 'FINISHED')", {"stopped", "done"}),
        ("attributes.status LIKE 'NONE%'", set()),
        ("tags.team LIKE 'Vision%'", {"done", "going"}),
        ("tags.team ILIKE 'vision'", {"done", "broke"}),
        ("tags.team LIKE '_ision'", {"done", "broke"}),
        ("tags.team NOT LIKE 'V%'", {"broke", "vanished", "stopped"}),
        ("tags.team IN ('speech', 'vision')", {"broke", "vanished", "stopped"}),
        ("tags.team NOT IN ('speech')", {"done", "broke", "going"}),
        ("tags.stage = 'prod' AND attributes.status = 'FINISHED'", {"done"}),
    ],
)
def test_filters_find_in_the_store(runs: SqlStore, mlflow_filter: str, names: set[str]) -> None:
    assert _found(runs, mlflow_filter) == names


def test_start_time_compares_as_runs_report_it(store: SqlStore) -> None:
    """A run's ``start_time`` is its start, or its creation while it has not started: the
    filter finds what ``run_json`` reports."""
    earlier = datetime.now(UTC) - timedelta(days=3)
    old = store.create_job(
        JobSpec(project="p", kind=JobKind.MLFLOW, name="old"),
        status=JobStatus.RUNNING,
        started_at=earlier,
    )
    queued = store.create_job(JobSpec(project="p", kind=JobKind.SCHEDULED, name="queued"))
    new = store.create_job(
        JobSpec(project="p", kind=JobKind.MLFLOW, name="new"), status=JobStatus.RUNNING
    )
    cut = ms(earlier + timedelta(days=1))
    assert cut is not None
    reported = {job.name: run_json(store.get_job(job.id))["info"] for job in (old, queued, new)}
    after = {name for name, info in reported.items() if int(str(info["start_time"])) > cut}
    assert after == {"queued", "new"}
    assert _found(store, f"attributes.start_time > {cut}") == after
    assert _found(store, f"attributes.start_time <= {cut}") == {"old"}
