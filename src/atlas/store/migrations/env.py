"""Alembic environment of the metadata store.

Atlas runs its migrations itself (``atlas.store.schema.upgrade``): it hands Alembic an open
connection, inside a transaction, as ``config.attributes["connection"]``. There is no
alembic.ini and no offline (SQL script) mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from atlas.store.tables import Base


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "Atlas migrations run through atlas.store.schema.upgrade(), which passes a connection"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


_run_online()
