"""Notification rules and the delivery log, as functions over an open connection (one
transaction). The outbox's writes (a job event enqueued, a delivery claimed and its attempt
recorded) are in ``notification_outbox``.

A rule belongs to a project; its ``events`` are a subset of ``NOTIFIED_STATUSES``, stored
comma-separated in that order; its events and URL are checked by ``atlas.notifications``. A
project holds at most ``MAX_NOTIFY_RULES`` rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from atlas.domain import (
    JobStatus,
    Page,
    new_job_id,
)
from atlas.errors import NotFoundError
from atlas.names import (
    MAX_USER_LENGTH,
    invalid,
    is_job_id,
    shown,
)
from atlas.notifications import (
    MAX_NOTIFY_RULES,
    Delivery,
    DeliveryStatus,
    NotificationRule,
    NotifyTarget,
    check_events,
    check_notify_url,
)
from atlas.store.conversions import utc_now
from atlas.store.projects import project_id
from atlas.store.tables import (
    notification_deliveries_table,
    notification_rules_table,
    projects_table,
)
from atlas.store.validation import check_text

__all__ = [
    "MAX_DELIVERIES_PAGE",
    "delete_rule",
    "delivery_from_row",
    "get_delivery",
    "get_rule",
    "insert_rule",
    "list_deliveries",
    "list_rules",
    "prune_deliveries",
    "stored_events",
    "update_rule",
]

_R = notification_rules_table
_D = notification_deliveries_table
_P = projects_table
RULE_KINDS = (NotifyTarget.WEBHOOK, NotifyTarget.SLACK)
MAX_DELIVERIES_PAGE = 500
"""Most deliveries one page of the log holds."""


def stored_events(text: str) -> tuple[JobStatus, ...]:
    """The events of a rule as stored (comma-separated, checked by ``check_events``)."""
    return tuple(JobStatus(word) for word in text.split(",") if word)


def insert_rule(
    conn: Connection,
    project: str,
    *,
    events: Iterable[object],
    kind: NotifyTarget | str,
    url: str,
    user: str,
) -> str:
    """Add a rule to ``project`` (which must exist); return its id."""
    pid = project_id(conn, project)
    conn.execute(select(_P.c.id).where(_P.c.id == pid).with_for_update(key_share=True))
    count = conn.scalar(select(func.count()).select_from(_R).where(_R.c.project_id == pid))
    if int(count or 0) >= MAX_NOTIFY_RULES:
        raise invalid("project", f"a project has at most {MAX_NOTIFY_RULES} notification rules")
    rule_id = new_job_id()
    conn.execute(
        insert(_R).values(
            id=rule_id,
            project_id=pid,
            events=",".join(check_events(events)),
            kind=str(_kind(kind)),
            url=check_notify_url(url),
            enabled=True,
            created_by=check_text(user, field="user", max_length=MAX_USER_LENGTH),
            created_at=utc_now(),
        )
    )
    return rule_id


def get_rule(conn: Connection, rule_id: str) -> NotificationRule:
    """The rule; ``NotFoundError`` when there is none of this id."""
    row = None
    if is_job_id(rule_id):
        row = conn.execute(_rules().where(_R.c.id == rule_id)).first()
    if row is None:
        raise rule_not_found(rule_id)
    return _rule(row)


def list_rules(conn: Connection, project: str | None) -> list[NotificationRule]:
    """The rules of ``project`` (of every project when ``None``), oldest first."""
    query = _rules().order_by(_P.c.name, _R.c.id)
    if project is not None:
        query = query.where(_R.c.project_id == project_id(conn, project))
    return [_rule(row) for row in conn.execute(query)]


def update_rule(
    conn: Connection,
    rule_id: str,
    *,
    enabled: bool | None = None,
    events: Iterable[object] | None = None,
) -> None:
    """Turn the rule on or off, or replace its events (``None``: unchanged)."""
    get_rule(conn, rule_id)
    values: dict[str, object] = {}
    if enabled is not None:
        values["enabled"] = bool(enabled)
    if events is not None:
        values["events"] = ",".join(check_events(events))
    if values:
        conn.execute(update(_R).where(_R.c.id == rule_id).values(values))


def delete_rule(conn: Connection, rule_id: str) -> None:
    """Delete the rule and (by cascade) its deliveries."""
    get_rule(conn, rule_id)
    conn.execute(delete(_R).where(_R.c.id == rule_id))


def get_delivery(conn: Connection, delivery_id: str) -> Delivery:
    """One delivery; ``NotFoundError`` when there is none of this id."""
    row = None
    if is_job_id(delivery_id):
        row = conn.execute(_deliveries().where(_D.c.id == delivery_id)).first()
    if row is None:
        raise NotFoundError(
            f"delivery {shown(delivery_id)!r} not found",
            detail={"delivery_id": shown(delivery_id)},
        )
    return delivery_from_row(row)


def list_deliveries(
    conn: Connection,
    project: str,
    *,
    limit: int = 50,
    offset: int = 0,
    rule_id: str | None = None,
    job_id: str | None = None,
) -> Page[Delivery]:
    """A page of the project's deliveries, newest first (only ``rule_id``'s or
    ``job_id``'s when given)."""
    if not 1 <= limit <= MAX_DELIVERIES_PAGE:
        raise invalid("limit", f"limit must be 1 to {MAX_DELIVERIES_PAGE}")
    if not 0 <= offset < 2**31:
        raise invalid("offset", "offset must be 0 to 2,147,483,647")
    where = [_D.c.project_id == project_id(conn, project)]
    if rule_id is not None:
        where.append(_D.c.rule_id == rule_id)
    if job_id is not None:
        where.append(_D.c.job_id == job_id)
    total = conn.scalar(select(func.count()).select_from(_D).where(*where))
    query = _deliveries().where(*where).order_by(_D.c.id.desc()).limit(limit).offset(offset)
    items = [delivery_from_row(row) for row in conn.execute(query)]
    return Page(items=items, total=int(total or 0), limit=limit, offset=offset)


def prune_deliveries(conn: Connection, before: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` delivered or failed deliveries made before ``before`` (never
    a pending one); return how many were deleted."""
    ended = (str(DeliveryStatus.DELIVERED), str(DeliveryStatus.FAILED))
    old = (
        select(_D.c.id)
        .where(_D.c.created_at < before, _D.c.status.in_(ended))
        .order_by(_D.c.created_at)
        .limit(limit)
    )
    ids = list(conn.scalars(old))
    if ids:
        conn.execute(delete(_D).where(_D.c.id.in_(ids)))
    return len(ids)


def rule_not_found(rule_id: str) -> NotFoundError:
    """The error for an unknown rule id."""
    return NotFoundError(
        f"notification rule {shown(rule_id)!r} not found",
        detail={"notification_id": shown(rule_id)},
    )


def _kind(kind: object) -> NotifyTarget:
    if kind not in RULE_KINDS:
        raise invalid("kind", f"a rule posts to a webhook or slack, not {kind!r}")
    return NotifyTarget(str(kind))


def _rules() -> Any:
    return select(_R, _P.c.name.label("project_name")).join(_P, _P.c.id == _R.c.project_id)


def _deliveries() -> Any:
    return select(_D, _P.c.name.label("project_name")).join(_P, _P.c.id == _D.c.project_id)


def _rule(row: Row[Any]) -> NotificationRule:
    return NotificationRule(
        id=row.id,
        project=row.project_name,
        events=stored_events(row.events),
        kind=NotifyTarget(row.kind),
        url=row.url,
        enabled=bool(row.enabled),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def delivery_from_row(row: Row[Any]) -> Delivery:
    """A delivery from a row of ``notification_deliveries`` with its ``project_name``."""
    return Delivery(
        id=row.id,
        project=row.project_name,
        rule_id=row.rule_id,
        job_id=row.job_id,
        event=row.event,
        kind=NotifyTarget(row.kind),
        payload=json.loads(row.payload_json),
        status=DeliveryStatus(row.status),
        attempts=int(row.attempts),
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
        response_code=row.response_code,
        error=row.error,
        channel=row.channel,
    )
