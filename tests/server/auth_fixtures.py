"""Apps with authentication on, and the people, tokens and sessions that call them.

``team_db_url`` is a fresh PostgreSQL database (required with
``ATLAS_TEST_REQUIRE_POSTGRES=1``, as in CI; without a server and without that variable the
tests fall back to SQLite so they still run on a laptop). The helpers write users, tokens
and sessions straight into the app's own store, as ``atlas users add`` and the server do, so
that tests need not pay a login (an argon2 hash) for each principal.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atlas.domain import Role
from atlas.server.auth.credentials import SESSION_COOKIE
from atlas.server.auth.passwords import hash_password
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.tokens import digest, new_secret
from tests.conftest import pg_database
from tests.server.conftest import (
    PG_URL,
    TestClient,
    make_client,
    pg_database_url,
    settings_for,
)

__all__ = [
    "PASSWORD",
    "add_team",
    "add_user",
    "auth_client",
    "auth_settings",
    "bearer",
    "mint_token",
    "new_session",
    "session_headers",
    "store_of",
    "team_db_url",
]

PASSWORD = "correct horse battery"
"""Every test user's password."""


def auth_settings(home: Path, **values: object) -> Settings:
    """Settings of a server with authentication on, everything under ``home``."""
    return settings_for(home, auth="on", **values)


@pytest.fixture
def team_db_url(tmp_path: Path, migrated_db: Path) -> Iterator[str]:
    """A new, empty database: PostgreSQL when a server answers (required when
    ``ATLAS_TEST_REQUIRE_POSTGRES`` is set), else a SQLite copy of the migrated template."""
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        if os.environ.get("ATLAS_TEST_REQUIRE_POSTGRES"):
            raise
        path = tmp_path / "team.db"
        path.write_bytes(migrated_db.read_bytes())
        yield f"sqlite:///{path}"
        return
    with pg_database(admin, "atlas_auth_test") as name:
        yield pg_database_url(name)


def auth_client(home: Path, db_url: str, **values: object) -> TestClient:
    """A client of a fresh app with authentication on (use it in a ``with`` block)."""
    home.mkdir(exist_ok=True)
    return make_client(auth_settings(home, db_url=db_url, **values))


def store_of(client: TestClient) -> Store:
    """The store of the app ``client`` talks to (its lifespan must be running)."""
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def add_user(
    store: Store, name: str, *, admin: bool = False, password: str | None = PASSWORD
) -> None:
    """Add a user as ``atlas users add`` does (``password=None``: single sign-on only)."""
    hashed = None if password is None else hash_password(password)
    store.create_user(name, password_hash=hashed, admin=admin)


def add_team(store: Store, project: str, roles: Mapping[str, Role | None]) -> dict[str, str]:
    """Users ``roles`` names (each added), project ``project`` owned by the one whose role is
    ``OWNER`` and the others its members in their roles (``None``: no role); each user's new
    API token, by name."""
    for name in roles:
        add_user(store, name)
    owner = next(name for name, role in roles.items() if role is Role.OWNER)
    store.create_project(project, owner=owner)
    for name, role in roles.items():
        if role is not None and name != owner:
            store.set_member(project, name, role)
    return {name: mint_token(store, name) for name in roles}


def mint_token(
    store: Store,
    user: str | None,
    *,
    project: str | None = None,
    role: Role | None = None,
    job_id: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A new API token (or, with ``job_id``, a job's own token); its secret."""
    secret = new_secret()
    store.create_token(
        token_id=secret.id,
        digest=secret.digest,
        name=f"test {secret.id}",
        user=user,
        expires_at=expires_at,
        project=project,
        role=role,
        job_id=job_id,
    )
    return secret.secret


def new_session(store: Store, user: str, *, lifetime_s: float = 3600.0) -> tuple[str, str]:
    """A browser session of ``user`` as a login starts one: (cookie secret, CSRF token)."""
    secret = new_secret("atlas_session_")
    csrf = uuid.uuid4().hex
    expires = datetime.now(UTC) + timedelta(seconds=lifetime_s)
    store.create_session(user, digest=secret.digest, csrf=csrf, expires_at=expires)
    return secret.secret, csrf


def bearer(secret: str) -> dict[str, str]:
    """The header that sends ``secret`` as a bearer token."""
    return {"Authorization": f"Bearer {secret}"}


def session_headers(secret: str, csrf: str | None = None) -> dict[str, str]:
    """The headers a browser sends with a session cookie (and, for writes, the CSRF token).
    Sent as a header, not through the client's cookie jar, so nothing leaks between
    principals."""
    headers = {"Cookie": f"{SESSION_COOKIE}={secret}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


def token_digest(secret: str) -> str:
    """The digest the store keeps of ``secret``."""
    return digest(secret)
