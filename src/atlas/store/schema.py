"""Creating and migrating the metadata store's schema with the Alembic scripts shipped in
``atlas/store/migrations`` (no alembic.ini needed).

A migration runs in one transaction that holds the write lock (SQLite ``BEGIN IMMEDIATE``,
a PostgreSQL advisory lock), so two servers starting at once migrate once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from atlas.store.engine import writer

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

MIGRATIONS = Path(__file__).with_name("migrations")
"""The folder of the Alembic environment and its ``versions``."""

_PG_LOCK_KEY = 0x41544C4153  # "ATLAS": serialises migrations between processes


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for Atlas's migrations, using ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create the schema or migrate it to ``revision`` (the newest by default)."""
    with writer(engine).begin() as conn:
        _lock(conn)
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the schema back to ``revision`` (``"base"``: drop every table)."""
    with writer(engine).begin() as conn:
        _lock(conn)
        command.downgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` before the first migration)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of Atlas."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
