"""The scheduler's lease: exactly one scheduler per database, held by a lock that dies with
its holder.

Two ``atlas server`` processes on one database must never both start jobs (the same job
would be adopted twice, two jobs would share one slot). Whichever server takes the lease
schedules; any other serves the API in *standby* and tries again every few seconds, so it
takes over when the holder stops or dies. The lock is one the operating system or the
database drops when its holder's process ends, however it ends (``kill -9`` included):

- SQLite: ``fcntl.flock`` on ``<database file>.scheduler.lock``, next to the database;
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of
  its own, held for as long as the scheduler schedules;
- an in-memory SQLite database is private to its process: the lease is always held.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from atlas.store.engine import sqlite_path

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "ADVISORY_LOCK_KEY",
    "FileLease",
    "Lease",
    "PostgresLease",
    "PrivateLease",
    "lease_for",
]

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x41544C4153_5343  # "ATLAS" "SC": the same key for every Atlas server
"""The PostgreSQL advisory lock key of the scheduler (advisory locks are per database)."""


class Lease(Protocol):
    """A lock that at most one scheduler per database holds."""

    @property
    def where(self) -> str:
        """The lock in words (its file, or the database's advisory lock), for messages."""
        ...

    def acquire(self) -> bool:
        """Take the lock without waiting; ``True`` when this process holds it now."""
        ...

    def check(self) -> bool:
        """Whether the lock is still held (a PostgreSQL session can be cut)."""
        ...

    def release(self) -> None:
        """Let the lock go (nothing when it is not held)."""
        ...


class PrivateLease:
    """For a database no other process can open (in-memory SQLite): always held."""

    where = "a private in-memory database"

    def acquire(self) -> bool:
        """Always ``True``."""
        return True

    def check(self) -> bool:
        """Always ``True``."""
        return True

    def release(self) -> None:
        """Nothing to release."""


class FileLease:
    """``flock`` on ``path``; the kernel drops it when the holding process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def where(self) -> str:
        """The lock file."""
        return f"the lock file {self.path}"

    def acquire(self) -> bool:
        """Take the lock without waiting."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person wondering who holds it
        self._fd = fd
        return True

    def check(self) -> bool:
        """Held until released: a file lock cannot be taken away."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock and close the file (it stays: removing it would race another taker)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class PostgresLease:
    """``pg_try_advisory_lock`` on a connection of its own, kept open while held."""

    def __init__(self, conninfo: str, *, key: int = ADVISORY_LOCK_KEY) -> None:
        self._conninfo = conninfo
        self._key = key
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    @property
    def where(self) -> str:
        """The advisory lock."""
        return f"the database's advisory lock {self._key}"

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` too when the database cannot be reached
        (a standby tries again later)."""
        if self._conn is not None and self.check():
            return True
        import psycopg

        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            logger.warning("scheduler lock: cannot reach the database: %s", exc)
            return False
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        except psycopg.Error as exc:
            logger.warning("scheduler lock: the database refused the advisory lock: %s", exc)
            conn.close()
            return False
        if not (row and row[0]):
            conn.close()
            return False
        self._conn = conn
        return True

    def check(self) -> bool:
        """Whether the session holding the lock is still alive (one round trip)."""
        if self._conn is None:
            return False
        import psycopg

        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            logger.warning("scheduler lock: the database session holding it was lost")
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Close the session: the database drops its advisory locks."""
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def lease_for(db_url: str) -> Lease:
    """The lease of the database at ``db_url`` (``sqlite:///path`` or ``postgresql://...``).

    ``ValueError`` for a URL that is neither (the store refused it before anyway)."""
    try:
        url = make_url(db_url.strip())
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {db_url!r}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return PrivateLease()
        return FileLease(Path(f"{sqlite_path(database)}.scheduler.lock"))
    if backend in ("postgresql", "postgres"):
        plain = url.set(drivername="postgresql")
        return PostgresLease(plain.render_as_string(hide_password=False))
    raise ValueError(f"no scheduler lock for the database kind {backend!r}")
