"""What a process keeps of a project's attributes between reads: the columns of values of
its params, tags and metric summaries by job (the workspace's scatter over 100,000 jobs reads
the same two columns on every visit) and its keys answer.

An entry is stamped with the ``ProjectVersion`` it was read at: the project's id, creation
time and ``data_version``, a counter that every job made, changed or deleted through the
store and every write of params, tags and summaries bumps in the same transaction
(``projects.touch_project``). A read first reads
the project's version (one query) and uses an entry only when it carries that version, so a
write from any process is never answered from memory; a project deleted and another made
with the same id differ in creation time. Entries of another version are dropped when met.
The jobs' own columns (status, name) are never kept here, as some writes to them do not bump
the version (the scheduler's starts, the liveness watcher's ``lost``).
The entries are a least-recently-used list of at most ``max_bytes`` (an estimate).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

__all__ = ["PROJECT_CACHE_BYTES", "ProjectCache", "ProjectVersion"]

PROJECT_CACHE_BYTES = 128 * 1024 * 1024
"""What a store's cache of project columns may hold: a column of 100,000 jobs takes ~10 MB."""

_ENTRY_BYTES = 100
"""An entry of a column as a dict holds it: a slot, a job id string and a number object."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProjectVersion:
    """Which state of a project's data a read saw: its id, creation time and data version."""

    project_id: int
    created_at: datetime
    data_version: int


class ProjectCache(Generic[T]):
    """Values read before, by project and name (a field, or the keys), each at the project's
    version it was read at; at most ``max_bytes`` of them; safe to share between threads."""

    def __init__(self, max_bytes: int = PROJECT_CACHE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[tuple[int, str], tuple[ProjectVersion, T, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The estimated bytes held now."""
        return self._bytes

    def get(self, version: ProjectVersion, name: str) -> T | None:
        """The value kept for ``name`` of the project at ``version``; ``None`` when there is
        none (an entry of another version is dropped)."""
        key = (version.project_id, name)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != version:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, version: ProjectVersion, name: str, value: T, *, items: int) -> None:
        """Keep ``value`` (of about ``items`` entries) for ``name``, read at ``version``,
        evicting the least recently used past the size limit (too big a value is not kept)."""
        size = 256 + items * _ENTRY_BYTES
        if size > self._max_bytes:
            return
        key = (version.project_id, name)
        with self._lock:
            self._drop(key)
            self._entries[key] = (version, value, size)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[int, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]
