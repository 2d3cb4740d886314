"""Users of a server with authentication on, and their browser sessions, as functions over an
open connection (one transaction).

A session is known by the SHA-256 digest of its cookie's secret (``atlas.tokens.digest``):
the secret itself is never stored. Disabling a user or changing their password deletes their
sessions; their API tokens are kept but stop working while the user is disabled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from atlas.domain import AuthSession, User
from atlas.errors import ConflictError, NotFoundError
from atlas.names import check_user_name, invalid, is_sha256, is_storable
from atlas.store.conversions import utc_now
from atlas.store.tables import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_HASH_LENGTH,
    MAX_SUBJECT_LENGTH,
    sessions_table,
    users_table,
)
from atlas.store.validation import check_text

__all__ = [
    "USER_SOURCES",
    "check_digest",
    "check_time",
    "count_admins",
    "create_session",
    "create_user",
    "delete_session",
    "extend_session",
    "get_session",
    "get_user",
    "list_users",
    "password_hash",
    "record_login",
    "update_user",
    "user_from_row",
    "user_id",
]

USER_SOURCES = ("local", "oidc")
"""Where a user comes from: ``local`` (a password set here) or ``oidc`` (single sign-on)."""
_MAX_CSRF_LENGTH = 100

_U = users_table
_S = sessions_table


def user_id(conn: Connection, name: str) -> int:
    """The id of the user called ``name``; ``NotFoundError`` when there is none."""
    found = conn.scalar(select(_U.c.id).where(_U.c.name == name)) if is_storable(name) else None
    if found is None:
        raise NotFoundError(f"user {name!r} not found", detail={"user": name})
    return int(found)


def user_from_row(row: Row[Any]) -> User:
    """A ``User`` from a ``users`` row (or a join holding its columns)."""
    return User(
        name=row.name,
        admin=bool(row.admin),
        disabled=bool(row.disabled),
        created_at=row.created_at,
        source=row.source,
        display_name=row.display_name,
        email=row.email,
        last_login_at=row.last_login_at,
    )


def create_user(
    conn: Connection,
    name: str,
    *,
    password_hash: str | None,
    admin: bool,
    source: str,
    display_name: str,
    email: str,
) -> User:
    """Insert a user; ``ConflictError`` when the name is taken."""
    check_user_name(name)
    if source not in USER_SOURCES:
        raise invalid("source", f"source must be one of {', '.join(USER_SOURCES)}")
    values = {
        "name": name,
        "password_hash": _check_hash(password_hash),
        "admin": _check_flag(admin, "admin"),
        "disabled": False,
        "source": source,
        "display_name": check_text(
            display_name, field="display_name", max_length=MAX_DISPLAY_NAME_LENGTH
        ),
        "email": check_text(email, field="email", max_length=MAX_EMAIL_LENGTH),
        "created_at": utc_now(),
    }
    try:
        conn.execute(insert(_U).values(values))
    except IntegrityError as exc:
        raise ConflictError(f"user {name!r} already exists", detail={"user": name}) from exc
    return get_user(conn, name)


def get_user(conn: Connection, name: str) -> User:
    """The user called ``name``; ``NotFoundError`` when there is none."""
    row = conn.execute(select(_U).where(_U.c.id == user_id(conn, name))).one()
    return user_from_row(row)


def password_hash(conn: Connection, name: str) -> tuple[User, str | None] | None:
    """The user and their password hash; ``None`` when there is no such user."""
    if not is_storable(name):
        return None
    row = conn.execute(select(_U).where(_U.c.name == name)).one_or_none()
    return None if row is None else (user_from_row(row), row.password_hash)


def list_users(conn: Connection) -> list[User]:
    """Every user, by name."""
    return [user_from_row(row) for row in conn.execute(select(_U).order_by(_U.c.name))]


def update_user(
    conn: Connection,
    name: str,
    *,
    admin: bool | None,
    disabled: bool | None,
    password_hash: str | None,
    display_name: str | None,
    email: str | None,
) -> User:
    """Change what is given (see ``Store.update_user``)."""
    uid = user_id(conn, name)
    values: dict[str, object] = {}
    if admin is not None:
        values["admin"] = _check_flag(admin, "admin")
    if disabled is not None:
        values["disabled"] = _check_flag(disabled, "disabled")
    if password_hash is not None:
        values["password_hash"] = _check_hash(password_hash)
    if display_name is not None:
        values["display_name"] = check_text(
            display_name, field="display_name", max_length=MAX_DISPLAY_NAME_LENGTH
        )
    if email is not None:
        values["email"] = check_text(email, field="email", max_length=MAX_EMAIL_LENGTH)
    if admin is False or disabled is True:
        _keep_an_admin(conn, uid, name)
    if values:
        conn.execute(update(_U).where(_U.c.id == uid).values(values))
    if disabled is True or password_hash is not None:
        conn.execute(delete(_S).where(_S.c.user_id == uid))
    return get_user(conn, name)


def _keep_an_admin(conn: Connection, uid: int, name: str) -> None:
    """``ConflictError`` when user ``uid`` is the last enabled admin. The admins' rows are
    locked (PostgreSQL), so two demotions at once cannot both pass."""
    admins = set(
        conn.scalars(
            select(_U.c.id).where(_U.c.admin.is_(True), _U.c.disabled.is_(False)).with_for_update()
        )
    )
    if admins == {uid}:
        raise ConflictError(
            f"user {name!r} is the last enabled admin: make another user admin first",
            detail={"user": name},
        )


def record_login(conn: Connection, name: str) -> None:
    """Stamp the user's ``last_login_at`` with now."""
    conn.execute(update(_U).where(_U.c.id == user_id(conn, name)).values(last_login_at=utc_now()))


def user_by_subject(conn: Connection, subject: str) -> User | None:
    """The single sign-on user bound to the provider account ``subject``, if any."""
    row = conn.execute(select(_U).where(_U.c.subject == subject)).one_or_none()
    return None if row is None else user_from_row(row)


def subject_of(conn: Connection, name: str) -> str | None:
    """The provider account user ``name`` is bound to (``None``: none yet, or a local user)."""
    return conn.scalar(select(_U.c.subject).where(_U.c.id == user_id(conn, name)))


def bind_subject(conn: Connection, name: str, subject: str) -> None:
    """Bind single sign-on user ``name`` to the provider account ``subject``; a user bound
    to another account, or an account bound to another user: ``ConflictError``."""
    check_text(subject, field="subject", max_length=MAX_SUBJECT_LENGTH)
    uid = user_id(conn, name)
    bound = conn.scalar(select(_U.c.subject).where(_U.c.id == uid))
    if bound == subject:
        return
    if bound is not None:
        raise ConflictError(f"user {name!r} belongs to another account", detail={"user": name})
    try:
        conn.execute(update(_U).where(_U.c.id == uid).values(subject=subject))
    except IntegrityError as exc:
        raise ConflictError(
            "this provider account already has a user here", detail={"user": name}
        ) from exc


def count_admins(conn: Connection) -> int:
    """Enabled instance admins."""
    query = select(func.count()).where(_U.c.admin.is_(True), _U.c.disabled.is_(False))
    return int(conn.scalar(query) or 0)


# -- browser sessions -----------------------------------------------------------------------
def create_session(
    conn: Connection, user: str, *, digest: str, csrf: str, expires_at: datetime
) -> AuthSession:
    """Start a session of ``user`` known by ``digest``; the user's expired sessions go."""
    uid = user_id(conn, user)
    now = utc_now()
    expires = check_time(expires_at, "expires_at")
    values = {
        "digest": check_digest(digest),
        "user_id": uid,
        "csrf": check_text(csrf, field="csrf", max_length=_MAX_CSRF_LENGTH),
        "created_at": now,
        "expires_at": expires,
    }
    conn.execute(delete(_S).where(_S.c.user_id == uid, _S.c.expires_at <= now))
    try:
        conn.execute(insert(_S).values(values))
    except IntegrityError as exc:
        raise ConflictError("a session with this secret already exists") from exc
    return AuthSession(user=get_user(conn, user), csrf=csrf, expires_at=expires)


def get_session(conn: Connection, digest: str, *, now: datetime) -> AuthSession | None:
    """The live session known by ``digest``: ``None`` when unknown, expired, or its user
    disabled."""
    if not is_storable(digest):
        return None
    query = (
        select(_U, _S.c.csrf, _S.c.expires_at.label("session_expires_at"))
        .join(_S, _S.c.user_id == _U.c.id)
        .where(_S.c.digest == digest, _S.c.expires_at > now, _U.c.disabled.is_(False))
    )
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return AuthSession(user=user_from_row(row), csrf=row.csrf, expires_at=row.session_expires_at)


def extend_session(conn: Connection, digest: str, *, expires_at: datetime) -> None:
    """Move a live session's end to ``expires_at``; an unknown or ended one stays ended."""
    if not is_storable(digest):
        return
    conn.execute(
        update(_S)
        .where(_S.c.digest == digest, _S.c.expires_at > utc_now())
        .values(expires_at=check_time(expires_at, "expires_at"))
    )


def delete_session(conn: Connection, digest: str) -> None:
    """End the session known by ``digest`` (unknown digests are ignored)."""
    if is_storable(digest):
        conn.execute(delete(_S).where(_S.c.digest == digest))


def _check_hash(value: str | None) -> str | None:
    if value is None:
        return None
    return check_text(value, field="password_hash", max_length=MAX_PASSWORD_HASH_LENGTH)


def check_digest(value: object) -> str:
    """``value`` when it is a secret's digest (``atlas.tokens.digest``)."""
    if not isinstance(value, str) or not is_sha256(value):
        raise invalid("digest", "a secret's digest is 64 hex digits (atlas.tokens.digest)")
    return value


def _check_flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, f"{field} must be true or false")
    return value


def check_time(value: object, field: str) -> datetime:
    """``value`` as an aware UTC datetime (a naive one is taken as UTC)."""
    if not isinstance(value, datetime):
        raise invalid(field, f"{field} must be a date and time")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
