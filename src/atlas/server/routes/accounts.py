"""``/api/v1/users``, ``/api/v1/tokens`` and ``/api/v1/audit``: an admin's users and audit
trail, and everyone's own API tokens (docs/auth.md). With authentication off there are no
accounts: these routes answer 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from atlas.errors import NotFoundError, PermissionDeniedError
from atlas.names import MAX_USER_NAME_LENGTH, check_token_name
from atlas.server.account_schemas import (
    AuditOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
    role_of,
)
from atlas.server.auth.access import Caller, Need, access
from atlas.server.auth.passwords import hash_password
from atlas.server.deps import LookupsDep, StoreDep, TokenPath, UserPath
from atlas.server.schemas import ItemsOut
from atlas.tokens import new_secret

__all__ = ["router"]

router = APIRouter()


def _accounts(caller: Caller) -> None:
    if not caller.auth:
        raise NotFoundError("authentication is off on this server: there are no accounts")


# -- users (admins) -------------------------------------------------------------------------
@router.get("/users", tags=["users"])
def list_users(store: StoreDep, caller: Annotated[Caller, access(Need.ADMIN)]) -> ItemsOut[UserOut]:
    """Every user, by name."""
    _accounts(caller)
    return ItemsOut[UserOut](items=[UserOut.from_domain(u) for u in store.list_users()])


@router.post("/users", status_code=201, tags=["users"])
def create_user(
    body: UserCreate, store: StoreDep, caller: Annotated[Caller, access(Need.ADMIN)]
) -> UserOut:
    """Add a user; without a password they can sign in only through single sign-on. 409
    when the name is taken."""
    _accounts(caller)
    hashed = None if body.password is None else hash_password(body.password)
    return UserOut.from_domain(store.create_user(body.name, password_hash=hashed, admin=body.admin))


@router.patch("/users/{user}", tags=["users"])
def update_user(
    user: UserPath,
    body: UserUpdate,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.ADMIN)],
) -> UserOut:
    """Make a user admin or not, disable or enable them, or set their password (which ends
    their sessions). 409 when it would leave no enabled admin."""
    _accounts(caller)
    hashed = None if body.password is None else hash_password(body.password)
    updated = store.update_user(
        user, admin=body.admin, disabled=body.disabled, password_hash=hashed
    )
    lookups.forget_everything()
    return UserOut.from_domain(updated)


# -- API tokens (everyone's own) ------------------------------------------------------------
@router.get("/tokens", tags=["tokens"])
def list_tokens(
    store: StoreDep,
    caller: Annotated[Caller, access(Need.PERSON)],
    all: Annotated[bool, Query(description="Every user's tokens (admins only).")] = False,
) -> ItemsOut[TokenOut]:
    """The caller's live API tokens, newest first (never their secrets); ``all=true``:
    everyone's (admins)."""
    _accounts(caller)
    if all:
        caller.require_admin()
    owner = None if all else caller.principal.user
    return ItemsOut[TokenOut](items=[TokenOut.from_domain(t) for t in store.list_tokens(owner)])


@router.post("/tokens", status_code=201, tags=["tokens"])
def create_token(
    body: TokenCreate, store: StoreDep, caller: Annotated[Caller, access(Need.PERSON)]
) -> TokenCreated:
    """Create an API token for the caller; its ``secret`` is in this answer only. With
    ``project`` it reaches only that project, with at most ``role`` (default viewer)."""
    _accounts(caller)
    principal = caller.principal
    name = check_token_name(body.name)
    role = role_of(body.role)
    if body.project is None and role is not None:
        raise PermissionDeniedError("a role limits a token to a project: name the project")
    if body.project is not None:
        caller.require(body.project)  # the caller must have a role there
    expires = (
        None if body.expires_in is None else datetime.now(UTC) + timedelta(seconds=body.expires_in)
    )
    secret = new_secret()
    token = store.create_token(
        token_id=secret.id,
        digest=secret.digest,
        name=name,
        user=principal.user,
        expires_at=expires,
        project=body.project,
        role=role if body.project is None else (role or role_of("viewer")),
    )
    return TokenCreated(token=TokenOut.from_domain(token), secret=secret.secret)


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
def revoke_token(
    token_id: TokenPath,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.PERSON)],
) -> Response:
    """Revoke one of the caller's tokens (admins: anyone's); it stops working at once."""
    _accounts(caller)
    store.revoke_token(token_id, user=None if caller.principal.admin else caller.principal.user)
    lookups.forget_token()
    return Response(status_code=204)


# -- audit trail (admins) -------------------------------------------------------------------
@router.get("/audit", tags=["audit"])
def list_audit(
    store: StoreDep,
    caller: Annotated[Caller, access(Need.ADMIN)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=MAX_USER_NAME_LENGTH)] = None,
) -> ItemsOut[AuditOut]:
    """Who changed what, newest first: ``limit`` entries older than the entry ``before``,
    of ``actor`` only when given."""
    _accounts(caller)
    entries = store.list_audit(limit=limit, before=before, actor=actor)
    return ItemsOut[AuditOut](items=[AuditOut.from_domain(e) for e in entries])
