"""Metric series: appending points into chunks with their summaries, and reading them back.

All chunks of a series but the last are full (``CHUNK_POINTS`` points), so a summary's
``count`` tells where the open tail chunk is and how full it is: an append rewrites only that
row, then inserts full new chunks in one ``executemany``.

A batch read (``read_many_series``) asks the summaries of all its pairs in one query (which
series exist, at which version) and the chunks of a few jobs at a time in one more, and keeps
the series of finished jobs in a ``SeriesCache``; it builds each series as the single read
does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    and_,
    bindparam,
    insert,
    select,
    tuple_,
    update,
)

from atlas.domain import FINAL_STATUSES, MetricSummary, Series
from atlas.errors import NotFoundError
from atlas.names import check_key, invalid, is_storable
from atlas.store.api import SeriesBatch, SeriesRead
from atlas.store.chunks import Columns, chunk_values, decode_chunk, to_columns
from atlas.store.conversions import float_from_db, float_to_db, summary_from_columns, utc_now
from atlas.store.downsampling import downsample
from atlas.store.jobs import job_project_id, lock_job
from atlas.store.projects import touch_project
from atlas.store.series_cache import SeriesCache, SeriesRange, SeriesVersion
from atlas.store.tables import (
    CHUNK_POINTS,
    batches_table,
    chunks_table,
    jobs_table,
    summaries_table,
)
from atlas.store.validation import check_text

__all__ = ["append_metrics", "load_summaries", "read_many_series", "read_series"]

_S = summaries_table
_C = chunks_table
MAX_BATCH_ID_LENGTH = 100
_SUMMARY_COLUMNS = ("key", "last", "last_step", "min", "max", "count", "updated_at")
READ_POINTS = 2_000_000
"""Most points of series one query of a batch read fetches (about 48 MB of arrays): the
chunks of as many jobs as fit, one job's at least."""


@dataclass(frozen=True, slots=True)
class _Tail:
    """What is stored of a series before an append."""

    count: int
    summary: RowMapping | None
    chunk: Columns | None  # the open (partly filled) last chunk


def append_metrics(
    conn: Connection, job_id: str, batches: Sequence[SeriesBatch], batch_id: str | None
) -> int:
    """Store the points of ``batches`` and update their summaries (see ``Store``)."""
    series = _checked_series(batches)
    project_id = lock_job(conn, job_id)
    if batch_id is not None and _seen_batch(conn, job_id, batch_id):
        return 0
    total = sum(len(points) for points in series.values())
    now = utc_now()
    if batch_id is not None:
        row = {"job_id": job_id, "batch_id": batch_id, "points": total, "created_at": now}
        conn.execute(insert(batches_table).values(row))
    series = {key: points for key, points in series.items() if len(points)}
    if series:
        tails = _load_tails(conn, job_id, list(series))
        _write_chunks(conn, job_id, series, tails)
        _write_summaries(conn, job_id, project_id, series, tails)
    touch_project(conn, project_id, now)
    return total


def read_series(
    conn: Connection,
    job_id: str,
    key: str,
    *,
    min_step: int | None = None,
    max_step: int | None = None,
    max_points: int | None = None,
) -> Series:
    """The points of one metric in step order within the inclusive step range, at most
    ``max_points`` of them (see ``downsampling``)."""
    asked = _checked_range(min_step, max_step, max_points)
    _check_series_exists(conn, job_id, key)
    rows = _fetch_chunks(conn, _chunks_query([job_id], [key], asked))
    return _series_of(key, [decode_chunk(*row[2:]) for row in rows], asked)


def read_many_series(
    conn: Connection,
    job_ids: Sequence[str],
    keys: Sequence[str],
    *,
    min_step: int | None = None,
    max_step: int | None = None,
    max_points: int | None = None,
    cache: SeriesCache | None = None,
) -> list[SeriesRead]:
    """Every series of ``keys`` of every job of ``job_ids`` as ``read_series`` reads it
    (jobs first, then keys, in the order given; pairs without a series left out), those of
    finished jobs from ``cache`` when it holds them at their current version."""
    asked = _checked_range(min_step, max_step, max_points)
    jobs = [job_id for job_id in dict.fromkeys(job_ids) if is_storable(job_id)]
    names = [key for key in dict.fromkeys(keys) if is_storable(key)]
    versions = _versions(conn, jobs, names)
    found: dict[tuple[str, str], Series] = {}
    for (job_id, key), (version, final) in versions.items():
        hit = cache.get(job_id, key, asked, version) if cache and final else None
        if hit is not None:
            found[job_id, key] = hit
    missing = [pair for pair in versions if pair not in found]
    for pair, series in _read_pairs(conn, missing, versions, asked):
        found[pair] = series
        version, final = versions[pair]
        if cache is not None and final:
            cache.put(*pair, asked, version, series)
    return [
        SeriesRead(job_id=job_id, series=found[job_id, key])
        for job_id in jobs
        for key in names
        if (job_id, key) in found
    ]


def load_summaries(conn: Connection, job_ids: Sequence[str]) -> dict[str, dict[str, MetricSummary]]:
    """The metric summaries of each job in ``job_ids`` (one query), by job id then key."""
    found: dict[str, dict[str, MetricSummary]] = {job_id: {} for job_id in job_ids}
    columns = [_S.c[name] for name in ("job_id", *_SUMMARY_COLUMNS)]
    query = select(*columns).where(_S.c.job_id.in_(job_ids)).order_by(_S.c.job_id, _S.c.key)
    for job_id, *values in conn.execute(query).all():
        found[job_id][values[0]] = summary_from_columns(*values)
    return found


def _checked_series(batches: Sequence[SeriesBatch]) -> dict[str, Columns]:
    """The batches' points by key (batches of one key joined in order), all checked."""
    parts: dict[str, list[Columns]] = {}
    for batch in batches:
        if not isinstance(batch, SeriesBatch):
            raise invalid("series", "each metric batch must be a SeriesBatch")
        key = check_key(batch.key, kind="metric")
        parts.setdefault(key, []).append(to_columns(key, batch.steps, batch.times, batch.values))
    return {key: Columns.concat(runs) for key, runs in parts.items()}


def _seen_batch(conn: Connection, job_id: str, batch_id: str) -> bool:
    check_text(batch_id, field="batch_id", max_length=MAX_BATCH_ID_LENGTH)
    if not batch_id:
        raise invalid("batch_id", "batch_id may not be empty")
    t = batches_table
    found = conn.scalar(select(t.c.points).where(t.c.job_id == job_id, t.c.batch_id == batch_id))
    return found is not None


# The statements of an append, built once: building one costs more than running it, and an
# append of one point (MLflow's log-metric) runs each once.
_TAILS = select(_S).where(
    _S.c.job_id == bindparam("job_id"), _S.c.key.in_(bindparam("keys", expanding=True))
)
_TAIL_CHUNK = select(_C.c.key, _C.c.steps, _C.c.times, _C.c["values"]).where(
    _C.c.job_id == bindparam("job_id"), _C.c.key == bindparam("key"), _C.c.seq == bindparam("seq")
)
_REWRITE_CHUNK = update(_C).where(
    _C.c.job_id == bindparam("b_job"),
    _C.c.key == bindparam("b_key"),
    _C.c.seq == bindparam("b_seq"),
)
_UPDATE_SUMMARY = update(_S).where(
    _S.c.job_id == bindparam("b_job"), _S.c.key == bindparam("b_key")
)


_TAIL_OF_KEY = (
    select(
        _S,
        _C.c.steps.label("chunk_steps"),
        _C.c.times.label("chunk_times"),
        _C.c["values"].label("chunk_values"),
    )
    .select_from(
        _S.outerjoin(
            _C,
            and_(
                _C.c.job_id == _S.c.job_id,
                _C.c.key == _S.c.key,
                _C.c.seq == (_S.c.count - 1) // CHUNK_POINTS,
                _S.c.count % CHUNK_POINTS != 0,
            ),
        )
    )
    .where(_S.c.job_id == bindparam("job_id"), _S.c.key == bindparam("key"))
)
"""A series' summary and its open chunk (none when the last chunk is full) in one query:
what an append to one key (MLflow's log-metric) reads."""


def _load_tails(conn: Connection, job_id: str, keys: list[str]) -> dict[str, _Tail]:
    if len(keys) == 1:
        return {keys[0]: _load_tail(conn, job_id, keys[0])}
    summaries = {
        row["key"]: row for row in conn.execute(_TAILS, {"job_id": job_id, "keys": keys}).mappings()
    }
    open_chunks = [
        (key, (row["count"] - 1) // CHUNK_POINTS)
        for key, row in summaries.items()
        if row["count"] % CHUNK_POINTS
    ]
    chunks: dict[str, Columns] = {}
    if len(open_chunks) == 1:
        ((key, seq),) = open_chunks
        rows = conn.execute(_TAIL_CHUNK, {"job_id": job_id, "key": key, "seq": seq})
        chunks = {key: decode_chunk(*blobs) for key, *blobs in rows}
    elif open_chunks:
        query = select(_C.c.key, _C.c.steps, _C.c.times, _C.c["values"]).where(
            _C.c.job_id == job_id, tuple_(_C.c.key, _C.c.seq).in_(open_chunks)
        )
        chunks = {key: decode_chunk(*blobs) for key, *blobs in conn.execute(query)}
    return {
        key: _Tail(
            count=0 if key not in summaries else int(summaries[key]["count"]),
            summary=summaries.get(key),
            chunk=chunks.get(key),
        )
        for key in keys
    }


def _load_tail(conn: Connection, job_id: str, key: str) -> _Tail:
    row = conn.execute(_TAIL_OF_KEY, {"job_id": job_id, "key": key}).mappings().first()
    if row is None:
        return _Tail(count=0, summary=None, chunk=None)
    blobs = (row["chunk_steps"], row["chunk_times"], row["chunk_values"])
    chunk = None if blobs[0] is None else decode_chunk(*blobs)
    return _Tail(count=int(row["count"]), summary=row, chunk=chunk)


def _write_chunks(
    conn: Connection, job_id: str, series: dict[str, Columns], tails: dict[str, _Tail]
) -> None:
    rewritten: list[dict[str, object]] = []
    created: list[dict[str, object]] = []
    for key, points in series.items():
        tail = tails[key]
        seq, start = tail.count // CHUNK_POINTS, 0
        if tail.chunk is not None:
            start = CHUNK_POINTS - len(tail.chunk)
            filled = Columns.concat([tail.chunk, points.slice(0, start)])
            values = chunk_values(job_id, key, seq, filled)
            rewritten.append(
                _without(values, "job_id", "key", "seq")
                | {"b_job": job_id, "b_key": key, "b_seq": seq}
            )
            seq += 1
        for offset in range(start, len(points), CHUNK_POINTS):
            chunk = points.slice(offset, offset + CHUNK_POINTS)
            created.append(chunk_values(job_id, key, seq, chunk))
            seq += 1
    if rewritten:
        conn.execute(_REWRITE_CHUNK, rewritten)
    if created:
        conn.execute(insert(_C), created)


def _without(values: dict[str, object], *names: str) -> dict[str, object]:
    return {name: value for name, value in values.items() if name not in names}


def _write_summaries(
    conn: Connection,
    job_id: str,
    project_id: int,
    series: dict[str, Columns],
    tails: dict[str, _Tail],
) -> None:
    now = utc_now()
    fresh: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    for key, points in series.items():
        tail = tails[key]
        values = _summary_values(points, tail.summary) | {"updated_at": now}
        if tail.summary is None:
            fresh.append(values | {"job_id": job_id, "key": key, "project_id": project_id})
        else:
            changed.append(values | {"b_job": job_id, "b_key": key})
    if fresh:
        conn.execute(insert(_S), fresh)
    if changed:
        conn.execute(_UPDATE_SUMMARY, changed)


def _summary_values(points: Columns, old: RowMapping | None) -> dict[str, object]:
    """last (at the highest step, the later write winning a tie), last_step, min, max, count
    of the series after ``points`` are added to what ``old`` summarises."""
    top_step = int(points.steps.max())
    last = float(points.values[np.flatnonzero(points.steps == top_step)[-1]])
    low = float(np.fmin.reduce(points.values))
    high = float(np.fmax.reduce(points.values))
    count = len(points)
    if old is not None:
        if top_step < old["last_step"]:
            top_step, last = int(old["last_step"]), float_from_db(old["last"])
        low = float(np.fmin(low, float_from_db(old["min"])))
        high = float(np.fmax(high, float_from_db(old["max"])))
        count += int(old["count"])
    return {
        "last": float_to_db(last),
        "last_step": top_step,
        "min": float_to_db(low),
        "max": float_to_db(high),
        "count": count,
    }


def _check_series_exists(conn: Connection, job_id: str, key: str) -> None:
    found = None
    if is_storable(job_id) and is_storable(key):
        found = conn.scalar(select(_S.c.count).where(_S.c.job_id == job_id, _S.c.key == key))
    if found is not None:
        return
    job_project_id(conn, job_id)
    raise NotFoundError(
        f"job {job_id} has no metric {key!r}", detail={"job_id": job_id, "key": key}
    )


def _versions(
    conn: Connection, jobs: list[str], keys: list[str]
) -> dict[tuple[str, str], tuple[SeriesVersion, bool]]:
    """The version of each stored series of ``jobs`` and ``keys`` and whether its job is
    finished, in one query."""
    if not jobs or not keys:
        return {}
    query = (
        select(_S.c.job_id, _S.c.key, _S.c.count, _S.c.updated_at, jobs_table.c.status)
        .join(jobs_table, jobs_table.c.id == _S.c.job_id)
        .where(_S.c.job_id.in_(jobs), _S.c.key.in_(keys))
    )
    return {
        (job_id, key): (SeriesVersion(int(count), updated_at), status in FINAL_STATUSES)
        for job_id, key, count, updated_at, status in conn.execute(query)
    }


def _read_pairs(
    conn: Connection,
    pairs: list[tuple[str, str]],
    versions: dict[tuple[str, str], tuple[SeriesVersion, bool]],
    asked: SeriesRange,
) -> Iterator[tuple[tuple[str, str], Series]]:
    """The series of ``pairs``, read with one chunk query per group of jobs of at most
    ``READ_POINTS`` points (a series without points in the range comes out empty)."""
    group: list[tuple[str, str]] = []
    points = 0
    for _, of_job in groupby(sorted(pairs), key=lambda pair: pair[0]):
        job_pairs = list(of_job)
        job_points = sum(versions[pair][0].count for pair in job_pairs)
        if group and points + job_points > READ_POINTS:
            yield from _read_group(conn, group, asked)
            group, points = [], 0
        group += job_pairs
        points += job_points
    if group:
        yield from _read_group(conn, group, asked)


def _read_group(
    conn: Connection, pairs: list[tuple[str, str]], asked: SeriesRange
) -> Iterator[tuple[tuple[str, str], Series]]:
    wanted = set(pairs)
    jobs = list(dict.fromkeys(job_id for job_id, _ in pairs))
    keys = list(dict.fromkeys(key for _, key in pairs))
    rows = _fetch_chunks(conn, _chunks_query(jobs, keys, asked))
    for pair, chunks in groupby(rows, key=lambda row: (row[0], row[1])):
        if pair in wanted:
            wanted.discard(pair)
            yield pair, _series_of(pair[1], [decode_chunk(*row[2:]) for row in chunks], asked)
    for pair in pairs:
        if pair in wanted:  # stored, but no chunk in the step range
            yield pair, _series_of(pair[1], [], asked)


def _chunks_query(jobs: Sequence[str], keys: Sequence[str], asked: SeriesRange) -> Select[Any]:
    """The chunks of the series of ``jobs`` and ``keys`` that overlap the step range, by
    job, key and position."""
    query = select(_C.c.job_id, _C.c.key, _C.c.steps, _C.c.times, _C.c["values"]).where(
        _C.c.job_id.in_(jobs) if len(jobs) > 1 else _C.c.job_id == jobs[0],
        _C.c.key.in_(keys) if len(keys) > 1 else _C.c.key == keys[0],
    )
    if asked.min_step is not None:
        query = query.where(_C.c.max_step >= asked.min_step)
    if asked.max_step is not None:
        query = query.where(_C.c.min_step <= asked.max_step)
    return query.order_by(_C.c.job_id, _C.c.key, _C.c.seq)


def _series_of(key: str, chunks: list[Columns], asked: SeriesRange) -> Series:
    """The series of ``key`` whose chunks (in position order) are ``chunks``: in step order,
    within the step range, downsampled to ``max_points``."""
    low, high = asked.min_step, asked.max_step
    points = _step_range(_in_step_order(Columns.concat(chunks)), low, high)
    total = len(points)
    downsampled = asked.max_points is not None and total > asked.max_points
    if asked.max_points is not None and downsampled:
        points = points.take(downsample(points.values, asked.max_points))
    return Series(
        key=key,
        steps=points.steps.tolist(),
        times=points.times.tolist(),
        values=points.values.tolist(),
        total=total,
        downsampled=downsampled,
    )


def _fetch_chunks(conn: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query``, one at a time (a series is built while its chunks are still
    in the processor's cache, not after a whole group's arrays are in memory); on PostgreSQL
    in the binary protocol, which moves bytea at half the size of the text protocol's hex and
    needs no decoding (2-3x faster)."""
    if conn.dialect.name != "postgresql":
        yield from conn.execute(query)
        return
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver: Any = conn.connection.driver_connection
    with driver.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        yield from cursor


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_range(
    min_step: int | None, max_step: int | None, max_points: int | None
) -> SeriesRange:
    if max_points is not None and (not _is_int(max_points) or max_points < 2):
        raise invalid("max_points", "max_points must be an integer of at least 2")
    low, high = _clamp_step(min_step, "min_step"), _clamp_step(max_step, "max_step")
    return SeriesRange(min_step=low, max_step=high, max_points=max_points)


def _clamp_step(step: int | None, field: str) -> int | None:
    """A range bound within int64 (a bound beyond every step is the same as none)."""
    if step is None:
        return None
    if not _is_int(step):
        raise invalid(field, f"{field} must be an integer")
    return min(max(step, -(2**63)), 2**63 - 1)


def _in_step_order(points: Columns) -> Columns:
    steps = points.steps
    if len(steps) < 2 or bool(np.all(steps[1:] >= steps[:-1])):
        return points
    return points.take(np.argsort(steps, kind="stable"))


def _step_range(points: Columns, min_step: int | None, max_step: int | None) -> Columns:
    start = 0 if min_step is None else int(np.searchsorted(points.steps, min_step, "left"))
    stop = (
        len(points) if max_step is None else int(np.searchsorted(points.steps, max_step, "right"))
    )
    return points.slice(start, max(start, stop))
