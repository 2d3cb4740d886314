"""Engines: URLs, SQLite settings, and many threads writing at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas.domain import JobSpec
from atlas.errors import InvalidInputError
from atlas.store.api import SeriesBatch
from atlas.store.engine import BUSY_TIMEOUT_MS, make_engine
from atlas.store.sql_store import SqlStore
from atlas.store.tables import CHUNK_POINTS


def test_sqlite_is_tuned_and_its_folder_made(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'atlas.db'}")
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": BUSY_TIMEOUT_MS,
    }
    assert (tmp_path / "deep" / "er" / "atlas.db").exists()
    engine.dispose()


@pytest.mark.parametrize(
    "url", ["postgresql://ana@db.example/atlas", "postgres://ana@db.example/atlas"]
)
def test_postgresql_urls_get_psycopg(url: str) -> None:
    engine = make_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.database == "atlas"
    assert make_engine("postgresql+psycopg://ana@db.example/atlas").url == engine.url


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/atlas", "not a url", "sqlite://", "sqlite:///:memory:"]
)
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        make_engine(url)


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_threads_appending_to_one_series_lose_nothing(store: SqlStore) -> None:
    job = store.create_job(JobSpec("threads")).id
    per_thread, batches = 1_500, 4

    def append(index: int) -> None:
        for batch in range(batches):
            first = (index * batches + batch) * per_thread
            steps = np.arange(first, first + per_thread, dtype=np.int64)
            store.append_metrics(job, [SeriesBatch("x", steps, steps * 1.0, steps * 1.0)])
            store.read_series(job, "x", max_points=100)

    _in_threads(6, append)
    total = 6 * batches * per_thread
    series = store.read_series(job, "x")
    assert series.steps == list(range(total))
    summary = store.get_job(job).metrics["x"]
    assert (summary.count, summary.last_step, summary.max) == (total, total - 1, total - 1.0)
    assert total > 4 * CHUNK_POINTS


def test_threads_writing_jobs_of_one_project(store: SqlStore) -> None:
    def work(index: int) -> None:
        for number in range(5):
            job = store.create_job(JobSpec("busy", params={"i": index, "n": number}))
            store.set_tags(job.id, {"t": str(index)})
            store.append_metrics(job.id, [SeriesBatch("m", [0], [0.0], [1.0])], batch_id="b")
            store.list_projects()

    _in_threads(8, work)
    assert store.get_project("busy").job_count == 40
