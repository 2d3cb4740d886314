"""Saved views of the GUI workspace, as functions over an open connection (one transaction).

A view's state is the GUI's view state, stored as compact JSON of at most
``MAX_VIEW_STATE_BYTES``. A project has at most one default view: making a view default
clears the flag of the project's others in the same transaction. Writes lock the project's
row first, so two saves in one project (a name checked, a default cleared) take turns on
PostgreSQL as SQLite's single writer makes them; the unique constraints back this up, and a
name taken all the same is ``ViewExistsError``, never a database error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from atlas.domain import new_job_id
from atlas.errors import ViewExistsError, ViewNotFoundError, ViewTooLargeError
from atlas.names import (
    MAX_USER_LENGTH,
    MAX_VIEW_NAME_LENGTH,
    MAX_VIEW_STATE_BYTES,
    invalid,
    is_job_id,
    shown,
)
from atlas.store.api import View
from atlas.store.conversions import utc_now
from atlas.store.projects import project_id
from atlas.store.tables import projects_table, views_table
from atlas.store.validation import check_text

__all__ = ["delete_view", "get_view", "insert_view", "list_views", "update_view"]

_V = views_table
_P = projects_table


def insert_view(
    conn: Connection,
    project: str,
    *,
    name: str,
    state: Mapping[str, object],
    is_default: bool,
    user: str,
) -> str:
    """Save a view of ``project`` (which must exist); return its id."""
    pid = _lock_project(conn, project_id(conn, project))
    name = _checked_name(name)
    state_json = _state_json(state)
    user = check_text(user, field="user", max_length=MAX_USER_LENGTH)
    _refuse_taken(conn, pid, name, None)
    if is_default:
        _clear_default(conn, pid)
    view_id = new_job_id()
    now = utc_now()
    row = {
        "id": view_id,
        "project_id": pid,
        "name": name,
        "state_json": state_json,
        "is_default": bool(is_default),
        "created_by": user,
        "updated_by": user,
        "created_at": now,
        "updated_at": now,
    }
    with _name_taken(name):
        conn.execute(insert(_V).values(row))
    return view_id


def get_view(conn: Connection, view_id: str) -> View:
    """The view; ``ViewNotFoundError`` when there is none of this id."""
    row = None
    if is_job_id(view_id):
        row = conn.execute(_select().where(_V.c.id == view_id)).first()
    if row is None:
        raise ViewNotFoundError(
            f"view {shown(view_id)!r} not found", detail={"view_id": shown(view_id)}
        )
    return _view(row)


def list_views(conn: Connection, project: str) -> list[View]:
    """The project's views, the default first, then by name."""
    pid = project_id(conn, project)
    query = _select().where(_V.c.project_id == pid).order_by(_V.c.is_default.desc(), _V.c.name)
    return [_view(row) for row in conn.execute(query)]


def update_view(
    conn: Connection,
    view_id: str,
    *,
    user: str,
    name: str | None = None,
    state: Mapping[str, object] | None = None,
    is_default: bool | None = None,
) -> None:
    """Change what is given of the view (``None``: unchanged)."""
    current = get_view(conn, view_id)
    pid = int(conn.scalar(select(_V.c.project_id).where(_V.c.id == view_id)) or 0)
    _lock_project(conn, pid)
    values: dict[str, Any] = {
        "updated_by": check_text(user, field="user", max_length=MAX_USER_LENGTH),
        "updated_at": utc_now(),
    }
    if name is not None and name != current.name:
        values["name"] = _checked_name(name)
        _refuse_taken(conn, pid, values["name"], view_id)
    if state is not None:
        values["state_json"] = _state_json(state)
    if is_default is not None:
        if is_default and not current.is_default:
            _clear_default(conn, pid)
        values["is_default"] = bool(is_default)
    with _name_taken(values.get("name", current.name)):
        conn.execute(update(_V).where(_V.c.id == view_id).values(values))


def delete_view(conn: Connection, view_id: str) -> None:
    """Delete the view; ``ViewNotFoundError`` when there is none of this id."""
    get_view(conn, view_id)
    conn.execute(delete(_V).where(_V.c.id == view_id))


def _select() -> Any:
    return select(_V, _P.c.name.label("project_name")).join(_P, _P.c.id == _V.c.project_id)


def _view(row: Row[Any]) -> View:
    return View(
        id=row.id,
        project=row.project_name,
        name=row.name,
        state=json.loads(row.state_json),
        is_default=bool(row.is_default),
        created_by=row.created_by,
        updated_by=row.updated_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _checked_name(name: str) -> str:
    name = check_text(name, field="name", max_length=MAX_VIEW_NAME_LENGTH)
    if not name.strip():
        raise invalid("name", "a view's name may not be empty")
    return name


def _state_json(state: Mapping[str, object]) -> str:
    """The state as compact JSON; ``ViewTooLargeError`` past ``MAX_VIEW_STATE_BYTES``."""
    if not isinstance(state, Mapping):
        raise invalid("state", "a view's state must be a JSON object")
    try:
        text = json.dumps(dict(state), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise invalid("state", f"a view's state must be JSON ({exc})") from None
    check_text(text, field="state")  # no lone surrogate: the text encodes as UTF-8
    size = len(text.encode())
    if size > MAX_VIEW_STATE_BYTES:
        raise ViewTooLargeError(
            f"the view's state is {size:,} bytes of JSON, over the {MAX_VIEW_STATE_BYTES:,} "
            "a view keeps",
            detail={"bytes": size, "limit": MAX_VIEW_STATE_BYTES},
        )
    return text


def _lock_project(conn: Connection, pid: int) -> int:
    """Take the project's row lock until the transaction ends (``FOR NO KEY UPDATE``: jobs
    may still be added to the project meanwhile); ``pid``."""
    conn.execute(select(_P.c.id).where(_P.c.id == pid).with_for_update(key_share=True))
    return pid


@contextmanager
def _name_taken(name: str) -> Iterator[None]:
    """``ViewExistsError`` for the unique violation of a write naming ``name``."""
    try:
        yield
    except IntegrityError as exc:
        raise _exists(name) from exc


def _exists(name: str) -> ViewExistsError:
    return ViewExistsError(
        f"this project already has a view named {shown(name)!r}", detail={"name": shown(name)}
    )


def _refuse_taken(conn: Connection, pid: int, name: str, other_than: str | None) -> None:
    query = select(_V.c.id).where(_V.c.project_id == pid, _V.c.name == name)
    found = conn.scalar(query)
    if found is not None and found != other_than:
        raise _exists(name)


def _clear_default(conn: Connection, pid: int) -> None:
    conn.execute(
        update(_V).where(_V.c.project_id == pid, _V.c.is_default.is_(True)).values(is_default=False)
    )
