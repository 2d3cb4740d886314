"""The queue in memory: compact entries in dispatch order (priority high to low, then
submission time, then id), rebuilt from the store at start.

An entry is a small tuple, never a ``Job``: 10,000 queued jobs cost a few MB.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from atlas.scheduler.resources import Request

__all__ = ["JobQueue", "QueueEntry"]


class QueueEntry(NamedTuple):
    """One queued job; entries sort in dispatch order."""

    neg_priority: int
    queued_at: float
    job_id: str
    request: Request
    parent_id: str | None = None

    @property
    def priority(self) -> int:
        """The job's priority (higher runs first)."""
        return -self.neg_priority


def _key(entry: QueueEntry) -> tuple[int, float, str]:
    return entry.neg_priority, entry.queued_at, entry.job_id


class JobQueue:
    """Queued jobs in dispatch order, found by id. Not thread-safe: the scheduler calls it
    under its lock."""

    def __init__(self) -> None:
        self._entries: list[QueueEntry] = []
        self._keys: list[tuple[int, float, str]] = []
        self._by_id: dict[str, QueueEntry] = {}
        self._parents: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._by_id

    def __iter__(self) -> Iterator[QueueEntry]:
        return iter(list(self._entries))

    def add(
        self,
        job_id: str,
        *,
        priority: int,
        queued_at: float,
        request: Request,
        parent_id: str | None = None,
    ) -> None:
        """Queue ``job_id`` (replacing its entry when it is queued already); ``parent_id``
        is the job that submitted it."""
        self.discard(job_id)
        entry = QueueEntry(-priority, queued_at, job_id, request, parent_id)
        index = bisect.bisect_left(self._keys, _key(entry))
        self._entries.insert(index, entry)
        self._keys.insert(index, _key(entry))
        self._by_id[job_id] = entry
        if parent_id is not None:
            self._parents[parent_id] += 1

    def discard(self, job_id: str) -> QueueEntry | None:
        """Take ``job_id`` out of the queue; its entry, or ``None`` when it was not queued."""
        entry = self._by_id.pop(job_id, None)
        if entry is not None:
            index = bisect.bisect_left(self._keys, _key(entry))
            del self._entries[index]
            del self._keys[index]
            if entry.parent_id is not None:
                self._parents[entry.parent_id] -= 1
                if self._parents[entry.parent_id] <= 0:
                    del self._parents[entry.parent_id]
        return entry

    def reprioritise(self, job_id: str, priority: int) -> None:
        """Move a queued job to its place for ``priority`` (nothing when it is not queued)."""
        entry = self._by_id.get(job_id)
        if entry is not None:
            self.add(
                job_id,
                priority=priority,
                queued_at=entry.queued_at,
                request=entry.request,
                parent_id=entry.parent_id,
            )

    def get(self, job_id: str) -> QueueEntry | None:
        """The entry of ``job_id``, or ``None`` when it is not queued."""
        return self._by_id.get(job_id)

    def parents(self) -> set[str]:
        """The ids of the jobs that have children in the queue."""
        return set(self._parents)

    def ids(self) -> set[str]:
        """The ids of every queued job."""
        return set(self._by_id)

    def head(self, limit: int) -> list[QueueEntry]:
        """The first ``limit`` entries in dispatch order."""
        return self._entries[:limit]

    def position(self, job_id: str) -> int | None:
        """The 0-based place of ``job_id`` in dispatch order, or ``None``."""
        entry = self._by_id.get(job_id)
        return None if entry is None else bisect.bisect_left(self._keys, _key(entry))
