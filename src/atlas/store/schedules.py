"""Recurring jobs, as functions over an open connection (one transaction).

A schedule keeps the job it submits as ``JobSpec``'s own fields in JSON (all but the
project, which is the schedule's), so a run is queued exactly as a submission of the same
spec would be. Firing is a compare-and-set on the row as it was read (:func:`fire`): the
update that moves ``last_slot`` matches only when no other server, retry or user changed the
schedule meanwhile, and the job is inserted in the same transaction, so a slot never fires
twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, update

from atlas import cron as crons
from atlas.domain import JOB_SPEC_FIELDS, JobKind, JobSpec, new_job_id
from atlas.errors import NotFoundError
from atlas.names import MAX_JOB_NAME_LENGTH, MAX_USER_LENGTH, invalid, is_job_id, shown
from atlas.schedules import Schedule
from atlas.store.conversions import utc_now
from atlas.store.projects import project_id
from atlas.store.queue import insert_submission
from atlas.store.schedule_api import UNCHANGED, Unchanged
from atlas.store.tables import projects_table, schedules_table
from atlas.store.validation import check_text

__all__ = [
    "delete_schedule",
    "due_schedules",
    "fire",
    "get_schedule",
    "insert_schedule",
    "list_schedules",
    "next_schedule_at",
    "update_schedule",
]

MAX_ERROR_LENGTH = 1000
"""The most characters of a skipped slot's reason a schedule keeps."""

_S = schedules_table
_P = projects_table


def insert_schedule(
    conn: Connection,
    spec: JobSpec,
    *,
    cron: str,
    timezone: str,
    name: str,
    user: str,
    next_run_at: datetime | None,
) -> str:
    """Keep a schedule of ``spec`` in its project (which must exist); return its id."""
    pid = project_id(conn, spec.project)
    now = utc_now()
    schedule_id = new_job_id()
    conn.execute(
        insert(_S).values(
            id=schedule_id,
            project_id=pid,
            name=_checked_name(name),
            cron=crons.parse(cron).text,
            timezone=crons.zone(timezone).key,
            spec_json=_spec_json(spec),
            created_by=check_text(user, field="user", max_length=MAX_USER_LENGTH),
            paused=next_run_at is None,
            next_run_at=next_run_at,
            last_slot=None,
            last_job_id=None,
            created_at=now,
            updated_at=now,
        )
    )
    return schedule_id


def get_schedule(conn: Connection, schedule_id: str) -> Schedule:
    """The schedule; ``NotFoundError`` when there is none of this id."""
    row = None
    if is_job_id(schedule_id):
        row = conn.execute(_select().where(_S.c.id == schedule_id)).first()
    if row is None:
        raise NotFoundError(
            f"schedule {shown(schedule_id)!r} not found",
            detail={"schedule_id": shown(schedule_id)},
        )
    return _schedule(row)


def list_schedules(conn: Connection, project: str | None) -> list[Schedule]:
    """The project's schedules (``None``: all), by project, name, then creation."""
    query = _select().order_by(_P.c.name, _S.c.name, _S.c.created_at, _S.c.id)
    if project is not None:
        query = query.where(_S.c.project_id == project_id(conn, project))
    return [_schedule(row) for row in conn.execute(query)]


def update_schedule(
    conn: Connection,
    schedule_id: str,
    *,
    name: str | None = None,
    cron: str | None = None,
    timezone: str | None = None,
    paused: bool | None = None,
    next_run_at: datetime | Unchanged | None = UNCHANGED,
) -> None:
    """Change what is given of the schedule and set its next run time (``UNCHANGED``: the
    row's own, never one read before, which a fire may have moved on since)."""
    get_schedule(conn, schedule_id)
    values: dict[str, Any] = {"updated_at": utc_now()}
    if next_run_at != UNCHANGED:
        values["next_run_at"] = next_run_at
    if name is not None:
        values["name"] = _checked_name(name)
    if cron is not None:
        values["cron"] = crons.parse(cron).text
    if timezone is not None:
        values["timezone"] = crons.zone(timezone).key
    if paused is not None:
        values["paused"] = bool(paused)
    conn.execute(update(_S).where(_S.c.id == schedule_id).values(values))


def delete_schedule(conn: Connection, schedule_id: str) -> None:
    """Delete the schedule; ``NotFoundError`` when there is none of this id."""
    get_schedule(conn, schedule_id)
    conn.execute(delete(_S).where(_S.c.id == schedule_id))


def due_schedules(conn: Connection, now: datetime) -> list[Schedule]:
    """Schedules not paused whose next run is at or before ``now``, the earliest first."""
    query = (
        _select()
        .where(_S.c.paused.is_(False), _S.c.next_run_at <= now)
        .order_by(_S.c.next_run_at, _S.c.id)
    )
    return [_schedule(row) for row in conn.execute(query)]


def next_schedule_at(conn: Connection) -> datetime | None:
    """The earliest next run time of a schedule not paused."""
    found: datetime | None = conn.scalar(
        select(func.min(_S.c.next_run_at)).where(_S.c.paused.is_(False))
    )
    return found


def fire(
    conn: Connection,
    schedule: Schedule,
    spec: JobSpec | None,
    *,
    next_run_at: datetime,
    error: str | None = None,
) -> str | bool:
    """Move the schedule from its slot to ``next_run_at`` if its row is as read and the
    slot is later than the last one fired, and queue ``spec`` (``None``: the slot is skipped
    for the reason ``error``, kept as the schedule's last error, and no job); the job's id,
    ``True`` for a slot skipped, ``False`` (nothing written) when the row changed."""
    slot = schedule.next_run_at
    if slot is None:
        return False
    outcome: dict[str, Any] = {"last_error": None, "last_error_at": None}
    if spec is None:
        outcome = {"last_error": _checked_error(error), "last_error_at": utc_now()}
    moved = conn.execute(
        update(_S)
        .where(
            _S.c.id == schedule.id,
            _S.c.last_slot.is_not_distinct_from(schedule.last_slot),
            _S.c.next_run_at == slot,
            _S.c.cron == schedule.cron,
            _S.c.timezone == schedule.timezone,
            _S.c.paused.is_(False),
            # The database's own rule: a slot fires once, whoever wrote the row last.
            or_(_S.c.last_slot.is_(None), _S.c.next_run_at > _S.c.last_slot),
        )
        .values(last_slot=slot, next_run_at=next_run_at, **outcome)
    )
    if moved.rowcount != 1:
        return False
    if spec is None:
        return True
    job_id = insert_submission(conn, spec)
    conn.execute(update(_S).where(_S.c.id == schedule.id).values(last_job_id=job_id))
    return job_id


def _select() -> Any:
    return select(_S, _P.c.name.label("project_name")).join(_P, _P.c.id == _S.c.project_id)


def _checked_name(name: str) -> str:
    return check_text(name, field="name", max_length=MAX_JOB_NAME_LENGTH).strip()


def _checked_error(error: str | None) -> str:
    """The reason a slot was skipped, cut to what the column keeps."""
    text = (error or "the run was not submitted").strip()
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def _spec_json(spec: JobSpec) -> str:
    """``spec``'s fields but the project, as JSON (a scheduled job's spec only)."""
    if spec.kind != JobKind.SCHEDULED:
        raise invalid("kind", "a schedule submits scheduled jobs (kind scheduled)")
    fields = {name: getattr(spec, name) for name in JOB_SPEC_FIELDS if name != "project"}
    return json.dumps(fields, separators=(",", ":"), sort_keys=True, default=_plain)


def _plain(value: object) -> object:
    """Mappings of the frozen spec (``MappingProxyType`` and the like) as dicts."""
    if hasattr(value, "items"):
        return dict(value.items())
    raise TypeError(f"{type(value).__name__} is not JSON")


def _spec(project: str, text: str) -> JobSpec:
    fields = {k: v for k, v in json.loads(text).items() if k in JOB_SPEC_FIELDS}
    fields["kind"] = JobKind(fields.get("kind", JobKind.SCHEDULED))
    return JobSpec(project=project, **fields)


def _schedule(row: Row[Any]) -> Schedule:
    return Schedule(
        id=row.id,
        project=row.project_name,
        name=row.name,
        cron=row.cron,
        timezone=row.timezone,
        spec=_spec(row.project_name, row.spec_json),
        created_by=row.created_by,
        paused=bool(row.paused),
        next_run_at=row.next_run_at,
        last_slot=row.last_slot,
        last_job_id=row.last_job_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
    )
