"""Migrations: the schema Alembic builds is exactly the one tables.py declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from atlas.store import schema
from atlas.store.sql_store import SqlStore
from atlas.store.tables import Base


def test_a_new_database_is_created_at_the_newest_revision(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'sub' / 'new.db'}")
    assert schema.current_revision(store.engine) is None
    store.upgrade()
    assert schema.current_revision(store.engine) == schema.head_revision() is not None
    store.upgrade()  # again: nothing to do
    assert set(inspect(store.engine).get_table_names()) == {
        *Base.metadata.tables,
        "alembic_version",
    }
    store.close()


def test_the_migrated_schema_matches_the_tables(store_url: str) -> None:
    store = SqlStore(store_url)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    store.close()


def test_downgrade_and_upgrade_again(store_url: str) -> None:
    store = SqlStore(store_url)
    schema.downgrade(store.engine, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    store.upgrade()
    assert store.create_project("back").name == "back"
    store.close()


def test_small_tables_have_no_rowid_on_sqlite(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    with store.engine.connect() as conn:
        sql: dict[str, str] = dict(
            conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
        )
    for name in ("params", "tags", "metric_summaries"):
        assert "WITHOUT ROWID" in sql[name]
    assert "WITHOUT ROWID" not in sql["metric_chunks"]  # big blobs stay in a rowid table
    store.close()


@pytest.mark.postgres
def test_chunk_arrays_are_stored_uncompressed_on_postgresql(postgres_url: str) -> None:
    store = SqlStore(postgres_url)
    with store.engine.connect() as conn:
        storage: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT attname, attstorage FROM pg_attribute "
                "WHERE attrelid = 'metric_chunks'::regclass AND attname IN "
                "('steps', 'times', 'values')"
            ).all()
        )
    assert storage == {"steps": "e", "times": "e", "values": "e"}
    store.close()


def test_migrations_ship_with_the_package() -> None:
    assert (schema.MIGRATIONS / "env.py").is_file()
    assert (schema.MIGRATIONS / "script.py.mako").is_file()
    assert schema.head_revision() == "0013"
