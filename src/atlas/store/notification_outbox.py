"""The notification outbox, as functions over an open connection: a job's status change
enqueues its notifications in the same transaction (:func:`enqueue_job_event`, called by
every function that moves a job's status), so a crash between the change and the send loses
nothing; a sender claims due deliveries (:func:`claim_due`) and records each attempt
(:func:`record_attempt`).

A claim moves a pending delivery's ``next_attempt_at`` past the claim's end with a
conditional ``UPDATE``: of several servers on one database only one claims a delivery, and
one of a server that died mid-send is due again once the claim ends (sent at least once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, and_, bindparam, insert, literal, null, select, union_all, update

from atlas.domain import (
    JobStatus,
    new_job_id,
)
from atlas.notifications import (
    NOTIFICATION_CHANNEL_TAG,
    NOTIFIED_STATUSES,
    Delivery,
    DeliveryStatus,
    NotifyTarget,
)
from atlas.store.conversions import dump_json, utc_now
from atlas.store.notifications import delivery_from_row, get_rule, stored_events
from atlas.store.tables import (
    jobs_table,
    notification_deliveries_table,
    notification_rules_table,
    projects_table,
    tags_table,
)

__all__ = [
    "ENQUEUED",
    "MAX_PAYLOAD_ERROR",
    "Outgoing",
    "any_due",
    "claim_due",
    "enqueue_job_event",
    "enqueue_test",
    "job_path",
    "record_attempt",
    "target_key",
]

_J = jobs_table
_P = projects_table
_R = notification_rules_table
_D = notification_deliveries_table
_T = tags_table
MAX_PAYLOAD_ERROR = 2000
"""Characters of a job's error message a notification carries (its log has the rest)."""
ENQUEUED = "atlas.notifications_enqueued"
"""The key of a connection's ``info`` set when its transaction enqueued deliveries (the
store's commit hook wakes the notifier then)."""
_CLAIM_WINDOW = 500
"""Due deliveries one claim looks at (the oldest due first)."""
MAX_RESPONSE_ERROR = 1000
"""Characters of an attempt's error kept in the log."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed delivery with where it goes: its rule's URL (``None`` for a job's Slack
    channel) and whether the rule is still on."""

    delivery: Delivery
    url: str | None
    enabled: bool


def job_path(project: str, job_id: str) -> str:
    """The GUI's page of a job, as a path on the server (docs/gui.md)."""
    del project  # the GUI finds a job by its id alone
    return f"/jobs/{quote(job_id, safe='')}"


def enqueue_job_event(conn: Connection, job_ids: Sequence[str], status: JobStatus | str) -> int:
    """Enqueue the notifications of ``job_ids`` reaching ``status``: one per enabled rule
    of each job's project that asks for it, and one per job that names a Slack channel
    (tag ``job_notification_channel``). Return how many. Call it in the transaction that
    changes the status; when no rule or channel applies it costs one indexed query."""
    if not job_ids or status not in NOTIFIED_STATUSES:
        return 0
    event = JobStatus(status)
    ids = list(dict.fromkeys(job_ids))
    targets = [
        row
        for row in conn.execute(_TARGETS, {"ids": ids})
        if row.rule_id is None or event in stored_events(row.events)
    ]
    if not targets:
        return 0
    payloads = _job_payloads(conn, sorted({row.job_id for row in targets}), event)
    now = utc_now()
    values = []
    for row in targets:
        if row.job_id not in payloads:
            continue
        pid, payload = payloads[row.job_id]
        values.append(
            _pending(
                project_id=pid,
                rule_id=row.rule_id,
                job_id=row.job_id,
                event=str(event),
                kind=row.kind,
                channel=row.channel,
                payload=payload,
                now=now,
            )
        )
    if values:
        conn.execute(insert(_D), values)
        conn.info[ENQUEUED] = True
    return len(values)


def enqueue_test(conn: Connection, rule_id: str, *, user: str) -> str:
    """Enqueue a test message to the rule (on or off); return the delivery's id."""
    rule = get_rule(conn, rule_id)
    pid = conn.scalar(select(_R.c.project_id).where(_R.c.id == rule_id))
    payload: dict[str, object] = {
        "event": "test",
        "project": rule.project,
        "job": None,
        "message": f"A test notification from Atlas for project {rule.project}, sent by {user}.",
    }
    row = _pending(
        project_id=int(pid or 0),
        rule_id=rule_id,
        job_id=None,
        event="test",
        kind=str(rule.kind),
        channel=None,
        payload=payload,
        now=utc_now(),
    )
    conn.execute(insert(_D).values(row))
    conn.info[ENQUEUED] = True
    return str(row["id"])


def any_due(conn: Connection, now: datetime) -> bool:
    """Whether a pending delivery is due at ``now`` (one indexed read)."""
    query = select(_D.c.id).where(
        _D.c.status == str(DeliveryStatus.PENDING), _D.c.next_attempt_at <= now
    )
    return conn.execute(query.limit(1)).first() is not None


def claim_due(
    conn: Connection,
    now: datetime,
    *,
    until: datetime,
    limit: int,
    per_target: int,
    busy: Mapping[str, int] | None = None,
) -> list[Outgoing]:
    """Claim up to ``limit`` pending deliveries due at ``now`` (oldest due first) until
    ``until``, at most ``per_target`` of one target (:func:`target_key`) counting the
    ``busy`` ones the sender has in flight, so one slow receiver cannot take every turn."""
    taken_by = dict(busy or {})
    query = (
        select(_D, _P.c.name.label("project_name"), _R.c.url, _R.c.enabled)
        .join(_P, _P.c.id == _D.c.project_id)
        .outerjoin(_R, _R.c.id == _D.c.rule_id)
        .where(_D.c.status == str(DeliveryStatus.PENDING), _D.c.next_attempt_at <= now)
        .order_by(_D.c.next_attempt_at)
        .limit(_CLAIM_WINDOW)
    )
    claimed: list[Outgoing] = []
    for row in conn.execute(query).all():
        key = target_key(row.rule_id, row.channel)
        if len(claimed) >= limit:
            break
        if taken_by.get(key, 0) >= per_target:
            continue
        taken = conn.execute(
            update(_D)
            .where(
                _D.c.id == row.id,
                _D.c.status == str(DeliveryStatus.PENDING),
                _D.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=until)
        )
        if taken.rowcount == 1:
            taken_by[key] = taken_by.get(key, 0) + 1
            enabled = row.rule_id is None or bool(row.enabled)
            claimed.append(Outgoing(delivery_from_row(row), row.url, enabled))
    return claimed


def target_key(rule_id: str | None, channel: str | None) -> str:
    """Where a delivery goes, as one key: its rule, or a job's Slack channel."""
    return rule_id if rule_id is not None else f"{NotifyTarget.SLACK_API}:{channel}"


def record_attempt(
    conn: Connection,
    delivery_id: str,
    *,
    at: datetime,
    delivered: bool,
    response_code: int | None,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    """Record one attempt of a delivery: ``delivered``, or failed with ``response_code``
    and ``error`` and then due again at ``retry_at`` (``None``: given up)."""
    values: dict[str, object] = {
        "attempts": _D.c.attempts + 1,
        "last_attempt_at": at,
        "response_code": response_code,
        "error": None if error is None else error[:MAX_RESPONSE_ERROR],
    }
    if delivered:
        values |= {"status": str(DeliveryStatus.DELIVERED), "delivered_at": at}
        values["next_attempt_at"] = None
    elif retry_at is not None:
        values["next_attempt_at"] = retry_at
    else:
        values |= {"status": str(DeliveryStatus.FAILED), "next_attempt_at": None}
    conn.execute(update(_D).where(_D.c.id == delivery_id).values(values))


def _targets_query() -> Any:
    """Each (job, enabled rule of its project) and each (job, Slack channel tag) of the
    jobs ``:ids``: built once, as every status change asks it."""
    ids: Any = bindparam("ids", expanding=True)
    rules = (
        select(
            _J.c.id.label("job_id"),
            _R.c.id.label("rule_id"),
            _R.c.events.label("events"),
            _R.c.kind.label("kind"),
            null().label("channel"),
        )
        .select_from(_J.join(_R, and_(_R.c.project_id == _J.c.project_id, _R.c.enabled.is_(True))))
        .where(_J.c.id.in_(ids))
    )
    channels = select(
        _T.c.job_id,
        null(),
        null(),
        literal(str(NotifyTarget.SLACK_API)),
        _T.c.value,
    ).where(_T.c.job_id.in_(ids), _T.c.key == NOTIFICATION_CHANNEL_TAG, _T.c.value != "")
    return union_all(rules, channels)


_TARGETS = _targets_query()


def _job_payloads(
    conn: Connection, ids: list[str], event: JobStatus
) -> dict[str, tuple[int, dict[str, object]]]:
    """Each job's project id and what its notification says of it, read in the same
    transaction."""
    query = (
        select(
            _J.c.id,
            _J.c.name,
            _J.c.user,
            _J.c.kind,
            _J.c.status,
            _J.c.started_at,
            _J.c.finished_at,
            _J.c.exit_code,
            _J.c.error_type,
            _J.c.error_message,
            _J.c.project_id,
            _P.c.name.label("project"),
        )
        .select_from(_J.join(_P, _P.c.id == _J.c.project_id))
        .where(_J.c.id.in_(ids))
    )
    return {row.id: (int(row.project_id), _payload(row, event)) for row in conn.execute(query)}


def _payload(row: Any, event: JobStatus) -> dict[str, object]:
    duration = None
    if row.started_at is not None and row.finished_at is not None:
        duration = round(max(0.0, (row.finished_at - row.started_at).total_seconds()), 3)
    error = None
    if row.error_type is not None or row.error_message is not None:
        error = {"type": row.error_type, "message": (row.error_message or "")[:MAX_PAYLOAD_ERROR]}
    job: dict[str, object] = {
        "id": row.id,
        "name": row.name,
        "project": row.project,
        "user": row.user,
        "kind": row.kind,
        "status": str(event),
        "started_at": None if row.started_at is None else row.started_at.isoformat(),
        "finished_at": None if row.finished_at is None else row.finished_at.isoformat(),
        "duration_s": duration,
        "exit_code": row.exit_code,
        "error": error,
        "path": job_path(row.project, row.id),
    }
    return {"event": str(event), "project": row.project, "job": job}


def _pending(
    *,
    project_id: int,
    rule_id: str | None,
    job_id: str | None,
    event: str,
    kind: str,
    channel: str | None,
    payload: Mapping[str, object],
    now: datetime,
) -> dict[str, object]:
    return {
        "id": new_job_id(),
        "project_id": project_id,
        "rule_id": rule_id,
        "job_id": job_id,
        "event": event,
        "kind": kind,
        "channel": None if channel is None else channel[:200],
        "payload_json": dump_json(payload),
        "status": str(DeliveryStatus.PENDING),
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
