"""Downsampled series of finished jobs kept in memory: a workspace of 20 panels over 10 jobs
asks for the same 200 series on every visit, and a finished job's series no longer change.

An entry is the series one read answered, keyed by job, key, ``max_points`` and step range,
and stamped with the version of the series it was read at (its summary's point count and
update time). A read uses an entry only when the summary it has just read carries the same
version, so a write from any process (more points, a requeued job logging again) or the
job's deletion (no summary) is never answered from memory; the store also drops a job's
entries when it writes or deletes that job, so they do not wait for eviction. The entries
are a least-recently-used list of at most ``max_bytes`` (an estimate of their Python lists).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from atlas.domain import Series

__all__ = ["SERIES_CACHE_BYTES", "SeriesCache", "SeriesRange", "SeriesVersion"]

SERIES_CACHE_BYTES = 64 * 1024 * 1024
"""What a store's cache of series may hold: about 200 series of 1,000 points take 20 MB."""

_POINT_BYTES = 3 * 32
"""A point as Python lists hold it: three 8-byte pointers to 24-byte number objects."""


@dataclass(frozen=True, slots=True)
class SeriesRange:
    """What a read asks of a series: its step range and its most points."""

    min_step: int | None
    max_step: int | None
    max_points: int | None


@dataclass(frozen=True, slots=True)
class SeriesVersion:
    """What a series' summary says of it: its points stored and when it last changed."""

    count: int
    updated_at: datetime


_Key = tuple[str, str, SeriesRange]


class SeriesCache:
    """Series read before, by job, key and range, at most ``max_bytes`` of them; safe to
    share between threads."""

    def __init__(self, max_bytes: int = SERIES_CACHE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[_Key, tuple[SeriesVersion, Series, int]] = OrderedDict()
        self._by_job: dict[str, set[_Key]] = {}
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The estimated bytes held now."""
        return self._bytes

    def get(
        self, job_id: str, key: str, asked: SeriesRange, version: SeriesVersion
    ) -> Series | None:
        """The series read before for this job, key and range at ``version``; ``None`` when
        there is none (an entry of another version is dropped)."""
        entry_key = (job_id, key, asked)
        with self._lock:
            entry = self._entries.get(entry_key)
            if entry is None:
                return None
            if entry[0] != version:
                self._drop(entry_key)
                return None
            self._entries.move_to_end(entry_key)
            return entry[1]

    def put(
        self, job_id: str, key: str, asked: SeriesRange, version: SeriesVersion, series: Series
    ) -> None:
        """Keep ``series``, read at ``version``, evicting the least recently used entries
        past the size limit (a series bigger than the limit is not kept)."""
        size = 256 + len(series.values) * _POINT_BYTES
        if size > self._max_bytes:
            return
        entry_key = (job_id, key, asked)
        with self._lock:
            self._drop(entry_key)
            self._entries[entry_key] = (version, series, size)
            self._by_job.setdefault(job_id, set()).add(entry_key)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))

    def drop_job(self, job_id: str) -> None:
        """Forget every series of ``job_id`` (its metrics were written, or it was deleted)."""
        with self._lock:
            for entry_key in list(self._by_job.get(job_id, ())):
                self._drop(entry_key)

    def _drop(self, entry_key: _Key) -> None:
        entry = self._entries.pop(entry_key, None)
        if entry is None:
            return
        self._bytes -= entry[2]
        keys = self._by_job[entry_key[0]]
        keys.discard(entry_key)
        if not keys:
            del self._by_job[entry_key[0]]
