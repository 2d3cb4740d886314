"""SQLAlchemy engines for the metadata store, tuned per database.

SQLite runs in WAL mode (readers never block the writer), with ``synchronous=NORMAL`` (safe in
WAL mode, a commit costs no fsync), foreign keys on and a busy timeout, so the threads of the
server wait for the write lock instead of failing. SQLAlchemy emits ``BEGIN`` itself: a plain
transaction begins ``DEFERRED`` (a reader), one from :func:`writer` begins ``IMMEDIATE``, so a
read-modify-write transaction holds the write lock from its first read and never fails with
"database is locked" when upgrading. PostgreSQL goes through psycopg 3 with a pre-pinged pool.

SQLite's ``REGEXP`` is ``query.regex.sqlite_regexp`` (RE2, linear time) rather than the
Python ``re`` function SQLAlchemy registers, which backtracks exponentially while holding the
GIL. :func:`statement_deadline` stops a statement that runs too long on either database.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from atlas.errors import InvalidInputError
from atlas.store.query.regex import sqlite_regexp

__all__ = [
    "BUSY_TIMEOUT_MS",
    "is_sqlite",
    "make_engine",
    "sqlite_path",
    "statement_deadline",
    "writer",
]

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite connection waits for the write lock before giving up."""

_SQLITE_CACHE_KIB = 16_384
_SQLITE_MMAP_BYTES = 1 << 30
# The WAL is cut back to this size after each checkpoint, so the space a burst (or a write
# that hit a full disk) grew it into is given back instead of held until a restart.
_SQLITE_WAL_LIMIT_BYTES = 64 << 20
_BEGIN_OPTION = "atlas_begin"
_PROGRESS_STEPS = 1_000  # SQLite VM instructions between two looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by its timeout


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 40) -> Engine:
    """An engine for ``sqlite:///path``, ``postgresql://...`` or ``postgresql+psycopg://...``.

    A plain ``postgresql://`` (or ``postgres://``) URL is given the psycopg 3 driver. For
    SQLite the parent folder of the file is created. ``pool_size + max_overflow`` bounds the
    connections open at once: keep it above the number of threads that use the store.
    ``InvalidInputError`` for a URL Atlas cannot use.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size=pool_size, max_overflow=max_overflow)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            pool_recycle=3600,
        )
    raise InvalidInputError(
        f"unsupported database URL {_redacted(parsed)!r}: use sqlite:///path or postgresql://...",
        detail={"field": "db_url"},
    )


def writer(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions begin as writers.

    On SQLite such a transaction takes the write lock at ``BEGIN`` (``BEGIN IMMEDIATE``); on
    PostgreSQL it is an ordinary transaction.
    """
    return engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})


@contextmanager
def statement_deadline(conn: Connection, seconds: float) -> Iterator[None]:
    """Stop the statements ``conn`` runs in the block once they run past ``seconds``.

    A stopped statement raises ``TimeoutError`` out of the block (let its transaction roll
    back). On PostgreSQL each statement gets ``seconds`` (``SET LOCAL statement_timeout``,
    reset when the block ends, so later statements of the transaction run unlimited). On
    SQLite, when ``seconds`` have passed since the block began, a timer thread interrupts
    the statement running (SQLite stops at its next step: a statement overruns by at most
    one step, one ``REGEXP`` or ``LIKE`` on one value) and a progress handler stops any
    statement still running or started later.
    """
    driver = conn.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, round(seconds * 1000))}")
        try:
            yield
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED:
                raise TimeoutError(f"statement stopped after {seconds:g} s") from exc
            raise
        conn.exec_driver_sql("RESET statement_timeout")
        return
    stopped = threading.Event()
    deadline = time.monotonic() + seconds

    def past_deadline() -> bool:
        if time.monotonic() > deadline:
            stopped.set()
        return stopped.is_set()

    driver.set_progress_handler(past_deadline, _PROGRESS_STEPS)
    watchdog = threading.Timer(max(seconds, 0.0), _interrupt, args=(driver, stopped))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    except OperationalError as exc:
        if stopped.is_set() and str(exc.orig) == "interrupted":
            raise TimeoutError(f"statement stopped after {seconds:g} s") from exc
        raise
    finally:
        watchdog.cancel()
        watchdog.join()  # no interrupt can reach the statements after the block
        driver.set_progress_handler(None, 0)


def _interrupt(driver: sqlite3.Connection, stopped: threading.Event) -> None:
    stopped.set()
    driver.interrupt()  # thread-safe; a no-op when no statement runs


def is_sqlite(engine: Engine | Connection) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _parse_url(url: str) -> URL:
    text = url.strip()
    for legacy in ("postgres://", "postgresql://"):
        if text.startswith(legacy):
            text = "postgresql+psycopg://" + text[len(legacy) :]
    try:
        return make_url(text)
    except ArgumentError as exc:
        raise InvalidInputError(f"not a database URL: {url!r}", detail={"field": "db_url"}) from exc


def _redacted(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def sqlite_path(database: str) -> Path:
    """The file of a SQLite URL's ``database`` part, as every user of it must name it (the
    engine, the scheduler's lock beside it): ``~`` expanded, links resolved."""
    return Path(database).expanduser().resolve()


def _sqlite_engine(url: URL, *, pool_size: int, max_overflow: int) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise InvalidInputError(
            "an in-memory SQLite database cannot be shared by the server's threads: "
            "give a file, e.g. sqlite:///atlas.db",
            detail={"field": "db_url"},
        )
    path = sqlite_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url.set(database=str(path)),
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # SQLAlchemy, not the driver, decides where transactions begin (see _begin_...).
    dbapi_connection.isolation_level = None
    # Replaces SQLAlchemy's REGEXP (Python's re), registered on connect before this runs.
    dbapi_connection.create_function("regexp", 2, sqlite_regexp, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA mmap_size={_SQLITE_MMAP_BYTES}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA journal_size_limit={_SQLITE_WAL_LIMIT_BYTES}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
