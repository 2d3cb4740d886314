"""``/api/v1/auth/oidc``: single sign-on through an OpenID Connect provider (docs/auth.md,
"Single sign-on").

Both routes answer the browser with redirects, never with an error page: a provider that
does not answer sends it to ``/login?error=sso_unavailable``, any failed login to
``/login?error=sso_failed``, and the reason goes to the server's log (and the audit trail,
for a login that got as far as a user name), never a token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from atlas.errors import AtlasError, NotFoundError
from atlas.names import invalid
from atlas.server.auth.access import Public
from atlas.server.auth.oidc import (
    LOGIN_SECONDS,
    SsoLoginError,
    SsoUnavailableError,
    same_origin_path,
)
from atlas.server.auth.sessions import start_session
from atlas.server.auth.sso import COOKIE, KEY_NAME, SingleSignOn
from atlas.server.deps import LookupsDep, SettingsDep, StoreDep
from atlas.store.api import Store

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth/oidc", tags=["auth"])

_FAILED = "/login?error=sso_failed"
_NOT_CONFIGURED = "single sign-on is not configured on this server"


@router.get("/login", response_class=RedirectResponse, status_code=302)
def oidc_login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    caller: Public,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> RedirectResponse:
    """Start a single sign-on login: 302 to the provider (authorization code with PKCE),
    which sends the browser back to ``/api/v1/auth/oidc/callback`` and then to ``next`` (a
    path of this server). 404 when single sign-on is not configured."""
    sso = _sso(request, caller.auth)
    if not same_origin_path(next_path):
        raise invalid("next", "next must be a path of this server, such as /projects")
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    redirect_uri = base + str(request.app.url_path_for("oidc_callback"))
    try:
        url, sealed = sso.begin(
            _key(store), redirect_uri=redirect_uri, next_path=next_path, now=time.time()
        )
    except SsoUnavailableError as error:
        logger.warning("single sign-on unavailable: %s", error)
        return RedirectResponse(
            "/login?" + urlencode({"error": "sso_unavailable", "next": next_path}), status_code=302
        )
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        COOKIE,
        sealed,
        max_age=LOGIN_SECONDS,
        path=_cookie_path(request),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/callback", response_class=RedirectResponse, status_code=302)
def oidc_callback(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lookups: LookupsDep,
    caller: Public,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> RedirectResponse:
    """Where the provider sends the browser back (``code`` and ``state``, or the
    provider's ``error``): 302 to the login's ``next`` with a session, or to
    ``/login?error=sso_failed``."""
    sso = _sso(request, caller.auth)
    sent = {"code": code, "state": state, "error": error, "error_description": error_description}
    address = request.client.host if request.client else ""
    try:
        user, next_path = sso.finish(
            store,
            _key(store),
            sealed=request.cookies.get(COOKIE),
            query={name: value for name, value in sent.items() if value is not None},
            now=time.time(),
        )
    except (SsoLoginError, AtlasError) as failure:
        who = failure.user if isinstance(failure, SsoLoginError) else None
        logger.warning("single sign-on failed for %s from %s: %s", who or "?", address, failure)
        if who is not None:
            _audit(store, who, "login_failed", address)
        return _clear(request, RedirectResponse(_FAILED, status_code=302))
    lookups.forget_everything()  # the login may have changed the user's roles
    store.record_login(user.name)
    _audit(store, user.name, "login", address)
    response = _clear(request, RedirectResponse(next_path, status_code=302))
    start_session(request, response, store, settings, user)
    return response


def _sso(request: Request, auth: bool) -> SingleSignOn:
    sso: SingleSignOn | None = request.app.state.sso
    if sso is None or not auth:
        raise NotFoundError(_NOT_CONFIGURED)
    return sso


def _key(store: Store) -> Callable[[], bytes]:
    return lambda: store.server_secret(KEY_NAME)


def _cookie_path(request: Request) -> str:
    return str(request.app.url_path_for("oidc_callback")).rsplit("/", 1)[0]


def _clear(request: Request, response: RedirectResponse) -> RedirectResponse:
    response.delete_cookie(
        COOKIE,
        path=_cookie_path(request),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _audit(store: Store, user: str, action: str, address: str) -> None:
    try:
        store.record_audit(actor=user, action=action, target="single sign-on", address=address)
    except AtlasError:
        logger.exception("could not record the %s of %s in the audit trail", action, user)
