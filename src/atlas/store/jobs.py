"""Jobs: creation, status changes and deletion, as functions over an open connection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from atlas.domain import (
    ENV_MODES,
    FINAL_STATUSES,
    JobError,
    JobKind,
    JobSpec,
    JobStatus,
    can_transition,
    new_job_id,
)
from atlas.errors import ConflictError, InvalidTransitionError, NotFoundError
from atlas.names import (
    MAX_COMMAND_LENGTH,
    MAX_ERROR_TYPE_LENGTH,
    MAX_IMAGE_LENGTH,
    MAX_RETRIES,
    MAX_USER_LENGTH,
    check_job_id,
    check_job_name,
    invalid,
    is_storable,
)
from atlas.store.api_tokens import revoke_job_tokens
from atlas.store.attributes import write_params, write_tags
from atlas.store.conversions import dump_json, utc_now
from atlas.store.notification_outbox import enqueue_job_event
from atlas.store.projects import ensure_project_id, touch_project
from atlas.store.tables import jobs_table, projects_table
from atlas.store.validation import check_text

__all__ = [
    "check_reported_time",
    "delete_job",
    "initial_status",
    "insert_job",
    "job_project_id",
    "lock_job",
    "update_job",
]

_J = jobs_table
_P = projects_table
_E = TypeVar("_E", JobKind, JobStatus)

MAX_JSON_LENGTH = 1_000_000
MAX_CLOCK_SKEW = timedelta(seconds=60)
"""How far in the future a time a client reports may lie (clocks of two machines differ)."""


def job_project_id(conn: Connection, job_id: str) -> int:
    """The project id of job ``job_id``; ``NotFoundError`` when there is no such job."""
    return _project_id_of(conn, select(_J.c.project_id).where(_J.c.id == job_id), job_id)


def job_project(conn: Connection, job_id: str) -> str:
    """The name of job ``job_id``'s project; ``NotFoundError`` when there is no such job."""
    found = conn.scalar(_JOB_PROJECT, {"job_id": job_id}) if is_storable(job_id) else None
    if found is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return str(found)


_JOB_PROJECT = (
    select(_P.c.name)
    .select_from(_J.join(_P, _P.c.id == _J.c.project_id))
    .where(_J.c.id == bindparam("job_id"))
)
"""Built once: every request about a job on a server with authentication runs it."""


def lock_job(conn: Connection, job_id: str) -> int:
    """The project id of job ``job_id``, locking the job's row until the transaction ends, so
    writes to one job are serialised (PostgreSQL ``FOR NO KEY UPDATE``, which still lets
    other transactions insert rows that reference the job; SQLite writers already hold the
    database lock). ``NotFoundError`` if there is no such job."""
    if not is_storable(job_id):
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    found = conn.scalar(_LOCK_JOB, {"job_id": job_id})
    if found is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return int(found)


_LOCK_JOB = (
    select(_J.c.project_id).where(_J.c.id == bindparam("job_id")).with_for_update(key_share=True)
)
"""Built once: every write to a job runs it, and building it costs more than running it."""


def _project_id_of(conn: Connection, query: Select[int], job_id: str) -> int:
    found = conn.scalar(query) if is_storable(job_id) else None
    if found is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return int(found)


def initial_status(kind: JobKind) -> JobStatus:
    """A tracked script (``local``) runs as it is created; any other kind waits for the
    scheduler."""
    return JobStatus.RUNNING if kind == JobKind.LOCAL else JobStatus.QUEUED


def insert_job(
    conn: Connection,
    spec: JobSpec,
    *,
    status: JobStatus | None = None,
    job_id: str | None = None,
    started_at: datetime | None = None,
) -> str:
    """Create the job ``spec`` describes (and its project when missing), with its params and
    tags, as ``status`` (default: :func:`initial_status`). Returns the job id.

    ``started_at`` is when a job created running started by its client's clock (a tracked
    script's spool replayed later): its creation and start time (default: now)."""
    status = initial_status(_enum(JobKind, spec.kind, "kind")) if status is None else status
    values = _job_values(spec, _enum(JobStatus, status, "status"), job_id)
    for field in ("parent_id", "rerun_of"):
        _check_names_a_job(conn, values[field], field)
    pid = ensure_project_id(conn, spec.project)
    now = utc_now()
    started = now
    if started_at is not None:
        if status in (JobStatus.QUEUED, JobStatus.STARTING):
            raise invalid("started_at", f"a job created {status} has not started")
        started = check_reported_time(started_at, field="started_at")
    values |= {"project_id": pid, "created_at": started}
    if spec.kind == JobKind.LOCAL:
        values["last_seen_at"] = now  # a tracked script's creation is a sign of life
    if status not in (JobStatus.QUEUED, JobStatus.STARTING):
        values["started_at"] = started
    if status in FINAL_STATUSES:
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
    enqueue_job_event(conn, [job_id], status)  # a job created running or ended: notified
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
    """Change the job's name, status, exit code or error (see ``Store.update_job``).

    A job leaving ``lost`` loses the error that said why it was lost (unless ``error``
    gives a new one); a tracked script's status report counts as a sign of life. ``at`` is
    checked by :func:`check_reported_time` (a final status no earlier than the start)."""
    row = conn.execute(
        select(_J.c.project_id, _J.c.status, _J.c.kind, _J.c.started_at).where(_J.c.id == job_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    kind = JobKind(row.kind)
    when = utc_now()
    if at is not None:
        final = status in FINAL_STATUSES and status != row.status
        when = check_reported_time(at, field="at", not_before=row.started_at if final else None)
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = check_job_name(name)
    if status is not None:
        old = JobStatus(row.status)
        values |= _status_values(job_id, old, status, kind, row.started_at, when)
        if kind == JobKind.LOCAL and status != JobStatus.LOST:
            values["last_seen_at"] = utc_now()
    if exit_code is not None:
        values["exit_code"] = _check_int(exit_code, field="exit_code")
    if error is not None:
        values |= _error_values(error)
    if values:
        conn.execute(update(_J).where(_J.c.id == job_id).values(values))
    if status in FINAL_STATUSES and status != row.status:
        revoke_job_tokens(conn, [job_id])  # a job's token works only while the job runs
    if status is not None and status != row.status:
        enqueue_job_event(conn, [job_id], status)  # its notifications, in this transaction
    touch_project(conn, int(row.project_id))


def delete_job(conn: Connection, job_id: str) -> None:
    """Delete the job and (by cascade) its rows and its own tokens."""
    pid = lock_job(conn, job_id)
    conn.execute(delete(_J).where(_J.c.id == job_id))
    touch_project(conn, pid)


def check_reported_time(
    value: datetime, *, field: str, not_before: datetime | None = None
) -> datetime:
    """``value``, a time a client reports (a tracked script's start or end, kept in its
    spool while no server answered), as aware UTC; ``InvalidInputError`` naming ``field``
    when it lies in the future by more than ``MAX_CLOCK_SKEW`` or before ``not_before``."""
    if not isinstance(value, datetime):
        raise invalid(field, f"{field} must be a date and time")
    try:
        when = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise invalid(field, f"{field} is out of range") from None
    if when > utc_now() + MAX_CLOCK_SKEW:
        raise invalid(
            field,
            f"{field} {when.isoformat()} is in the future: is the client's clock wrong?",
        )
    if not_before is not None and when < not_before:
        raise invalid(
            field,
            f"{field} {when.isoformat()} is before the job started ({not_before.isoformat()})",
        )
    return when


def _status_values(
    job_id: str,
    old: JobStatus,
    new: JobStatus,
    kind: JobKind,
    started_at: datetime | None,
    at: datetime,
) -> dict[str, object]:
    if new == old:
        return {}  # a repeated report (a retried request) changes nothing
    if not can_transition(old, new, kind):
        raise InvalidTransitionError(
            f"job {job_id} cannot go from {old} to {new}",
            detail={"job_id": job_id, "from": str(old), "to": str(new)},
        )
    values: dict[str, object] = {"status": str(new)}
    if new == JobStatus.RUNNING and started_at is None:
        values["started_at"] = at
    if new in FINAL_STATUSES:
        values["finished_at"] = at if started_at is None else max(at, started_at)
    if old == JobStatus.LOST:  # its process reported again: why it was lost no longer holds
        values |= {"error_type": None, "error_message": None, "error_traceback": None}
        if new == JobStatus.RUNNING:
            values["finished_at"] = None
    return values


def _error_values(error: JobError) -> dict[str, object]:
    return {
        "error_type": check_text(error.type, field="error.type", max_length=MAX_ERROR_TYPE_LENGTH),
        "error_message": check_text(error.message, field="error.message"),
        "error_traceback": check_text(error.traceback, field="error.traceback"),
    }


def _check_names_a_job(conn: Connection, job_id: object, field: str) -> None:
    """``NotFoundError`` naming ``field`` when ``job_id`` (if given) is no job's id: a job
    never points at a parent, or a run it repeats, that does not exist."""
    if job_id is None:
        return
    if conn.execute(select(_J.c.id).where(_J.c.id == job_id)).first() is None:
        raise NotFoundError(
            f"{field} names job {job_id}, which does not exist",
            detail={"field": field, "job_id": job_id},
        )


def _job_values(spec: JobSpec, status: JobStatus, job_id: str | None) -> dict[str, object]:
    """The jobs row's columns for ``spec``: every field of JobSpec is written here."""
    if spec.parent_id is not None:
        check_job_id(spec.parent_id, field="parent_id")
    if spec.rerun_of is not None:
        check_job_id(spec.rerun_of, field="rerun_of")
    if spec.env_mode not in ENV_MODES:
        raise invalid("env", f"env must be one of {', '.join(ENV_MODES)}")
    if spec.timeout is not None and not spec.timeout > 0:
        raise invalid("timeout", "timeout must be a positive number of seconds")
    retries = _check_int(spec.retries, field="retries")
    if not 0 <= retries <= MAX_RETRIES:
        raise invalid("retries", f"retries must be 0 to {MAX_RETRIES}")
    if spec.image is not None and spec.kind not in (JobKind.SCHEDULED, JobKind.SWEEP_TRIAL):
        raise invalid("image", "only a scheduled job runs in a container image")
    if spec.sweep_id is not None and spec.kind != JobKind.SWEEP_TRIAL:
        raise invalid("sweep_id", "only a sweep-trial job names a sweep")
    return {
        "id": new_job_id() if job_id is None else check_job_id(job_id),
        "name": check_job_name(spec.name),
        "user": check_text(spec.user, field="user", max_length=MAX_USER_LENGTH),
        "kind": str(_enum(JobKind, spec.kind, "kind")),
        "status": str(status),
        "command": check_text(spec.command, field="command", max_length=MAX_COMMAND_LENGTH),
        "priority": _check_int(spec.priority, field="priority"),
        "git_json": _json_object(spec.git, "git"),
        "environment_json": _json_object(spec.environment, "environment"),
        "resources_json": _json_object(spec.resources, "resources"),
        "parent_id": spec.parent_id,
        "snapshot": spec.snapshot,
        "timeout_s": spec.timeout,
        "env_mode": spec.env_mode,
        "rerun_of": spec.rerun_of,
        "image": None
        if spec.image is None
        else check_text(spec.image, field="image", max_length=MAX_IMAGE_LENGTH),
        "retries": retries,
        "sweep_id": None
        if spec.sweep_id is None
        else check_job_id(spec.sweep_id, field="sweep_id"),
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
