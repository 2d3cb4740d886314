"""Browser sessions: the ``atlas_session`` cookie and the CSRF token its writes carry.

The cookie holds a random secret (the store keeps its digest); it is HttpOnly, SameSite=Lax
and, when the browser reached the server over HTTPS (directly or through a trusted proxy),
Secure. The CSRF token goes to the page in the login answer, in ``GET /auth/me`` and in the
readable ``atlas_csrf`` cookie; a write made with the session cookie must send it back in
the ``X-CSRF-Token`` header, which a page of another site can neither read nor forge.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from starlette.requests import HTTPConnection
from starlette.responses import Response

from atlas.domain import User
from atlas.server.auth.credentials import SESSION_COOKIE, Lookups
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.tokens import digest, new_secret
from atlas.units import parse_duration

__all__ = ["CSRF_COOKIE", "end_session", "session_lifetime", "start_session"]

CSRF_COOKIE = "atlas_csrf"
_SESSION_PREFIX = "atlas_session_"


def session_lifetime(settings: Settings) -> float:
    """Seconds a session lasts without use (the ``session_lifetime`` setting)."""
    return parse_duration(settings.session_lifetime, where="session_lifetime")


def start_session(
    request: HTTPConnection, response: Response, store: Store, settings: Settings, user: User
) -> str:
    """Start a browser session for ``user``: store it, set its cookies on ``response``, and
    return its CSRF token (blocking)."""
    lifetime = session_lifetime(settings)
    secret = new_secret(_SESSION_PREFIX)
    csrf = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(seconds=lifetime)
    store.create_session(user.name, digest=secret.digest, csrf=csrf, expires_at=expires)
    secure = request.url.scheme == "https"
    # No Max-Age on the session cookie: it lives as long as the browser does, and the server
    # ends it after `lifetime` without use.
    response.set_cookie(
        SESSION_COOKIE, secret.secret, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="lax", secure=secure, path="/")
    return csrf


def end_session(
    request: HTTPConnection, response: Response, store: Store, lookups: Lookups
) -> None:
    """End the request's browser session, if any, and clear its cookies (blocking)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret is not None:
        store.delete_session(digest(secret))
        lookups.forget_session(digest(secret))
    secure = request.url.scheme == "https"
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=http_only, samesite="lax")
