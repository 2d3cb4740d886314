"""Projects and their notes, as functions over an open connection (one transaction)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from atlas.domain import JobStatus, Note, Project
from atlas.errors import ConflictError, NotFoundError
from atlas.names import MAX_AUTHOR_LENGTH, check_project_name, is_storable
from atlas.store.conversions import note_from_row, project_from_row, utc_now
from atlas.store.project_cache import ProjectVersion
from atlas.store.tables import jobs_table, notes_table, projects_table
from atlas.store.validation import check_text

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "MAX_NOTE_LENGTH",
    "add_note",
    "create_project",
    "delete_project",
    "ensure_project",
    "ensure_project_id",
    "get_project",
    "list_notes",
    "list_projects",
    "project_id",
    "project_version",
    "rename_project",
    "set_description",
    "touch_project",
]

MAX_DESCRIPTION_LENGTH = 1_000_000
MAX_NOTE_LENGTH = 100_000

_P = projects_table


def project_id(conn: Connection, name: str) -> int:
    """The id of the project called ``name``; ``NotFoundError`` when there is none."""
    found = None
    if is_storable(name):
        found = conn.scalar(select(_P.c.id).where(_P.c.name == name))
    if found is None:
        raise NotFoundError(f"project {name!r} not found", detail={"project": name})
    return int(found)


def project_version(conn: Connection, name: str) -> ProjectVersion:
    """The id and data version of the project called ``name`` (one query);
    ``NotFoundError`` when there is none."""
    found = None
    if is_storable(name):
        query = select(_P.c.id, _P.c.created_at, _P.c.data_version).where(_P.c.name == name)
        found = conn.execute(query).one_or_none()
    if found is None:
        raise NotFoundError(f"project {name!r} not found", detail={"project": name})
    return ProjectVersion(int(found.id), found.created_at, int(found.data_version))


def create_project(conn: Connection, name: str, *, description: str = "") -> int:
    """Insert a project; ``ConflictError`` when the name is taken."""
    check_project_name(name)
    check_text(description, field="description", max_length=MAX_DESCRIPTION_LENGTH)
    now = utc_now()
    values = {"name": name, "description": description, "created_at": now, "last_activity": now}
    try:
        new_id = conn.execute(insert(_P).values(values).returning(_P.c.id)).scalar_one()
    except IntegrityError as exc:
        raise ConflictError(f"project {name!r} already exists", detail={"project": name}) from exc
    return int(new_id)


def ensure_project_id(conn: Connection, name: str) -> int:
    """The id of project ``name``, created when missing; safe when two callers race."""
    return ensure_project(conn, name)[0]


def ensure_project(conn: Connection, name: str) -> tuple[int, bool]:
    """The id of project ``name``, created when missing, and whether this call created it
    (of two callers racing, exactly one did)."""
    found = conn.scalar(select(_P.c.id).where(_P.c.name == name))
    if found is not None:
        return int(found), False
    check_project_name(name)
    now = utc_now()
    values = {"name": name, "description": "", "created_at": now, "last_activity": now}
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    inserted = conn.scalar(
        dialect_insert(_P)
        .values(values)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(_P.c.id)
    )
    if inserted is not None:
        return int(inserted), True
    return project_id(conn, name), False


def get_project(conn: Connection, pid: int) -> Project:
    """The project with id ``pid``, with its job counts by status."""
    row = conn.execute(select(_P).where(_P.c.id == pid)).one()
    counts = conn.execute(
        select(jobs_table.c.status, func.count())
        .where(jobs_table.c.project_id == pid)
        .group_by(jobs_table.c.status)
    ).all()
    return project_from_row(row, {JobStatus(status): int(n) for status, n in counts})


def list_projects(conn: Connection) -> list[Project]:
    """Every project, most recently active first (then by name)."""
    rows = conn.execute(
        select(_P).order_by(_P.c.last_activity.desc().nulls_last(), _P.c.name)
    ).all()
    counts: defaultdict[int, dict[JobStatus, int]] = defaultdict(dict)
    grouped = select(jobs_table.c.project_id, jobs_table.c.status, func.count()).group_by(
        jobs_table.c.project_id, jobs_table.c.status
    )
    for pid, status, n in conn.execute(grouped):
        counts[pid][JobStatus(status)] = int(n)
    return [project_from_row(row, counts.get(row.id)) for row in rows]


def rename_project(conn: Connection, name: str, new_name: str) -> int:
    """Rename; ``ConflictError`` when ``new_name`` is taken. Returns the project id."""
    check_project_name(new_name)
    pid = project_id(conn, name)
    if new_name == name:
        return pid
    try:
        conn.execute(
            update(_P).where(_P.c.id == pid).values(name=new_name, last_activity=utc_now())
        )
    except IntegrityError as exc:
        raise ConflictError(
            f"project {new_name!r} already exists", detail={"project": new_name}
        ) from exc
    return pid


def delete_project(conn: Connection, name: str) -> list[str]:
    """Delete the project and (by cascade) its jobs and their rows, its members and its
    tokens (those narrowed to it and its jobs' own); return the job ids."""
    pid = project_id(conn, name)
    job_ids = list(conn.scalars(select(jobs_table.c.id).where(jobs_table.c.project_id == pid)))
    conn.execute(delete(_P).where(_P.c.id == pid))
    return job_ids


def set_description(conn: Connection, name: str, markdown: str) -> int:
    """Replace the project's description. Returns the project id."""
    check_text(markdown, field="description", max_length=MAX_DESCRIPTION_LENGTH)
    pid = project_id(conn, name)
    conn.execute(
        update(_P).where(_P.c.id == pid).values(description=markdown, last_activity=utc_now())
    )
    return pid


def add_note(conn: Connection, name: str, *, author: str, text: str) -> Note:
    """Add a note to the project, dated now."""
    check_text(author, field="author", max_length=MAX_AUTHOR_LENGTH)
    check_text(text, field="text", max_length=MAX_NOTE_LENGTH)
    pid = project_id(conn, name)
    now = utc_now()
    values = {"project_id": pid, "author": author, "text": text, "created_at": now}
    note_id = conn.execute(insert(notes_table).values(values).returning(notes_table.c.id))
    touch_project(conn, pid, now)
    return Note(
        id=int(note_id.scalar_one()), project=name, author=author, text=text, created_at=now
    )


def list_notes(conn: Connection, name: str) -> list[Note]:
    """The project's notes, newest first."""
    pid = project_id(conn, name)
    rows = conn.execute(
        select(notes_table)
        .where(notes_table.c.project_id == pid)
        .order_by(notes_table.c.created_at.desc(), notes_table.c.id.desc())
    )
    return [note_from_row(row, name) for row in rows]


def touch_project(conn: Connection, pid: int, at: datetime | None = None) -> None:
    """Record activity on the project now and bump its data version (every write to its
    jobs, params, tags and metrics does)."""
    conn.execute(_TOUCH_PROJECT, {"pid": pid, "last_activity": at or utc_now()})


_TOUCH_PROJECT = (
    update(_P).where(_P.c.id == bindparam("pid")).values(data_version=_P.c.data_version + 1)
)
"""Built once (every write runs it); ``last_activity`` is bound at each execution."""
