"""Batch series reads on SQLite and PostgreSQL: equal to the single reads, also after writes
to finished jobs (by this store, or by another process's store on the same database, which
the cache cannot hear of), and after a deletion; the cache stays within its size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from atlas.domain import JobSpec, JobStatus, Series
from atlas.store.api import SeriesBatch
from atlas.store.series_cache import SeriesCache, SeriesRange, SeriesVersion
from atlas.store.sql_store import SqlStore
from atlas.store.tables import CHUNK_POINTS

OPTIONS: list[dict[str, int | None]] = [
    {"max_points": 300},
    {"max_points": 50, "min_step": 1000, "max_step": 9000},
    {"max_points": None, "min_step": 20_000},  # past every step: empty series
]


def log(store: SqlStore, job_id: str, key: str, start: int, count: int) -> None:
    steps = list(range(start, start + count))
    values = [float((s * 7919) % 1000) for s in steps]
    store.append_metrics(job_id, [SeriesBatch(key, steps, [float(s) for s in steps], values)])


@pytest.fixture
def finished(store: SqlStore) -> tuple[SqlStore, list[str]]:
    """Three completed jobs: two with ``loss`` and ``acc`` over chunks, one with ``acc``."""
    store.upgrade()
    ids = []
    for index in range(3):
        spec = JobSpec(project="p", name=f"j{index}")
        job_id = store.create_job(spec, status=JobStatus.RUNNING).id
        if index != 2:
            log(store, job_id, "loss", 0, 2 * CHUNK_POINTS + 100)
        log(store, job_id, "acc", 0, 3000 + index)
        store.set_status(job_id, JobStatus.COMPLETED)
        ids.append(job_id)
    return store, ids


def assert_equal_to_single(store: SqlStore, ids: list[str], **options: int | None) -> None:
    keys = ["loss", "acc", "none"]
    found = store.read_many_series([*ids, "0123456789abcdef"], keys, **options)
    expected = [
        (job_id, key) for job_id in ids for key in keys if key in store.get_job(job_id).metrics
    ]
    assert [(read.job_id, read.series.key) for read in found] == expected
    for read in found:
        assert read.series == store.read_series(read.job_id, read.series.key, **options)


@pytest.mark.parametrize("options", OPTIONS)
def test_a_batch_equals_the_single_reads_again_after_writes(
    finished: tuple[SqlStore, list[str]], options: dict[str, int | None]
) -> None:
    store, ids = finished
    assert_equal_to_single(store, ids, **options)
    assert_equal_to_single(store, ids, **options)  # from the cache
    log(store, ids[0], "loss", 2 * CHUNK_POINTS + 100, 5000)  # a finished job logs again
    log(store, ids[2], "loss", 0, 10)
    assert_equal_to_single(store, ids, **options)
    store.delete_job(ids[1])
    assert_equal_to_single(store, [ids[0], ids[2]], **options)


def test_writes_by_another_store_are_seen(finished: tuple[SqlStore, list[str]]) -> None:
    store, ids = finished
    before = store.read_many_series(ids, ["acc"], max_points=100)
    other = SqlStore(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        log(other, ids[0], "acc", 3000, 3000)
        other.delete_job(ids[1])
    finally:
        other.close()
    after = store.read_many_series(ids, ["acc"], max_points=100)
    assert [read.job_id for read in after] == [ids[0], ids[2]]
    assert before[0].series.total == 3000
    assert after[0].series == store.read_series(ids[0], "acc", max_points=100)
    assert after[0].series.total == 6000


def series(points: int) -> Series:
    steps = list(range(points))
    return Series("k", steps, [0.0] * points, [0.0] * points, points, False)


def test_the_cache_keeps_the_recent_entries_within_its_size() -> None:
    cache = SeriesCache(max_bytes=100_000)
    asked = SeriesRange(min_step=None, max_step=None, max_points=300)
    version = SeriesVersion(300, datetime(2026, 1, 1, tzinfo=UTC))
    for index in range(10):
        cache.put(f"job{index}", "k", asked, version, series(300))
        assert cache.get("job0", "k", asked, version) is not None  # used: stays
        assert cache.size <= 100_000
    assert cache.get("job1", "k", asked, version) is None  # evicted
    assert cache.get("job9", "k", asked, version) is not None
    newer = SeriesVersion(301, version.updated_at)
    assert cache.get("job9", "k", asked, newer) is None
    assert cache.get("job9", "k", asked, version) is None  # the stale entry is gone
    cache.drop_job("job0")
    assert cache.get("job0", "k", asked, version) is None
    cache.put("big", "k", asked, version, series(10_000))  # larger than the whole cache
    assert cache.get("big", "k", asked, version) is None
