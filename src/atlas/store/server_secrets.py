"""Secrets the servers of one database share, as functions over an open connection: random
keys made once, at their first use, and the same ever after (the key that signs single sign-on
logins, ``atlas.server.auth.sso``). Every server on the database reads the same value, and a
restart does not change it.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from atlas.names import invalid
from atlas.store.conversions import utc_now
from atlas.store.tables import MAX_SECRET_NAME_LENGTH, server_secrets_table

__all__ = ["SECRET_BYTES", "find_secret", "make_secret"]

SECRET_BYTES = 32
"""Random bytes in each secret."""

_T = server_secrets_table


def find_secret(conn: Connection, name: str) -> bytes | None:
    """The secret called ``name``; ``None`` when it was never made."""
    found = conn.scalar(select(_T.c.value).where(_T.c.name == _check_name(name)))
    return None if found is None else bytes.fromhex(found)


def make_secret(conn: Connection, name: str) -> bytes:
    """The secret called ``name``, made now when it does not exist yet (of two servers
    racing, one makes it and both read it)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    values = {
        "name": _check_name(name),
        "value": secrets.token_hex(SECRET_BYTES),
        "created_at": utc_now(),
    }
    conn.execute(dialect_insert(_T).values(values).on_conflict_do_nothing(index_elements=["name"]))
    found = find_secret(conn, name)
    assert found is not None  # inserted, or there already
    return found


def _check_name(name: str) -> str:
    if not name or len(name) > MAX_SECRET_NAME_LENGTH or not name.isascii():
        raise invalid("name", f"a secret's name has 1 to {MAX_SECRET_NAME_LENGTH} ASCII characters")
    return name
