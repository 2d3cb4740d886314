"""``Principal``: who a request speaks for, and the rights that follow from it.

A principal is resolved once per request from its credentials (``atlas.server.auth.
credentials``); the checks in ``atlas.server.auth.access`` ask it what it may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlas.domain import Role

__all__ = ["LOCAL_USER", "Principal", "PrincipalKind"]

LOCAL_USER = "local"
"""Whom a server with authentication off takes every request for: its one admin."""


class PrincipalKind(StrEnum):
    """How a request proved who it is."""

    LOCAL = "local"  # authentication is off: everyone is the admin
    ANONYMOUS = "anonymous"  # no credentials
    SESSION = "session"  # a browser's session cookie
    TOKEN = "token"  # a user's API token
    JOB = "job"  # a scheduled job's own token


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling. ``project`` and ``role`` bound a scoped token (a job token: its job's
    project as viewer); ``job_id`` is the job a job token writes; ``csrf`` the session's
    CSRF token; ``token_id`` the API token used."""

    kind: PrincipalKind
    user: str | None = None
    admin: bool = False
    project: str | None = None
    role: Role | None = None
    job_id: str | None = None
    csrf: str | None = None
    token_id: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether the caller is someone (not anonymous)."""
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def is_person(self) -> bool:
        """Whether the caller acts as a user (a session or a user's token; not a job)."""
        return self.kind in (PrincipalKind.LOCAL, PrincipalKind.SESSION, PrincipalKind.TOKEN)

    @property
    def actor(self) -> str:
        """How the audit trail names the caller: the user, or ``job:<id>``."""
        if self.kind is PrincipalKind.JOB:
            return f"job:{self.job_id}"
        return self.user or "anonymous"

    def bound(self, project: str, role: Role | None) -> Role | None:
        """The role this caller has in ``project``, given the user's own ``role`` there:
        admins own every project (unless their token is scoped elsewhere); a scoped token
        reaches only its project, with at most its role."""
        if self.kind is PrincipalKind.ANONYMOUS:
            return None
        if self.project is not None:
            if project != self.project:
                return None
            if self.kind is PrincipalKind.JOB:
                return self.role
            own = Role.OWNER if self.admin else role
            if own is None or self.role is None:
                return None
            return own if self.role.allows(own) else self.role
        if self.admin:
            return Role.OWNER
        return role


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS)
