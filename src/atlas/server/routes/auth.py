"""``/api/v1/auth``: logging in and out of a browser session, who am I, and one's own
password (docs/auth.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from atlas.domain import User
from atlas.errors import NotFoundError, UnauthenticatedError
from atlas.server.account_schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChange,
    SsoOut,
    UserOut,
)
from atlas.server.auth.access import Caller, Need, access, check_csrf
from atlas.server.auth.passwords import hash_password, verify_password
from atlas.server.auth.principal import LOCAL_USER, PrincipalKind
from atlas.server.auth.sessions import end_session, start_session
from atlas.server.deps import LookupsDep, SettingsDep, StoreDep, ThrottleDep

__all__ = ["router"]

router = APIRouter(prefix="/auth", tags=["auth"])

_WRONG = "wrong user name or password"
_EPOCH = datetime.fromtimestamp(0, UTC)


@router.post("/login")
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    caller: Annotated[Caller, access(Need.PUBLIC, audit=False)],
) -> LoginOut:
    """Log in with a user name and password: a session cookie (HttpOnly) and the CSRF token
    the session's writes must carry. 401 for any wrong name, password or disabled user, 429
    after repeated failures."""
    if not caller.auth:
        raise NotFoundError("authentication is off on this server")
    address = request.client.host if request.client else ""
    mark = throttle.begin(body.name, address)  # counted as failed until it succeeds
    found = store.password_hash(body.name)
    user, hashed = (None, None) if found is None else found
    good = verify_password(hashed, body.password)  # same cost whoever asks
    if not good or user is None or user.disabled:
        store.record_audit(actor=body.name[:100], action="login_failed", target="", address=address)
        raise UnauthenticatedError(_WRONG)
    throttle.succeeded(body.name, address, mark=mark)
    store.record_login(user.name)
    store.record_audit(actor=user.name, action="login", target="", address=address)
    csrf = start_session(request, response, store, settings, user)
    return LoginOut(user=UserOut.from_domain(user), csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.PUBLIC, audit=False)],
) -> Response:
    """End this browser's session and clear its cookies (also when it had none). Made with
    the session's cookie, it needs the session's CSRF token like every other change."""
    response = Response(status_code=204)
    if caller.auth:
        check_csrf(request, caller.principal)
        end_session(request, response, store, lookups)
    return response


@router.get("/me")
async def me(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    caller: Annotated[Caller, access(Need.PUBLIC)],
) -> MeOut:
    """Who this request speaks for: whether authentication is on, the user (``null`` when
    anonymous), how they proved it, the session's CSRF token, and whether single sign-on
    is offered."""
    principal = caller.principal
    user: User | None = None
    if principal.kind is PrincipalKind.LOCAL:
        user = _local_user()
    elif principal.user is not None:
        user = await run_in_threadpool(store.get_user, principal.user)
    return MeOut(
        auth=caller.auth,
        kind=principal.kind.value,
        user=None if user is None else UserOut.from_domain(user),
        csrf_token=principal.csrf,
        sso=SsoOut(enabled=request.app.state.sso is not None, label=settings.oidc_label),
    )


@router.put("/password", status_code=204)
def change_password(
    body: PasswordChange,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.PERSON)],
) -> Response:
    """Change one's own password (``current`` must be right); every session of the user
    ends, this one included."""
    if not caller.auth:
        raise NotFoundError("authentication is off on this server")
    user = caller.principal.user
    found = None if user is None else store.password_hash(user)
    if found is None or not verify_password(found[1], body.current):
        raise UnauthenticatedError("the current password is wrong")
    store.update_user(found[0].name, password_hash=hash_password(body.new))
    lookups.forget_session()
    return Response(status_code=204)


def _local_user() -> User:
    return User(name=LOCAL_USER, admin=True, disabled=False, created_at=_EPOCH)
