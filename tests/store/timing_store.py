"""Local timing of the store's hot paths (not a test; run by hand).

    .venv/bin/python tests/store/timing_store.py [--url sqlite:///tmp/x.db] [--listing]

Metrics: ingest 10^6 points of one key in batches of 50,000 (numpy arrays, as the server
decodes them), then read the series downsampled to 1,000 points. Targets (SQLite, 2 cores):
ingest >= 500,000 points/s end to end through the server (so the store alone must be well
above), a downsampled read <= 50 ms. ``--listing`` also builds a 100,000-job project (20
params, 10 metrics each) and times a page of 100 jobs filtered on a param and sorted on a
metric (target <= 150 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from atlas.domain import JobSpec, new_job_id
from atlas.store.api import JobQuery, SeriesBatch
from atlas.store.sql_store import SqlStore
from atlas.store.tables import jobs_table, params_table, projects_table, summaries_table

POINTS = 1_000_000
BATCH = 50_000


def _best_of(runs: int, action: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def time_metrics(store: SqlStore) -> None:
    job = store.create_job(JobSpec("timing", name="metrics"))
    steps = np.arange(POINTS, dtype=np.int64)
    times = 1.7e9 + steps * 0.001
    values = np.sin(steps / 1000.0) + np.random.default_rng(0).normal(0, 0.1, POINTS)
    values[123_456] = 50.0  # a spike that must survive downsampling
    start = time.perf_counter()
    for offset in range(0, POINTS, BATCH):
        part = slice(offset, offset + BATCH)
        batch = SeriesBatch("loss", steps[part], times[part], values[part])
        store.append_metrics(job.id, [batch], batch_id=f"b{offset}")
    elapsed = time.perf_counter() - start
    print(
        f"ingest: {POINTS:,} points in {elapsed * 1000:.0f} ms = {POINTS / elapsed:,.0f} points/s"
    )
    best, median = _best_of(20, lambda: store.read_series(job.id, "loss", max_points=1000))
    series = store.read_series(job.id, "loss", max_points=1000)
    assert max(series.values) == 50.0
    assert len(series.values) <= 1000
    print(
        f"read 10^6 -> {len(series.values)} points: "
        f"best {best * 1000:.1f} ms, median {median * 1000:.1f} ms"
    )
    best, median = _best_of(5, lambda: store.read_series(job.id, "loss"))
    print(f"read 10^6 points whole: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms")
    best, median = _best_of(
        20, lambda: store.read_series(job.id, "loss", min_step=500_000, max_step=510_000)
    )
    print(f"read steps 500,000-510,000: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms")


def build_listing_project(store: SqlStore, jobs: int = 100_000) -> None:
    """A project of ``jobs`` jobs with 20 params and 10 metric summaries each, inserted in
    bulk (the timing is about reading, not writing)."""
    project = store.ensure_project("listing")
    with store.engine.connect() as conn:
        pid = int(
            conn.scalar(select(projects_table.c.id).where(projects_table.c.name == "listing")) or 0
        )
    rng = np.random.default_rng(1)
    now = project.created_at
    start = now.timestamp() - jobs  # a job a second
    with store.engine.begin() as conn:
        for first in range(0, jobs, 10_000):
            numbers = range(first, min(first + 10_000, jobs))
            ids = [new_job_id(start + i) for i in numbers]
            rows = [
                _job_row(job_id, pid, start + i) for job_id, i in zip(ids, numbers, strict=True)
            ]
            conn.execute(insert(jobs_table), rows)
            conn.execute(
                insert(params_table),
                [
                    {
                        "job_id": job_id,
                        "key": f"p{k}",
                        "project_id": pid,
                        "value_json": str(v),
                        "value_num": v,
                        "value_text": None,
                    }
                    for job_id in ids
                    for k, v in enumerate(rng.random(20).round(4).tolist())
                ],
            )
            conn.execute(
                insert(summaries_table),
                [
                    {
                        "job_id": job_id,
                        "key": f"m{k}",
                        "project_id": pid,
                        "last": v,
                        "last_step": 100,
                        "min": v / 2,
                        "max": v * 2,
                        "count": 101,
                        "updated_at": now,
                    }
                    for job_id in ids
                    for k, v in enumerate(rng.random(10).tolist())
                ],
            )


def _job_row(job_id: str, pid: int, created: float) -> dict[str, object]:
    return {
        "id": job_id,
        "project_id": pid,
        "name": f"job {job_id}",
        "user": "ana",
        "kind": "local",
        "status": "completed",
        "command": "python train.py",
        "priority": 0,
        "created_at": datetime.fromtimestamp(created, UTC),
        "started_at": datetime.fromtimestamp(created + 1, UTC),
        "finished_at": datetime.fromtimestamp(created + 100, UTC),
        "git_json": '{"commit": "0123456789abcdef0123456789abcdef01234567"}',
        "environment_json": '{"python": "3.11.7"}',
        "resources_json": "{}",
    }


def time_listing(store: SqlStore) -> None:
    start = time.perf_counter()
    build_listing_project(store)
    print(f"built 100,000 jobs in {time.perf_counter() - start:.1f} s")
    for text, sort in [
        ("params.p3 < 0.5", ["metrics.m2"]),
        ("params.p3 < 0.5", ["-metrics.m2.min"]),
        ("params.p3 < 0.01", ["metrics.m2"]),
        ("", ["-created_at"]),
        ("", ["params.p5"]),
        ("metrics.m1 > 0.9 and params.p2 > 0.5", ["-metrics.m4"]),
    ]:
        query = JobQuery(filter=text, sort=sort, limit=100)
        best, median = _best_of(5, partial(store.list_jobs, "listing", query))
        total = store.list_jobs("listing", query).total
        print(
            f"list_jobs filter={text!r} sort={sort} total={total}: "
            f"best {best * 1000:.0f} ms, median {median * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--listing", action="store_true", help="also time the job listing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore(args.url or f"sqlite:///{Path(folder) / 'timing.db'}")
        store.upgrade()
        try:
            time_metrics(store)
            if args.listing:
                time_listing(store)
        finally:
            store.close()


if __name__ == "__main__":
    main()
