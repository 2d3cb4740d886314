"""The JSON of the accounts routes (``/auth/me``, ``/users``, ``/tokens``, project members,
``/audit``; docs/auth.md) turned into ``atlas.domain`` dataclasses (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass

from atlas.domain import ApiToken, AuditEntry, Membership, Role, User
from atlas.sdk.wire import (
    _answer,
    _int,
    _object,
    _optional_text,
    _optional_time,
    _text,
    parse_time,
)

__all__ = [
    "Identity",
    "NewToken",
    "parse_audit_entry",
    "parse_identity",
    "parse_member",
    "parse_new_token",
    "parse_token",
    "parse_user",
]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the server takes a request for (``GET /auth/me``): whether authentication is on,
    the user (``None``: anonymous), and how they proved it (``kind``: ``local`` with
    authentication off, ``session``, ``token``, ``job`` or ``anonymous``)."""

    auth: bool
    kind: str
    user: User | None
    sso_enabled: bool = False


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just created: the token as listed, and its ``secret``, which the server shows
    this once."""

    token: ApiToken
    secret: str


@_answer("user")
def parse_user(data: object) -> User:
    """A ``User`` object."""
    body = _object(data)
    return User(
        name=_text(body["name"]),
        admin=bool(body["admin"]),
        disabled=bool(body["disabled"]),
        created_at=parse_time(body["created_at"]),
        source=_text(body.get("source") or "local"),
        display_name=_text(body.get("display_name")),
        email=_text(body.get("email")),
        last_login_at=_optional_time(body.get("last_login_at")),
    )


@_answer("identity")
def parse_identity(data: object) -> Identity:
    """The answer of ``GET /auth/me``."""
    body = _object(data)
    user = body.get("user")
    sso = body.get("sso")
    return Identity(
        auth=bool(body["auth"]),
        kind=_text(body["kind"]),
        user=None if user is None else parse_user(user),
        sso_enabled=isinstance(sso, dict) and bool(sso.get("enabled")),
    )


@_answer("token")
def parse_token(data: object) -> ApiToken:
    """A ``Token`` object (never holds the secret)."""
    body = _object(data)
    role = _optional_text(body.get("role"))
    return ApiToken(
        id=_text(body["id"]),
        name=_text(body["name"]),
        user=_optional_text(body.get("user")),
        created_at=parse_time(body["created_at"]),
        expires_at=_optional_time(body.get("expires_at")),
        last_used_at=_optional_time(body.get("last_used_at")),
        project=_optional_text(body.get("project")),
        role=None if role is None else Role(role),
    )


@_answer("new token")
def parse_new_token(data: object) -> NewToken:
    """The answer of ``POST /tokens``: the token and its secret."""
    body = _object(data)
    return NewToken(token=parse_token(body["token"]), secret=_text(body["secret"]))


@_answer("member")
def parse_member(data: object, project: str) -> Membership:
    """A ``Member`` object of ``project``."""
    body = _object(data)
    return Membership(
        project=project,
        user=_text(body["user"]),
        role=Role(_text(body["role"])),
        added_at=parse_time(body["added_at"]),
    )


@_answer("audit entry")
def parse_audit_entry(data: object) -> AuditEntry:
    """An ``AuditEntry`` object."""
    body = _object(data)
    return AuditEntry(
        id=_int(body["id"]),
        time=parse_time(body["time"]),
        actor=_text(body["actor"]),
        action=_text(body["action"]),
        target=_text(body["target"]),
        address=_text(body.get("address")),
    )
