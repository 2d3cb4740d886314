"""API tokens and job tokens, as functions over an open connection (one transaction).

A token is stored by the SHA-256 digest of its secret (``atlas.tokens``). A user's token
acts for the user, narrowed to one project and at most one role when it names them. A job's
own token (``job_id`` set) reads the job's project and writes the job; it works from the
job's launch until the job ends: every move to a final status revokes it (``jobs``), and a
job that has ended never has a live token even before that.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from atlas.domain import FINAL_STATUSES, ApiToken, Role
from atlas.errors import ConflictError, NotFoundError
from atlas.names import MAX_TOKEN_ID_LENGTH, check_token_name, invalid, is_storable
from atlas.store.conversions import utc_now
from atlas.store.projects import project_id
from atlas.store.tables import jobs_table, projects_table, tokens_table, users_table
from atlas.store.users import check_digest, check_time, user_id

__all__ = [
    "create_token",
    "get_token",
    "list_tokens",
    "revoke_job_tokens",
    "revoke_token",
    "touch_token",
]

_T = tokens_table
_U = users_table
_P = projects_table
_J = jobs_table
_ENDED = sorted(str(status) for status in FINAL_STATUSES)


def create_token(
    conn: Connection,
    *,
    token_id: str,
    digest: str,
    name: str,
    user: str | None,
    expires_at: datetime | None,
    project: str | None,
    role: Role | None,
    job_id: str | None,
) -> ApiToken:
    """Store a token (see ``Store.create_token``); ``ConflictError`` when its id or digest
    is taken."""
    values: dict[str, object] = {
        "id": _check_id(token_id),
        "digest": check_digest(digest),
        "name": check_token_name(name),
        "user_id": None if user is None else user_id(conn, user),
        "created_at": utc_now(),
        "expires_at": None if expires_at is None else check_time(expires_at, "expires_at"),
    }
    values |= _scope(conn, user=user, project=project, role=role, job_id=job_id)
    try:
        conn.execute(insert(_T).values(values))
    except IntegrityError as exc:
        raise ConflictError("a token with this id or secret already exists") from exc
    row = conn.execute(_tokens().where(_T.c.id == token_id)).one()
    return _token_from_row(row)


def _scope(
    conn: Connection,
    *,
    user: str | None,
    project: str | None,
    role: Role | None,
    job_id: str | None,
) -> dict[str, object]:
    """The project, role and job columns of a new token."""
    if job_id is not None:
        if project is not None or role is not None:
            raise invalid("project", "a job's token reads its job's project: give no project")
        found = None
        if is_storable(job_id):
            found = conn.scalar(select(_J.c.project_id).where(_J.c.id == job_id))
        if found is None:
            raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
        return {"job_id": job_id, "project_id": int(found), "role": str(Role.VIEWER)}
    if user is None:
        raise invalid("user", "a token that is not a job's belongs to a user")
    if project is None:
        if role is not None:
            raise invalid("role", "a role narrows a token to a project: give the project too")
        return {"job_id": None, "project_id": None, "role": None}
    try:
        narrowed = Role(role or Role.VIEWER)
    except ValueError as exc:
        raise invalid("role", "role must be one of viewer, editor, owner") from exc
    return {"job_id": None, "project_id": project_id(conn, project), "role": str(narrowed)}


def get_token(conn: Connection, digest: str, *, now: datetime) -> ApiToken | None:
    """The live token known by ``digest`` (see ``Store.get_token``), or ``None``."""
    if not is_storable(digest):
        return None
    live = and_(
        _T.c.digest == digest,
        _live(now),
        or_(_T.c.user_id.is_(None), _U.c.disabled.is_(False)),
        or_(_T.c.job_id.is_(None), _J.c.status.not_in(_ENDED)),
    )
    query = _tokens().add_columns(_U.c.admin, _U.c.disabled).where(live)
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    token = _token_from_row(row)
    if token.job_id is None and token.project is None and bool(row.admin):
        return replace(token, admin=True)
    return token


def list_tokens(conn: Connection, user: str | None) -> list[ApiToken]:
    """Live user tokens (not job tokens) of ``user`` (every user's when ``None``), newest
    first; ``NotFoundError`` for an unknown user."""
    query = _tokens().where(_T.c.job_id.is_(None), _live(utc_now()))
    if user is not None:
        query = query.where(_T.c.user_id == user_id(conn, user))
    rows = conn.execute(query.order_by(_T.c.created_at.desc(), _T.c.id.desc()))
    return [_token_from_row(row) for row in rows]


def revoke_token(conn: Connection, token_id: str, *, user: str | None) -> None:
    """Revoke the token ``token_id`` (a user's own when ``user`` is given); ``NotFoundError``
    when there is no such token (or it is not ``user``'s). Revoking twice is harmless."""
    missing = NotFoundError(f"token {token_id} not found", detail={"token_id": token_id})
    if not is_storable(token_id):
        raise missing
    where: list[ColumnElement[bool]] = [_T.c.id == token_id]
    if user is not None:
        try:
            where += [_T.c.user_id == user_id(conn, user), _T.c.job_id.is_(None)]
        except NotFoundError:
            raise missing from None
    live = conn.scalar(select(_T.c.revoked_at.is_(None)).where(*where))
    if live is None:
        raise missing
    if live:
        conn.execute(update(_T).where(_T.c.id == token_id).values(revoked_at=utc_now()))


def touch_token(conn: Connection, token_id: str, *, now: datetime) -> None:
    """Stamp the token's ``last_used_at`` (unknown ids are ignored)."""
    if is_storable(token_id):
        conn.execute(
            update(_T).where(_T.c.id == token_id).values(last_used_at=check_time(now, "now"))
        )


def revoke_job_tokens(conn: Connection, job_ids: Collection[str]) -> None:
    """Revoke the live tokens of the jobs ``job_ids``."""
    if job_ids:
        conn.execute(
            update(_T)
            .where(_T.c.job_id.in_(list(job_ids)), _T.c.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(_T.c.revoked_at.is_(None), or_(_T.c.expires_at.is_(None), _T.c.expires_at > now))


def _tokens() -> Select[Any]:
    """Tokens with their user's and project's names (and their job's status, for joins)."""
    return (
        select(_T, _U.c.name.label("user_name"), _P.c.name.label("project_name"))
        .outerjoin(_U, _U.c.id == _T.c.user_id)
        .outerjoin(_P, _P.c.id == _T.c.project_id)
        .outerjoin(_J, _J.c.id == _T.c.job_id)
    )


def _token_from_row(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        user=row.user_name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        project=row.project_name,
        role=None if row.role is None else Role(row.role),
        job_id=row.job_id,
    )


def _check_id(token_id: object) -> str:
    if not isinstance(token_id, str) or not 1 <= len(token_id) <= MAX_TOKEN_ID_LENGTH:
        raise invalid("token_id", f"a token id has 1 to {MAX_TOKEN_ID_LENGTH} characters")
    if not token_id.isascii() or not token_id.isalnum():
        raise invalid("token_id", "a token id has only letters and digits")
    return token_id
