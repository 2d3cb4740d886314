"""Wire models of accounts: users, sessions, API tokens, project members and the audit
trail (docs/auth.md). The shared building blocks come from ``atlas.server.schemas``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from atlas.domain import ApiToken, AuditEntry, Membership, Role, User
from atlas.names import MAX_TOKEN_NAME_LENGTH, MAX_USER_NAME_LENGTH, USER_NAME_PATTERN
from atlas.server.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from atlas.server.schemas import ProjectName, Text, UtcDatetime, WireModel

__all__ = [
    "AuditOut",
    "LoginIn",
    "LoginOut",
    "MeOut",
    "MemberIn",
    "MemberOut",
    "PasswordChange",
    "SsoOut",
    "TokenCreate",
    "TokenCreated",
    "TokenOut",
    "UserCreate",
    "UserOut",
    "UserUpdate",
    "role_of",
]

UserName = Annotated[str, StringConstraints(pattern=USER_NAME_PATTERN)]
RoleName = Literal["viewer", "editor", "owner"]
Password = Annotated[
    Text, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
]
MAX_TOKEN_SECONDS = 10 * 365 * 86400
"""Longest lifetime of an API token: ten years."""


class UserOut(WireModel):
    name: str
    display_name: str
    email: str
    admin: bool
    disabled: bool
    source: str
    created_at: UtcDatetime
    last_login_at: UtcDatetime | None

    @classmethod
    def from_domain(cls, user: User) -> UserOut:
        """The wire form of ``user``."""
        return cls(
            name=user.name,
            display_name=user.display_name,
            email=user.email,
            admin=user.admin,
            disabled=user.disabled,
            source=user.source,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class LoginIn(WireModel):
    # Any text up to the limits: a name or password that cannot exist simply fails to log in.
    name: Annotated[Text, StringConstraints(max_length=MAX_USER_NAME_LENGTH)]
    password: Annotated[Text, StringConstraints(max_length=MAX_PASSWORD_LENGTH + 1)]


class LoginOut(WireModel):
    user: UserOut
    csrf_token: str


class SsoOut(WireModel):
    enabled: bool
    label: str


class MeOut(WireModel):
    auth: bool
    kind: Literal["local", "anonymous", "session", "token", "job"]
    user: UserOut | None
    csrf_token: str | None
    sso: SsoOut


class PasswordChange(WireModel):
    current: Annotated[Text, StringConstraints(max_length=MAX_PASSWORD_LENGTH + 1)]
    new: Password


class UserCreate(WireModel):
    name: UserName
    password: Password | None = None
    admin: bool = False


class UserUpdate(WireModel):
    admin: bool | None = None
    disabled: bool | None = None
    password: Password | None = None


class TokenCreate(WireModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=MAX_TOKEN_NAME_LENGTH)]
    expires_in: Annotated[int, Field(gt=0, le=MAX_TOKEN_SECONDS)] | None = None
    project: ProjectName | None = None
    role: RoleName | None = None


class TokenOut(WireModel):
    id: str
    name: str
    user: str | None
    project: str | None
    role: RoleName | None
    created_at: UtcDatetime
    expires_at: UtcDatetime | None
    last_used_at: UtcDatetime | None

    @classmethod
    def from_domain(cls, token: ApiToken) -> TokenOut:
        """The wire form of ``token`` (never its secret)."""
        return cls(
            id=token.id,
            name=token.name,
            user=token.user,
            project=token.project,
            role=None if token.role is None else token.role.value,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
        )


class TokenCreated(WireModel):
    token: TokenOut
    secret: str


class MemberIn(WireModel):
    role: RoleName


class MemberOut(WireModel):
    user: str
    role: RoleName
    added_at: UtcDatetime

    @classmethod
    def from_domain(cls, member: Membership) -> MemberOut:
        """The wire form of ``member``."""
        return cls(user=member.user, role=member.role.value, added_at=member.added_at)


class AuditOut(WireModel):
    id: int
    time: UtcDatetime
    actor: str
    action: str
    target: str
    address: str

    @classmethod
    def from_domain(cls, entry: AuditEntry) -> AuditOut:
        """The wire form of ``entry``."""
        return cls(
            id=entry.id,
            time=entry.time,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            address=entry.address,
        )


def role_of(name: RoleName | None) -> Role | None:
    """The domain role a wire role names."""
    return None if name is None else Role(name)
