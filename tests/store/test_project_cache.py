"""A project's data version and what a store keeps of the project until it changes, on
SQLite and PostgreSQL: every write to the project's jobs and attributes bumps the version,
and a store answers a write made through another store instance at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from atlas.domain import JobSpec, JobStatus
from atlas.store.api import SeriesBatch
from atlas.store.project_cache import ProjectCache, ProjectVersion
from atlas.store.projects import project_version
from atlas.store.sql_store import SqlStore


def version(store: SqlStore, project: str = "hpo") -> ProjectVersion:
    with store.engine.connect() as conn:
        return project_version(conn, project)


@pytest.fixture
def other(store: SqlStore, store_url: str) -> Iterator[SqlStore]:
    """A second store on the same database (another server process, say)."""
    store.upgrade()
    opened = SqlStore(store_url)
    yield opened
    opened.close()


def test_every_write_to_the_project_bumps_its_version(store: SqlStore) -> None:
    store.upgrade()
    store.create_project("other")
    job_id = store.create_job(
        JobSpec(project="hpo", params={"lr": 0.1}), status=JobStatus.RUNNING
    ).id
    untouched = version(store, "other")
    writes = [
        lambda: store.set_params(job_id, {"lr": 0.2}),
        lambda: store.delete_param(job_id, "lr"),
        lambda: store.set_tags(job_id, {"stage": "a"}),
        lambda: store.delete_tag(job_id, "stage"),
        lambda: store.append_metrics(job_id, [SeriesBatch("loss", [0], [1.0], [0.5])]),
        lambda: store.set_status(job_id, JobStatus.COMPLETED),
        lambda: store.create_job(JobSpec(project="hpo"), status=JobStatus.RUNNING),
        lambda: store.delete_job(job_id),
    ]
    seen = [version(store)]
    for write in writes:
        write()
        seen.append(version(store))
    assert len({v.data_version for v in seen}) == len(seen)
    assert version(store, "other") == untouched


def test_keys_written_through_another_store_are_listed(store: SqlStore, other: SqlStore) -> None:
    job_id = store.create_job(
        JobSpec(project="hpo", params={"lr": 0.1}), status=JobStatus.RUNNING
    ).id
    assert (store.list_param_keys("hpo"), store.list_tag_keys("hpo")) == (["lr"], [])
    assert store.list_metric_keys("hpo") == []
    other.set_params(job_id, {"wd": 0.0})
    other.set_tags(job_id, {"stage": "prod"})
    other.append_metrics(job_id, [SeriesBatch("loss", [0], [1.0], [0.5])])
    assert (store.list_param_keys("hpo"), store.list_tag_keys("hpo")) == (["lr", "wd"], ["stage"])
    assert store.list_metric_keys("hpo") == ["loss"]
    other.delete_job(job_id)
    assert (store.list_param_keys("hpo"), store.list_metric_keys("hpo")) == ([], [])


def test_a_recreated_project_is_not_answered_from_memory(store: SqlStore, other: SqlStore) -> None:
    store.create_job(JobSpec(project="hpo", params={"lr": 0.1}), status=JobStatus.RUNNING)
    assert store.list_param_keys("hpo") == ["lr"]
    other.delete_project("hpo")
    other.create_job(JobSpec(project="hpo", params={"wd": 0.1}), status=JobStatus.RUNNING)
    assert store.list_param_keys("hpo") == ["wd"]


def stamp(project_id: int, data_version: int) -> ProjectVersion:
    return ProjectVersion(project_id, datetime(2026, 12, 5, tzinfo=UTC), data_version)


def test_the_cache_answers_only_its_version_and_stays_within_its_size() -> None:
    cache = ProjectCache[list[int]](max_bytes=2 * (256 + 10 * 100))
    cache.put(stamp(1, 1), "a", [1], items=10)
    assert cache.get(stamp(1, 1), "a") == [1]
    assert cache.get(stamp(1, 2), "a") is None
    assert cache.get(stamp(1, 1), "a") is None  # dropped when met at another version
    cache.put(stamp(1, 1), "a", [1], items=10)
    cache.put(stamp(2, 1), "a", [2], items=10)
    cache.get(stamp(1, 1), "a")  # now the most recently used
    cache.put(stamp(3, 1), "a", [3], items=10)
    assert cache.get(stamp(2, 1), "a") is None  # the least recently used went
    assert (cache.get(stamp(1, 1), "a"), cache.get(stamp(3, 1), "a")) == ([1], [3])
    assert cache.size == 2 * (256 + 10 * 100)
    cache.put(stamp(4, 1), "huge", [4], items=1_000)
    assert cache.get(stamp(4, 1), "huge") is None
