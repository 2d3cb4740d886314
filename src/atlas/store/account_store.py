"""The accounts half of ``SqlStore``: users, browser sessions, API and job tokens, project
members and the audit trail (servers with authentication on; docs/auth.md).

``SqlAccounts`` opens the transactions, as ``SqlStore`` does for projects and jobs; the work
is done by the modules named after what they own (``users``, ``api_tokens``, ``members``,
``audit``). ``SqlStore`` inherits it, with the engine and the two kinds of transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine

from atlas.domain import ApiToken, AuditEntry, AuthSession, Membership, Role, User
from atlas.store import api_tokens, audit, members, server_secrets, users

__all__ = ["SqlAccounts"]


class SqlAccounts:
    """Accounts on the database of ``_engine``; ``_writer`` is the same engine whose
    transactions begin as writers (``engine.writer``)."""

    _engine: Engine
    _writer: Engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    # -- users ------------------------------------------------------------------------------
    def create_user(
        self,
        name: str,
        *,
        password_hash: str | None,
        admin: bool = False,
        source: str = "local",
        display_name: str = "",
        email: str = "",
    ) -> User:
        """Add a user; ``ConflictError`` when the name is taken."""
        with self._write() as conn:
            return users.create_user(
                conn,
                name,
                password_hash=password_hash,
                admin=admin,
                source=source,
                display_name=display_name,
                email=email,
            )

    def get_user(self, name: str) -> User:
        """The user named ``name``; ``NotFoundError`` when there is none."""
        with self._read() as conn:
            return users.get_user(conn, name)

    def password_hash(self, name: str) -> tuple[User, str | None] | None:
        """The user and their password hash, for a login; ``None`` when no such user."""
        with self._read() as conn:
            return users.password_hash(conn, name)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with self._read() as conn:
            return users.list_users(conn)

    def update_user(
        self,
        name: str,
        *,
        admin: bool | None = None,
        disabled: bool | None = None,
        password_hash: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """Change what is given; see ``Store.update_user``."""
        with self._write() as conn:
            return users.update_user(
                conn,
                name,
                admin=admin,
                disabled=disabled,
                password_hash=password_hash,
                display_name=display_name,
                email=email,
            )

    def record_login(self, name: str) -> None:
        """Note that ``name`` just logged in."""
        with self._write() as conn:
            users.record_login(conn, name)

    def count_admins(self) -> int:
        """Enabled instance admins."""
        with self._read() as conn:
            return users.count_admins(conn)

    def user_by_subject(self, subject: str) -> User | None:
        """See ``Store.user_by_subject``."""
        with self._read() as conn:
            return users.user_by_subject(conn, subject)

    def subject_of(self, name: str) -> str | None:
        """See ``Store.subject_of``."""
        with self._read() as conn:
            return users.subject_of(conn, name)

    def bind_subject(self, name: str, subject: str) -> None:
        """See ``Store.bind_subject``."""
        with self._write() as conn:
            users.bind_subject(conn, name, subject)

    # -- browser sessions -------------------------------------------------------------------
    def create_session(
        self, user: str, *, digest: str, csrf: str, expires_at: datetime
    ) -> AuthSession:
        """Start a session for ``user`` known by the digest of its cookie's secret."""
        with self._write() as conn:
            return users.create_session(conn, user, digest=digest, csrf=csrf, expires_at=expires_at)

    def get_session(self, digest: str, *, now: datetime) -> AuthSession | None:
        """The live session known by ``digest``, or ``None``."""
        with self._read() as conn:
            return users.get_session(conn, digest, now=now)

    def extend_session(self, digest: str, *, expires_at: datetime) -> None:
        """Move a live session's end to ``expires_at``."""
        with self._write() as conn:
            users.extend_session(conn, digest, expires_at=expires_at)

    def delete_session(self, digest: str) -> None:
        """End a session; unknown digests are ignored."""
        with self._write() as conn:
            users.delete_session(conn, digest)

    # -- API tokens and job tokens ----------------------------------------------------------
    def create_token(
        self,
        *,
        token_id: str,
        digest: str,
        name: str,
        user: str | None,
        expires_at: datetime | None = None,
        project: str | None = None,
        role: Role | None = None,
        job_id: str | None = None,
    ) -> ApiToken:
        """Store a token by the digest of its secret; see ``Store.create_token``."""
        with self._write() as conn:
            return api_tokens.create_token(
                conn,
                token_id=token_id,
                digest=digest,
                name=name,
                user=user,
                expires_at=expires_at,
                project=project,
                role=role,
                job_id=job_id,
            )

    def get_token(self, digest: str, *, now: datetime) -> ApiToken | None:
        """The live token whose secret has ``digest``, or ``None``."""
        with self._read() as conn:
            return api_tokens.get_token(conn, digest, now=now)

    def list_tokens(self, user: str | None = None) -> list[ApiToken]:
        """Live user tokens of ``user``, or of everyone; newest first."""
        with self._read() as conn:
            return api_tokens.list_tokens(conn, user)

    def revoke_token(self, token_id: str, *, user: str | None = None) -> None:
        """Revoke a token (only one of ``user``'s when given)."""
        with self._write() as conn:
            api_tokens.revoke_token(conn, token_id, user=user)

    def touch_token(self, token_id: str, *, now: datetime) -> None:
        """Record that the token was just used."""
        with self._write() as conn:
            api_tokens.touch_token(conn, token_id, now=now)

    def revoke_job_tokens(self, job_id: str) -> None:
        """Revoke the job's own tokens."""
        with self._write() as conn:
            api_tokens.revoke_job_tokens(conn, [job_id])

    # -- project members --------------------------------------------------------------------
    def project_role(self, project: str, user: str) -> Role | None:
        """``user``'s role in ``project``, or ``None``."""
        with self._read() as conn:
            return members.project_role(conn, project, user)

    def roles_of(self, user: str) -> dict[str, Role]:
        """Every project ``user`` has a role in, with the role."""
        with self._read() as conn:
            return members.roles_of(conn, user)

    def list_members(self, project: str) -> list[Membership]:
        """The project's members, owners first, then by name."""
        with self._read() as conn:
            return members.list_members(conn, project)

    def set_member(self, project: str, user: str, role: Role) -> Membership:
        """Give ``user`` ``role`` in ``project``; see ``Store.set_member``."""
        with self._write() as conn:
            return members.set_member(conn, project, user, role)

    def remove_member(self, project: str, user: str) -> None:
        """Take ``user``'s role in ``project`` away; see ``Store.remove_member``."""
        with self._write() as conn:
            members.remove_member(conn, project, user)

    # -- audit trail ------------------------------------------------------------------------
    def record_audit(self, *, actor: str, action: str, target: str, address: str) -> None:
        """Append one change to the audit trail."""
        with self._write() as conn:
            audit.record_audit(conn, actor=actor, action=action, target=target, address=address)

    def list_audit(
        self, *, limit: int = 100, before: int | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        """The audit trail, newest first (see ``Store.list_audit``)."""
        with self._read() as conn:
            return audit.list_audit(conn, limit=limit, before=before, actor=actor)

    # -- server secrets ---------------------------------------------------------------------
    def server_secret(self, name: str) -> bytes:
        """The secret called ``name``, made at its first use (see ``Store.server_secret``)."""
        with self._read() as conn:
            found = server_secrets.find_secret(conn, name)
        if found is not None:
            return found
        with self._write() as conn:
            return server_secrets.make_secret(conn, name)
