"""Database fixtures shared by every test package.

- ``sqlite_url``: a fresh SQLite file in ``tmp_path``, migrated to the newest schema (copied
  from a template migrated once per session).
- ``postgres_url``: a fresh PostgreSQL database for the test module, migrated, created and
  dropped by the fixture. Without a server the test is skipped with how to start one, unless
  ``ATLAS_TEST_REQUIRE_POSTGRES=1`` (CI), where it fails. The server is
  ``ATLAS_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
- ``store_url``: both of the above in turn (the PostgreSQL one marked ``postgres``), emptied
  for each test.
- ``store``: a ``SqlStore`` on ``store_url``: the contract suite runs once per database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from atlas.store.sql_store import SqlStore
from atlas.store.tables import Base

if TYPE_CHECKING:
    import psycopg

PG_ADMIN_URL = os.environ.get("ATLAS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema, made once per session: tests copy it
    (a copy is much faster than running the migrations again)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "atlas.db"
    store = SqlStore(f"sqlite:///{path}")
    store.upgrade()
    store.close()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_db: Path) -> str:
    """The URL of a new SQLite database at the newest schema, with nothing in it."""
    path = tmp_path / "atlas.db"
    shutil.copyfile(migrated_db, path)
    return f"sqlite:///{path}"


def pg_admin() -> psycopg.Connection[Any]:
    """An autocommit connection to the PostgreSQL server of the tests. Without one the test is
    skipped with how to start it, or fails under ``ATLAS_TEST_REQUIRE_POSTGRES=1`` (CI)."""
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        message = (
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}); start it with: {PG_START}"
        )
        if os.environ.get("ATLAS_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def pg_database(admin: psycopg.Connection[Any], prefix: str) -> Iterator[str]:
    """A new, empty database named ``prefix`` and a random suffix on ``admin``'s server (an
    autocommit connection, closed at the end): its name. Dropped afterwards, even while
    connections to it are still open."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL database made for this test module, at the newest schema;
    dropped after the module."""
    with pg_database(pg_admin(), "atlas_test") as name:
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        store = SqlStore(url)
        store.upgrade()
        store.close()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """An empty database at the newest schema, on SQLite then on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("postgres_url"))
    _empty(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """A ``SqlStore`` on an empty database (each database in turn)."""
    opened = SqlStore(store_url)
    yield opened
    opened.close()


def _empty(url: str) -> None:
    """Delete every row a previous test of the module left (DELETE is much faster than
    TRUNCATE on tables this small)."""
    store = SqlStore(url)
    with store.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    store.close()
