"""Project members: who holds which role in which project, as functions over an open
connection (one transaction).

A project keeps at least one owner once it has one: the last owner can be neither removed
nor demoted. The project's row is locked while owners are counted (PostgreSQL), so two
changes at once cannot both take the last owner away.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from atlas.domain import ROLES, Membership, Role
from atlas.errors import ConflictError, NotFoundError
from atlas.names import invalid, is_storable
from atlas.store.conversions import utc_now
from atlas.store.projects import project_id
from atlas.store.tables import members_table, projects_table, users_table
from atlas.store.users import user_id

__all__ = [
    "add_owner",
    "list_members",
    "project_role",
    "remove_member",
    "roles_of",
    "set_member",
]

_M = members_table
_U = users_table
_P = projects_table


def project_role(conn: Connection, project: str, user: str) -> Role | None:
    """``user``'s role in ``project``; ``None`` when none (or either is unknown)."""
    if not (is_storable(project) and is_storable(user)):
        return None
    role = conn.scalar(
        select(_M.c.role)
        .join(_P, _P.c.id == _M.c.project_id)
        .join(_U, _U.c.id == _M.c.user_id)
        .where(_P.c.name == project, _U.c.name == user)
    )
    return None if role is None else Role(role)


def roles_of(conn: Connection, user: str) -> dict[str, Role]:
    """Every project ``user`` has a role in, with the role (empty for an unknown user)."""
    if not is_storable(user):
        return {}
    rows = conn.execute(
        select(_P.c.name, _M.c.role)
        .join(_M, _M.c.project_id == _P.c.id)
        .join(_U, _U.c.id == _M.c.user_id)
        .where(_U.c.name == user)
    )
    return {name: Role(role) for name, role in rows}


def list_members(conn: Connection, project: str) -> list[Membership]:
    """The project's members, owners first, then editors, then viewers, each by name."""
    pid = project_id(conn, project)
    rows = conn.execute(
        select(_U.c.name, _M.c.role, _M.c.added_at)
        .join(_U, _U.c.id == _M.c.user_id)
        .where(_M.c.project_id == pid)
    )
    members = [Membership(project, name, Role(role), added_at) for name, role, added_at in rows]
    return sorted(members, key=lambda m: (-ROLES.index(m.role), m.user))


def add_owner(conn: Connection, pid: int, user: str) -> None:
    """Make ``user`` an owner of the new project ``pid`` (``NotFoundError`` when unknown)."""
    values = {"project_id": pid, "user_id": user_id(conn, user), "role": str(Role.OWNER)}
    conn.execute(insert(_M).values(values | {"added_at": utc_now()}))


def set_member(conn: Connection, project: str, user: str, role: Role) -> Membership:
    """Give ``user`` ``role`` in ``project`` (see ``Store.set_member``)."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise invalid("role", "role must be one of viewer, editor, owner") from exc
    pid, uid = _lock_project(conn, project), user_id(conn, user)
    old = _role(conn, pid, uid)
    if old == role:
        added = conn.scalar(
            select(_M.c.added_at).where(_M.c.project_id == pid, _M.c.user_id == uid)
        )
        assert added is not None
        return Membership(project, user, role, added)
    if old == Role.OWNER:
        _keep_an_owner(conn, pid, project, user)
    now = utc_now()
    if old is None:
        values = {"project_id": pid, "user_id": uid, "role": str(role), "added_at": now}
        conn.execute(insert(_M).values(values))
        return Membership(project, user, role, now)
    where = (_M.c.project_id == pid, _M.c.user_id == uid)
    conn.execute(update(_M).where(*where).values(role=str(role)))
    added_at = conn.scalar(select(_M.c.added_at).where(*where))
    assert added_at is not None
    return Membership(project, user, role, added_at)


def remove_member(conn: Connection, project: str, user: str) -> None:
    """Take ``user``'s role in ``project`` away (see ``Store.remove_member``)."""
    pid = _lock_project(conn, project)
    missing = NotFoundError(
        f"user {user!r} has no role in project {project!r}",
        detail={"project": project, "user": user},
    )
    try:
        uid = user_id(conn, user)
    except NotFoundError:
        raise missing from None
    old = _role(conn, pid, uid)
    if old is None:
        raise missing
    if old == Role.OWNER:
        _keep_an_owner(conn, pid, project, user)
    conn.execute(delete(_M).where(_M.c.project_id == pid, _M.c.user_id == uid))


def _lock_project(conn: Connection, project: str) -> int:
    pid = project_id(conn, project)
    conn.execute(select(_P.c.id).where(_P.c.id == pid).with_for_update())
    return pid


def _role(conn: Connection, pid: int, uid: int) -> Role | None:
    role = conn.scalar(select(_M.c.role).where(_M.c.project_id == pid, _M.c.user_id == uid))
    return None if role is None else Role(role)


def _keep_an_owner(conn: Connection, pid: int, project: str, user: str) -> None:
    owners = conn.scalar(
        select(func.count()).where(_M.c.project_id == pid, _M.c.role == str(Role.OWNER))
    )
    if (owners or 0) <= 1:
        raise ConflictError(
            f"{user!r} is the last owner of project {project!r}: make another member owner first",
            detail={"project": project, "user": user},
        )
