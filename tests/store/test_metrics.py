"""Metric series in the store: chunks, summaries, idempotency and reads, on both databases."""

from __future__ import annotations

import array
import math

import numpy as np
import pytest

from atlas.domain import JobSpec
from atlas.errors import InvalidInputError, NotFoundError
from atlas.store.api import SeriesBatch
from atlas.store.sql_store import SqlStore
from atlas.store.tables import CHUNK_POINTS

NAN, INF = float("nan"), float("inf")


def _batch(key: str, steps: list[int], values: list[float]) -> SeriesBatch:
    return SeriesBatch(key, steps, [1.7e9 + s for s in steps], values)


def _same(left: list[float], right: list[float]) -> bool:
    return len(left) == len(right) and all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(left, right, strict=True)
    )


@pytest.fixture
def job_id(store: SqlStore) -> str:
    return store.create_job(JobSpec("metrics")).id


def test_append_and_read_back(store: SqlStore, job_id: str) -> None:
    stored = store.append_metrics(
        job_id, [_batch("loss", [0, 1, 2], [0.9, 0.5, 0.3]), _batch("acc", [0], [0.1])]
    )
    assert stored == 4
    series = store.read_series(job_id, "loss")
    assert series.key == "loss"
    assert series.steps == [0, 1, 2]
    assert series.times == [1.7e9, 1.7e9 + 1, 1.7e9 + 2]
    assert series.values == [0.9, 0.5, 0.3]
    assert (series.total, series.downsampled) == (3, False)
    summary = store.get_job(job_id).metrics["loss"]
    assert (summary.last, summary.last_step, summary.min, summary.max, summary.count) == (
        0.3,
        2,
        0.3,
        0.9,
        3,
    )


def test_columns_may_be_lists_arrays_or_numpy(store: SqlStore, job_id: str) -> None:
    batches = [
        SeriesBatch("a", [0, 1], [1.0, 2.0], [1, 2]),
        SeriesBatch(
            "b", array.array("q", [0, 1]), array.array("d", [1, 2]), array.array("d", [3, 4])
        ),
        SeriesBatch(
            "c",
            np.frombuffer(np.array([0, 1], "<i8").tobytes(), "<i8"),
            np.array([1.0, 2.0]),
            np.array([5.0, 6.0], dtype=">f8"),
        ),
        SeriesBatch(
            "d",
            np.array([0, 1], np.uint32),
            np.array([1, 2], np.int32),
            np.array([7, 8], dtype=np.float32),
        ),
    ]
    assert store.append_metrics(job_id, batches) == 8
    assert store.read_series(job_id, "b").values == [3.0, 4.0]
    assert store.read_series(job_id, "c").values == [5.0, 6.0]
    assert store.read_series(job_id, "d").values == [7.0, 8.0]
    assert store.read_series(job_id, "a").values == [1.0, 2.0]


def test_nan_and_infinities_are_kept(store: SqlStore, job_id: str) -> None:
    store.append_metrics(job_id, [_batch("x", [0, 1, 2, 3], [NAN, INF, -INF, 1.0])])
    assert _same(store.read_series(job_id, "x").values, [NAN, INF, -INF, 1.0])
    summary = store.get_job(job_id).metrics["x"]
    assert (summary.min, summary.max, summary.last, summary.count) == (-INF, INF, 1.0, 4)


def test_all_nan_series_summarise_as_nan(store: SqlStore, job_id: str) -> None:
    store.append_metrics(job_id, [_batch("x", [0, 1], [NAN, NAN])])
    summary = store.get_job(job_id).metrics["x"]
    assert math.isnan(summary.min)
    assert math.isnan(summary.max)
    assert math.isnan(summary.last)
    assert summary.count == 2
    store.append_metrics(job_id, [_batch("x", [2], [5.0])])
    summary = store.get_job(job_id).metrics["x"]
    assert (summary.min, summary.max, summary.last) == (5.0, 5.0, 5.0)


def test_last_is_at_the_highest_step_and_the_later_write_wins_a_tie(
    store: SqlStore, job_id: str
) -> None:
    store.append_metrics(job_id, [_batch("x", [5, 2, 5, 1], [1.0, 2.0, 3.0, 4.0])])
    summary = store.get_job(job_id).metrics["x"]
    assert (summary.last, summary.last_step) == (3.0, 5)
    store.append_metrics(job_id, [_batch("x", [3], [9.0])])  # an older step: last stays
    assert store.get_job(job_id).metrics["x"].last == 3.0
    store.append_metrics(job_id, [_batch("x", [5], [7.0])])  # a tie: the later write wins
    summary = store.get_job(job_id).metrics["x"]
    assert (summary.last, summary.last_step, summary.count) == (7.0, 5, 6)
    store.append_metrics(job_id, [_batch("x", [6], [NAN])])
    summary = store.get_job(job_id).metrics["x"]
    assert math.isnan(summary.last)
    assert summary.last_step == 6


def test_out_of_order_steps_read_in_step_order(store: SqlStore, job_id: str) -> None:
    store.append_metrics(job_id, [_batch("x", [3, 1, 2], [30.0, 10.0, 20.0])])
    store.append_metrics(job_id, [_batch("x", [0, 2], [0.0, 21.0])])
    series = store.read_series(job_id, "x")
    assert series.steps == [0, 1, 2, 2, 3]
    assert series.values == [0.0, 10.0, 20.0, 21.0, 30.0]  # equal steps keep write order


def test_many_chunks_fill_the_tail_first(store: SqlStore, job_id: str) -> None:
    sizes = [10, CHUNK_POINTS - 3, 5, 2 * CHUNK_POINTS + 7, 1]
    start = 0
    for size in sizes:
        steps = np.arange(start, start + size, dtype=np.int64)
        store.append_metrics(job_id, [SeriesBatch("x", steps, steps * 0.5, steps * 2.0)])
        start += size
    with store.engine.connect() as conn:
        counts = (
            conn.exec_driver_sql(
                f"SELECT count FROM metric_chunks WHERE job_id = '{job_id}' ORDER BY seq"
            )
            .scalars()
            .all()
        )
    assert counts == [CHUNK_POINTS] * 3 + [start - 3 * CHUNK_POINTS]
    series = store.read_series(job_id, "x")
    assert series.steps == list(range(start))
    assert series.values == [2.0 * s for s in range(start)]
    summary = store.get_job(job_id).metrics["x"]
    assert (summary.count, summary.last_step, summary.max) == (start, start - 1, 2.0 * (start - 1))


def test_step_ranges_are_inclusive(store: SqlStore, job_id: str) -> None:
    steps = np.arange(10_000, dtype=np.int64)
    store.append_metrics(job_id, [SeriesBatch("x", steps, steps * 1.0, steps * 1.0)])
    part = store.read_series(job_id, "x", min_step=4095, max_step=4100)
    assert part.steps == [4095, 4096, 4097, 4098, 4099, 4100]
    assert part.total == 6
    assert store.read_series(job_id, "x", min_step=9_990).steps == list(range(9_990, 10_000))
    assert store.read_series(job_id, "x", max_step=2).steps == [0, 1, 2]
    assert store.read_series(job_id, "x", min_step=20_000).steps == []
    assert store.read_series(job_id, "x", min_step=5, max_step=4).total == 0


def test_a_repeated_batch_id_stores_nothing(store: SqlStore, job_id: str) -> None:
    batch = [_batch("x", [0, 1], [1.0, 2.0])]
    assert store.append_metrics(job_id, batch, batch_id="b-1") == 2
    assert store.append_metrics(job_id, batch, batch_id="b-1") == 0
    assert store.append_metrics(job_id, batch, batch_id="b-2") == 2
    assert store.read_series(job_id, "x").total == 4
    other = store.create_job(JobSpec("metrics")).id
    assert store.append_metrics(other, batch, batch_id="b-1") == 2  # ids are per job


def test_a_refused_batch_leaves_nothing_and_keeps_its_id_free(store: SqlStore, job_id: str) -> None:
    bad = [_batch("ok", [0], [1.0]), SeriesBatch("bad", [0, 1], [1.0], [1.0, 2.0])]
    with pytest.raises(InvalidInputError):
        store.append_metrics(job_id, bad, batch_id="b-1")
    assert store.get_job(job_id).metrics == {}
    assert store.append_metrics(job_id, [_batch("ok", [0], [1.0])], batch_id="b-1") == 1


@pytest.mark.parametrize(
    "batch",
    [
        SeriesBatch("", [0], [0.0], [1.0]),
        SeriesBatch("k" * 251, [0], [0.0], [1.0]),
        SeriesBatch("ctl\x01", [0], [0.0], [1.0]),
        SeriesBatch("x", [0.5], [0.0], [1.0]),
        SeriesBatch("x", [True], [0.0], [1.0]),
        SeriesBatch("x", [2**63], [0.0], [1.0]),
        SeriesBatch("x", [0], [0.0], ["1.0"]),  # type: ignore[arg-type]
        SeriesBatch("x", [0], [0.0], [None]),  # type: ignore[arg-type]
        SeriesBatch("x", [0], [NAN], [1.0]),
        SeriesBatch("x", [0, 1], [0.0, 1.0], [1.0]),
        SeriesBatch("x", [[0]], [[0.0]], [[1.0]]),  # type: ignore[arg-type]
    ],
)
def test_bad_batches_are_refused(store: SqlStore, job_id: str, batch: SeriesBatch) -> None:
    with pytest.raises(InvalidInputError):
        store.append_metrics(job_id, [batch])
    assert store.get_job(job_id).metrics == {}


def test_bad_batch_ids_are_refused(store: SqlStore, job_id: str) -> None:
    for batch_id in ("", "b" * 101, "nul\x00"):
        with pytest.raises(InvalidInputError):
            store.append_metrics(job_id, [_batch("x", [0], [1.0])], batch_id=batch_id)


def test_empty_batches_store_nothing(store: SqlStore, job_id: str) -> None:
    assert store.append_metrics(job_id, [SeriesBatch("x", [], [], [])]) == 0
    assert store.get_job(job_id).metrics == {}


def test_unknown_series_are_not_found(store: SqlStore, job_id: str) -> None:
    with pytest.raises(NotFoundError):
        store.read_series(job_id, "nope")
    with pytest.raises(NotFoundError):
        store.read_series(job_id, "nul\x00")
    with pytest.raises(NotFoundError):
        store.read_series("0000000000000000", "loss")


def test_downsampling_keeps_spikes_and_nan(store: SqlStore, job_id: str) -> None:
    count = 50_000
    steps = np.arange(count, dtype=np.int64)
    values = np.sin(steps / 500.0)
    values[12_345] = 100.0
    values[33_333] = -100.0
    values[40_000] = NAN
    store.append_metrics(job_id, [SeriesBatch("x", steps, steps * 0.1, values)])
    series = store.read_series(job_id, "x", max_points=500)
    assert series.downsampled
    assert series.total == count
    assert len(series.steps) <= 500
    assert series.steps == sorted(series.steps)
    assert 12_345 in series.steps
    assert 33_333 in series.steps
    assert 40_000 in series.steps
    assert max(v for v in series.values if not math.isnan(v)) == 100.0
    assert series.steps[0] == 0
    assert series.steps[-1] == count - 1
    whole = store.read_series(job_id, "x", max_points=count)
    assert not whole.downsampled
    assert len(whole.steps) == count


def test_downsampling_within_a_step_range(store: SqlStore, job_id: str) -> None:
    steps = np.arange(20_000, dtype=np.int64)
    store.append_metrics(job_id, [SeriesBatch("x", steps, steps * 1.0, steps * 1.0)])
    series = store.read_series(job_id, "x", min_step=1000, max_step=2999, max_points=100)
    assert series.total == 2000
    assert len(series.steps) <= 100
    assert series.steps[0] == 1000
    assert series.steps[-1] == 2999
    with pytest.raises(InvalidInputError):
        store.read_series(job_id, "x", max_points=1)


def test_range_bounds_beyond_64_bits(store: SqlStore, job_id: str) -> None:
    store.append_metrics(job_id, [_batch("x", [-5, 0, 5], [1.0, 2.0, 3.0])])
    assert store.read_series(job_id, "x", min_step=-(2**70), max_step=2**70).total == 3
    assert store.read_series(job_id, "x", min_step=2**70).total == 0
    with pytest.raises(InvalidInputError):
        store.read_series(job_id, "x", min_step="3")  # type: ignore[arg-type]
