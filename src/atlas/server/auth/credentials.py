"""From a request's credentials to its :class:`Principal`, with the lookups cached.

A request proves who it is with ``Authorization: Bearer atlas_...`` (an API token or a job
token) or with the ``atlas_session`` cookie of a browser session; with neither it is
anonymous. Token and session lookups are cached for a few seconds (ingest sends many
requests a second with one token), and the cache forgets a token or a session the moment
this server revokes it; another server on the same database sees a revocation within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from starlette.requests import HTTPConnection

from atlas.domain import ApiToken, AuthSession, Role
from atlas.errors import UnauthenticatedError
from atlas.server.auth.principal import ANONYMOUS, LOCAL_USER, Principal, PrincipalKind
from atlas.store.api import Store
from atlas.tokens import digest, looks_like_token

__all__ = [
    "CACHE_SECONDS",
    "SESSION_COOKIE",
    "Credentials",
    "Lookups",
    "bearer_token",
]

SESSION_COOKIE = "atlas_session"
CACHE_SECONDS = 5.0
"""How long a token, session or role lookup is reused before the database is asked again."""
TOUCH_SECONDS = 60.0
"""A token's ``last_used_at`` is written at most this often."""
_MAX_ENTRIES = 10_000
_INVALID_TOKEN = "invalid or expired token"
SERVER = Principal(PrincipalKind.LOCAL, user=LOCAL_USER, admin=True)
"""The server itself, and everyone when authentication is off."""
_INVALID_SESSION = "your session has ended: log in again"

K = TypeVar("K")
V = TypeVar("V")


class _Cache(Generic[K, V]):
    """Values kept ``CACHE_SECONDS``; safe to share between threads."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._items: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> V:
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = load()
        with self._lock:
            if len(self._items) >= _MAX_ENTRIES:
                self._items.clear()
            self._items[key] = (now + self._seconds, value)
        return value

    def peek(self, key: K) -> tuple[bool, V | None]:
        """Whether ``key`` is cached and fresh, and its value."""
        with self._lock:
            found = self._items.get(key)
        if found is not None and found[0] > time.monotonic():
            return True, found[1]
        return False, None

    def forget(self, key: K | None = None) -> None:
        with self._lock:
            if key is None:
                self._items.clear()
            else:
                self._items.pop(key, None)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carries: a bearer token, a session cookie's secret, or neither."""

    token: str | None
    session: str | None

    @classmethod
    def of(cls, request: HTTPConnection) -> Credentials:
        """The credentials in ``request``'s headers."""
        return cls(token=bearer_token(request), session=request.cookies.get(SESSION_COOKIE))

    @property
    def cheap_key(self) -> str | None:
        """The digest to look the credentials up by (``None``: anonymous)."""
        secret = self.token if self.token is not None else self.session
        return None if secret is None else digest(secret)


def bearer_token(request: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``None`` without one. A header
    that is there but is not a bearer token of the right shape is refused at once."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not looks_like_token(value):
        raise UnauthenticatedError(_INVALID_TOKEN)
    return value


class Lookups:
    """The store's answers about tokens, sessions and roles, cached (a job's project is asked
    each time: one indexed lookup).

    Blocking: call from a worker thread, or first try :meth:`cached_principal`.
    """

    def __init__(self, store: Store, *, session_lifetime: float, internal: str = "") -> None:
        """``internal``: a token this server's own requests carry (importing the spool at
        start); it speaks for the local admin."""
        self._store = store
        self._internal = internal
        self._session_lifetime = session_lifetime
        self._tokens: _Cache[str, ApiToken | None] = _Cache()
        self._sessions: _Cache[str, AuthSession | None] = _Cache()
        self._roles: _Cache[tuple[str, str], Role | None] = _Cache()
        self._touched: dict[str, float] = {}
        self._extended: dict[str, float] = {}

    # -- principals -------------------------------------------------------------------------
    def cached_principal(self, credentials: Credentials) -> Principal | None:
        """The principal when every lookup it needs is cached (no I/O), else ``None``."""
        key = credentials.cheap_key
        if key is None:
            return ANONYMOUS
        if self._internal and credentials.token == self._internal:
            return SERVER
        cache = self._tokens if credentials.token is not None else self._sessions
        fresh, value = cache.peek(key)
        if not fresh or value is None or not self._touch_is_done(key, value):
            return None
        return _principal(value)

    def principal(self, credentials: Credentials) -> Principal:
        """Who ``credentials`` prove the caller to be; ``UnauthenticatedError`` for a token or
        a session that is not (or no longer) valid."""
        key = credentials.cheap_key
        if key is None:
            return ANONYMOUS
        now = datetime.now(UTC)
        if credentials.token is not None:
            token = self._tokens.get(key, lambda: self._store.get_token(key, now=now))
            if token is None or _expired(token.expires_at, now):
                raise UnauthenticatedError(_INVALID_TOKEN)
            self._touch(key, token, now)
            return _principal(token)
        session = self._sessions.get(key, lambda: self._store.get_session(key, now=now))
        if session is None or session.expires_at <= now:
            raise UnauthenticatedError(_INVALID_SESSION)
        self._extend(key, session, now)
        return _principal(session)

    def forget_token(self, token_digest: str | None = None) -> None:
        """Drop a token from the cache (``None``: every token), after a revocation."""
        self._tokens.forget(token_digest)

    def forget_session(self, session_digest: str | None = None) -> None:
        """Drop a session from the cache (``None``: every session)."""
        self._sessions.forget(session_digest)

    def forget_everything(self) -> None:
        """Drop every cached answer (after a change to users, members or projects)."""
        self._tokens.forget()
        self._sessions.forget()
        self._roles.forget()

    # -- roles and jobs ---------------------------------------------------------------------
    def role(self, user: str | None, project: str) -> Role | None:
        """``user``'s own role in ``project`` (``None``: none)."""
        if user is None:
            return None
        return self._roles.get((user, project), lambda: self._store.project_role(project, user))

    def cached_role(self, user: str | None, project: str) -> tuple[bool, Role | None]:
        """Whether ``user``'s role in ``project`` is cached, and the role."""
        if user is None:
            return True, None
        return self._roles.peek((user, project))

    def job_project(self, job_id: str) -> str:
        """The project of job ``job_id`` (``NotFoundError`` for an unknown job). Never cached:
        a project renamed and its name taken by another must not hand the new owner the old
        project's jobs."""
        return self._store.job_project(job_id)

    # -- bookkeeping ------------------------------------------------------------------------
    def _touch_is_done(self, key: str, value: ApiToken | AuthSession) -> bool:
        now = time.monotonic()
        if isinstance(value, ApiToken):
            return now - self._touched.get(key, -TOUCH_SECONDS) < TOUCH_SECONDS and not _expired(
                value.expires_at, datetime.now(UTC)
            )
        return now - self._extended.get(key, -TOUCH_SECONDS) < TOUCH_SECONDS and (
            value.expires_at > datetime.now(UTC)
        )

    def _touch(self, key: str, token: ApiToken, now: datetime) -> None:
        clock = time.monotonic()
        if clock - self._touched.get(key, -TOUCH_SECONDS) >= TOUCH_SECONDS:
            self._touched[key] = clock
            self._store.touch_token(token.id, now=now)

    def _extend(self, key: str, session: AuthSession, now: datetime) -> None:
        clock = time.monotonic()
        if clock - self._extended.get(key, -TOUCH_SECONDS) >= TOUCH_SECONDS:
            self._extended[key] = clock
            self._store.extend_session(
                key, expires_at=now + timedelta(seconds=self._session_lifetime)
            )


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


def _principal(found: ApiToken | AuthSession) -> Principal:
    if isinstance(found, AuthSession):
        return Principal(
            PrincipalKind.SESSION, user=found.user.name, admin=found.user.admin, csrf=found.csrf
        )
    if found.job_id is not None:
        return Principal(
            PrincipalKind.JOB,
            user=found.user,
            project=found.project,
            role=Role.VIEWER,
            job_id=found.job_id,
            token_id=found.id,
        )
    return Principal(
        PrincipalKind.TOKEN,
        user=found.user,
        admin=found.admin,
        project=found.project,
        role=found.role,
        token_id=found.id,
    )
