"""A PostgreSQL database of the benchmark's own, created and dropped around a benchmark."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bench.worker import BenchError

__all__ = ["PG_SERVER", "analyze", "temporary_database"]

PG_SERVER = os.environ.get("ATLAS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def temporary_database(prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<pid>`` on the PostgreSQL server, yield its ``postgresql://`` URL,
    drop it afterwards (with any connection still open to it)."""
    name = f"{prefix}_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode())  # names we made, never user input
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL at {PG_SERVER} is not usable: {exc}") from exc


def analyze(url: str) -> None:
    """``VACUUM ANALYZE`` the database: a live database has planner statistics (autovacuum
    keeps them), a freshly bulk-loaded one does not yet."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
