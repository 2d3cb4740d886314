"""Jobs: creation, status changes and deletion, as functions over an open connection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection, Select, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from atlas.domain import (
    FINAL_STATUSES,
    JobError,
    JobKind,
    JobStatus,
    ParamValue,
    can_transition,
    new_job_id,
)
from atlas.errors import ConflictError, InvalidTransitionError, NotFoundError
from atlas.store.attributes import write_params, write_tags
from atlas.store.conversions import dump_json, utc_now
from atlas.store.projects import ensure_project_id, touch_project
from atlas.store.tables import jobs_table
from atlas.store.validation import check_job_id, check_text, invalid, is_storable

__all__ = [
    "JobSpec",
    "delete_job",
    "insert_job",
    "job_project_id",
    "lock_job",
    "update_job",
]

_J = jobs_table
_E = TypeVar("_E", JobKind, JobStatus)

MAX_NAME_LENGTH = 500
MAX_USER_LENGTH = 200
MAX_COMMAND_LENGTH = 100_000
MAX_ERROR_TYPE_LENGTH = 500
MAX_JSON_LENGTH = 1_000_000


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What a client gives to create a job (``Store.create_job``'s arguments)."""

    name: str = ""
    user: str = ""
    kind: JobKind = JobKind.LOCAL
    status: JobStatus = JobStatus.RUNNING
    command: str = ""
    params: Mapping[str, ParamValue] | None = None
    tags: Mapping[str, str] | None = None
    git: Mapping[str, object] | None = None
    environment: Mapping[str, object] | None = None
    resources: Mapping[str, object] | None = None
    priority: int = 0
    parent_id: str | None = None
    job_id: str | None = None


def job_project_id(conn: Connection, job_id: str) -> int:
    """The project id of job ``job_id``; ``NotFoundError`` when there is no such job."""
    return _project_id_of(conn, select(_J.c.project_id).where(_J.c.id == job_id), job_id)


def lock_job(conn: Connection, job_id: str) -> int:
    """The project id of job ``job_id``, locking the job's row until the transaction ends, so
    writes to one job are serialised (PostgreSQL ``FOR NO KEY UPDATE``, which still lets
    other transactions insert rows that reference the job; SQLite writers already hold the
    database lock). ``NotFoundError`` if there is no such job."""
    query = select(_J.c.project_id).where(_J.c.id == job_id).with_for_update(key_share=True)
    return _project_id_of(conn, query, job_id)


def _project_id_of(conn: Connection, query: Select[int], job_id: str) -> int:
    found = conn.scalar(query) if is_storable(job_id) else None
    if found is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return int(found)


def insert_job(conn: Connection, project: str, spec: JobSpec) -> str:
    """Create the job (and its project when missing), with its params and tags.
    Returns the job id."""
    values = _job_values(spec)
    pid = ensure_project_id(conn, project)
    now = utc_now()
    values |= {"project_id": pid, "created_at": now}
    if spec.status not in (JobStatus.QUEUED, JobStatus.STARTING):
        values["started_at"] = now
    if spec.status in FINAL_STATUSES:
        values["finished_at"] = now
    try:
        conn.execute(insert(_J).values(values))
    except IntegrityError as exc:
        raise ConflictError(
            f"job {values['id']} already exists", detail={"job_id": values["id"]}
        ) from exc
    job_id = str(values["id"])
    write_params(conn, job_id, pid, spec.params or {})
    write_tags(conn, job_id, pid, spec.tags or {})
    touch_project(conn, pid, now)
    return job_id


def update_job(
    conn: Connection,
    job_id: str,
    *,
    name: str | None = None,
    status: JobStatus | None = None,
    exit_code: int | None = None,
    error: JobError | None = None,
    at: datetime | None = None,
) -> None:
    """Change the job's name, status, exit code or error (see ``Store.update_job``)."""
    row = conn.execute(
        select(_J.c.project_id, _J.c.status, _J.c.started_at).where(_J.c.id == job_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    when = at or utc_now()
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = check_text(name, field="name", max_length=MAX_NAME_LENGTH)
    if status is not None:
        values |= _status_values(job_id, JobStatus(row.status), status, row.started_at, when)
    if exit_code is not None:
        values["exit_code"] = _check_int(exit_code, field="exit_code")
    if error is not None:
        values |= _error_values(error)
    if values:
        conn.execute(update(_J).where(_J.c.id == job_id).values(values))
    touch_project(conn, int(row.project_id))


def delete_job(conn: Connection, job_id: str) -> None:
    """Delete the job and (by cascade) its rows."""
    pid = lock_job(conn, job_id)
    conn.execute(delete(_J).where(_J.c.id == job_id))
    touch_project(conn, pid)


def _status_values(
    job_id: str, old: JobStatus, new: JobStatus, started_at: datetime | None, at: datetime
) -> dict[str, object]:
    if new == old:
        return {}  # a repeated report (a retried request) changes nothing
    if not can_transition(old, new):
        raise InvalidTransitionError(
            f"job {job_id} cannot go from {old} to {new}",
            detail={"job_id": job_id, "from": str(old), "to": str(new)},
        )
    values: dict[str, object] = {"status": str(new)}
    if new == JobStatus.RUNNING and started_at is None:
        values["started_at"] = at
    if new in FINAL_STATUSES:
        values["finished_at"] = at
    return values


def _error_values(error: JobError) -> dict[str, object]:
    return {
        "error_type": check_text(error.type, field="error.type", max_length=MAX_ERROR_TYPE_LENGTH),
        "error_message": check_text(error.message, field="error.message"),
        "error_traceback": check_text(error.traceback, field="error.traceback"),
    }


def _job_values(spec: JobSpec) -> dict[str, object]:
    job_id = new_job_id() if spec.job_id is None else check_job_id(spec.job_id)
    if spec.parent_id is not None:
        check_job_id(spec.parent_id, field="parent_id")
    return {
        "id": job_id,
        "name": check_text(spec.name, field="name", max_length=MAX_NAME_LENGTH),
        "user": check_text(spec.user, field="user", max_length=MAX_USER_LENGTH),
        "kind": str(_enum(JobKind, spec.kind, "kind")),
        "status": str(_enum(JobStatus, spec.status, "status")),
        "command": check_text(spec.command, field="command", max_length=MAX_COMMAND_LENGTH),
        "priority": _check_int(spec.priority, field="priority"),
        "git_json": _json_object(spec.git, "git"),
        "environment_json": _json_object(spec.environment, "environment"),
        "resources_json": _json_object(spec.resources, "resources"),
        "parent_id": spec.parent_id,
    }


def _enum(cls: type[_E], value: object, field: str) -> _E:
    try:
        return cls(str(value))
    except ValueError as exc:
        allowed = ", ".join(member.value for member in cls)
        raise invalid(field, f"{field} must be one of {allowed}, not {value!r}") from exc


def _check_int(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, f"{field} must be an integer")
    if not -(2**31) <= value < 2**31:
        raise invalid(field, f"{field} is out of range")
    return value


def _json_object(value: Mapping[str, object] | None, field: str) -> str:
    if value is not None and not isinstance(value, Mapping):
        raise invalid(field, f"{field} must be a mapping")
    try:
        text = dump_json(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise invalid(field, f"{field} is not JSON: {exc}") from exc
    return check_text(text, field=field, max_length=MAX_JSON_LENGTH)
