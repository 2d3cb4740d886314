"""``/api/v1/projects/{name}/members``: who may read, edit or own a project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from atlas.domain import Role
from atlas.errors import NotFoundError
from atlas.server.account_schemas import MemberIn, MemberOut
from atlas.server.auth.access import Caller, Need, Of, access
from atlas.server.deps import LookupsDep, ProjectPath, StoreDep, UserPath
from atlas.server.schemas import ItemsOut

__all__ = ["router"]

router = APIRouter(prefix="/projects/{name}/members", tags=["members"])


@router.get("")
def list_members(
    name: ProjectPath, store: StoreDep, caller: Annotated[Caller, access(Need.VIEWER, Of.PROJECT)]
) -> ItemsOut[MemberOut]:
    """The project's members and their roles, owners first (empty with auth off)."""
    if not caller.auth:
        return ItemsOut[MemberOut](items=[])
    return ItemsOut[MemberOut](items=[MemberOut.from_domain(m) for m in store.list_members(name)])


@router.put("/{user}")
def set_member(
    name: ProjectPath,
    user: UserPath,
    body: MemberIn,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.OWNER, Of.PROJECT)],
) -> MemberOut:
    """Give ``user`` a role in the project (or change it). 409 when it would leave the
    project without an owner."""
    _accounts(caller)
    member = store.set_member(name, user, Role(body.role))
    lookups.forget_everything()
    return MemberOut.from_domain(member)


@router.delete("/{user}", status_code=204)
def remove_member(
    name: ProjectPath,
    user: UserPath,
    store: StoreDep,
    lookups: LookupsDep,
    caller: Annotated[Caller, access(Need.OWNER, Of.PROJECT)],
) -> Response:
    """Take ``user``'s role in the project away. 409 for its last owner."""
    _accounts(caller)
    store.remove_member(name, user)
    lookups.forget_everything()
    return Response(status_code=204)


def _accounts(caller: Caller) -> None:
    if not caller.auth:
        raise NotFoundError("authentication is off on this server: there are no members")
