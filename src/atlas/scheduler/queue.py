"""The queue in memory: compact entries in priority order (priority high to low, then
submission time, then id), rebuilt from the store at start, and grouped by priority and
user for fair share (:func:`atlas.scheduler.policy.fair_order` makes the dispatch order).

An entry is a small tuple, never a ``Job``: 10,000 queued jobs cost a few MB.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from atlas.scheduler.resources import Request

__all__ = ["JobQueue", "QueueEntry"]


class QueueEntry(NamedTuple):
    """One queued job; entries sort in priority order. ``user`` submitted it (fair share
    interleaves users within a priority)."""

    neg_priority: int
    queued_at: float
    job_id: str
    request: Request
    parent_id: str | None = None
    user: str = ""

    @property
    def priority(self) -> int:
        """The job's priority (higher runs first)."""
        return -self.neg_priority


def _key(entry: QueueEntry) -> tuple[int, float, str]:
    return entry.neg_priority, entry.queued_at, entry.job_id


class JobQueue:
    """Queued jobs in priority order, found by id, and each priority's jobs by user (see
    :meth:`levels`). Not thread-safe: the scheduler calls it under its lock."""

    def __init__(self) -> None:
        self._entries: list[QueueEntry] = []
        self._keys: list[tuple[int, float, str]] = []
        self._by_id: dict[str, QueueEntry] = {}
        self._parents: Counter[str] = Counter()
        self._levels: dict[int, dict[str, list[QueueEntry]]] = {}

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
        user: str = "",
    ) -> None:
        """Queue ``job_id`` (replacing its entry when it is queued already); ``parent_id``
        is the job that submitted it, ``user`` who submitted it."""
        self.discard(job_id)
        entry = QueueEntry(-priority, queued_at, job_id, request, parent_id, user)
        index = bisect.bisect_left(self._keys, _key(entry))
        self._entries.insert(index, entry)
        self._keys.insert(index, _key(entry))
        self._by_id[job_id] = entry
        mine = self._levels.setdefault(entry.neg_priority, {}).setdefault(user, [])
        bisect.insort(mine, entry, key=_key)
        if parent_id is not None:
            self._parents[parent_id] += 1

    def discard(self, job_id: str) -> QueueEntry | None:
        """Take ``job_id`` out of the queue; its entry, or ``None`` when it was not queued."""
        entry = self._by_id.pop(job_id, None)
        if entry is not None:
            index = bisect.bisect_left(self._keys, _key(entry))
            del self._entries[index]
            del self._keys[index]
            self._unlevel(entry)
            if entry.parent_id is not None:
                self._parents[entry.parent_id] -= 1
                if self._parents[entry.parent_id] <= 0:
                    del self._parents[entry.parent_id]
        return entry

    def _unlevel(self, entry: QueueEntry) -> None:
        level = self._levels[entry.neg_priority]
        mine = level[entry.user]
        del mine[bisect.bisect_left(mine, _key(entry), key=_key)]
        if not mine:
            del level[entry.user]
            if not level:
                del self._levels[entry.neg_priority]

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
                user=entry.user,
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
        """The first ``limit`` entries in priority order (fair share aside)."""
        return self._entries[:limit]

    def levels(self) -> list[Mapping[str, Sequence[QueueEntry]]]:
        """The queued jobs by priority, highest first: for each priority, each user's
        entries in their order (submission time, then id). The lists are the queue's own:
        read them before the queue changes."""
        return [self._levels[neg] for neg in sorted(self._levels)]

    def position(self, job_id: str) -> int | None:
        """The 0-based place of ``job_id`` in priority order (fair share aside), or
        ``None``."""
        entry = self._by_id.get(job_id)
        return None if entry is None else bisect.bisect_left(self._keys, _key(entry))
