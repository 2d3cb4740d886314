"""The ``Client`` methods of the accounts routes (docs/auth.md): who am I, logging in, users,
API tokens, project members and the audit trail. ``atlas.sdk.client.Client`` has them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas.domain import ApiToken, AuditEntry, Membership, Role, User
from atlas.sdk import accounts, wire
from atlas.sdk.accounts import Identity, NewToken
from atlas.sdk.connection import segment

if TYPE_CHECKING:
    from atlas.sdk.connection import Connection

__all__ = ["AccountRoutes"]


class AccountRoutes:
    """What a ``Client`` asks of the accounts routes; errors as for every ``Client`` method
    (``UnauthenticatedError``, ``PermissionDeniedError``, ``NotFoundError`` when
    authentication is off on the server, ...)."""

    _connection: Connection  # set by Client.__init__

    def me(self) -> Identity:
        """Who the server takes this client for, and whether authentication is on."""
        return accounts.parse_identity(self._connection.json("GET", "/auth/me"))

    def login(self, name: str, password: str) -> User:
        """Log in with a password: this client then acts through the browser session
        (its cookie, and the CSRF token on every write). ``UnauthenticatedError`` for a
        wrong name or password, ``NotFoundError`` when authentication is off there."""
        answer = self._connection.json(
            "POST", "/auth/login", body={"name": name, "password": password}
        )
        body = answer if isinstance(answer, dict) else {}
        self._connection.use_session(str(body.get("csrf_token") or "") or None)
        return accounts.parse_user(body.get("user"))

    def logout(self) -> None:
        """End the session :meth:`login` started."""
        self._connection.send("POST", "/auth/logout")
        self._connection.use_session(None)

    def change_password(self, current: str, new: str) -> None:
        """Change one's own password (every session of the user ends)."""
        self._connection.send("PUT", "/auth/password", body={"current": current, "new": new})

    def list_users(self) -> list[User]:
        """Every user, by name (admins only)."""
        return [
            accounts.parse_user(u) for u in wire.items_of(self._connection.json("GET", "/users"))
        ]

    def create_user(self, name: str, *, password: str | None = None, admin: bool = False) -> User:
        """Add a user (admins only); without a password they sign in through single sign-on
        only. ``ConflictError`` when the name is taken."""
        body = {"name": name, "password": password, "admin": admin}
        return accounts.parse_user(self._connection.json("POST", "/users", body=body))

    def update_user(
        self,
        name: str,
        *,
        admin: bool | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> User:
        """Change what is given of a user (admins only). ``ConflictError`` when it would
        leave no enabled admin."""
        fields = {"admin": admin, "disabled": disabled, "password": password}
        body = {key: value for key, value in fields.items() if value is not None}
        return accounts.parse_user(
            self._connection.json("PATCH", f"/users/{segment(name)}", body=body)
        )

    def create_token(
        self,
        name: str,
        *,
        expires_in: float | None = None,
        project: str | None = None,
        role: Role | str | None = None,
    ) -> NewToken:
        """Create an API token of the caller, expiring after ``expires_in`` seconds (never:
        ``None``); with ``project``, one that reaches only that project with at most
        ``role`` (default viewer). The answer holds the secret, which is never shown again."""
        body = {
            "name": name,
            "expires_in": None if expires_in is None else max(1, round(expires_in)),
            "project": project,
            "role": None if role is None else str(role),
        }
        return accounts.parse_new_token(self._connection.json("POST", "/tokens", body=body))

    def list_tokens(self, *, all: bool = False) -> list[ApiToken]:
        """The caller's live API tokens, newest first; ``all``: everyone's (admins)."""
        answer = self._connection.json("GET", "/tokens", params={"all": "true"} if all else None)
        return [accounts.parse_token(t) for t in wire.items_of(answer)]

    def revoke_token(self, token_id: str) -> None:
        """Revoke one of the caller's tokens (admins: anyone's); it stops working at once."""
        self._connection.send("DELETE", f"/tokens/{segment(token_id)}")

    def list_members(self, project: str) -> list[Membership]:
        """The project's members and their roles, owners first."""
        answer = self._connection.json("GET", f"/projects/{segment(project)}/members")
        return [accounts.parse_member(m, project) for m in wire.items_of(answer)]

    def set_member(self, project: str, user: str, role: Role | str) -> Membership:
        """Give ``user`` ``role`` in the project, or change it (owners). ``ConflictError``
        when it would leave the project without an owner."""
        path = f"/projects/{segment(project)}/members/{segment(user)}"
        return accounts.parse_member(
            self._connection.json("PUT", path, body={"role": str(role)}), project
        )

    def remove_member(self, project: str, user: str) -> None:
        """Take ``user``'s role in the project away (owners); ``ConflictError`` for its last
        owner."""
        self._connection.send("DELETE", f"/projects/{segment(project)}/members/{segment(user)}")

    def list_audit(
        self, *, limit: int = 100, before: int | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        """The audit trail, newest first (admins): ``limit`` entries (1-1000) older than the
        entry ``before``, of ``actor`` only when given."""
        query: dict[str, str | int] = {"limit": limit}
        if before is not None:
            query["before"] = before
        if actor is not None:
            query["actor"] = actor
        answer = self._connection.json("GET", "/audit", params=query)
        return [accounts.parse_audit_entry(e) for e in wire.items_of(answer)]
