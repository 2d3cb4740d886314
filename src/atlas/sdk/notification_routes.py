"""The ``Client`` methods of the notification routes (docs/notifications.md): a project's
rules (add, list, read, turn on or off, delete, test) and its delivery log.
``atlas.sdk.client.Client`` has them all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from atlas.domain import (
    JobStatus,
    Page,
)
from atlas.notifications import Delivery, DeliveryStatus, NotificationRule, NotifyTarget
from atlas.sdk.connection import segment
from atlas.sdk.wire import (
    _answer,
    _int,
    _object,
    _optional_int,
    _optional_text,
    _optional_time,
    _text,
    items_of,
    parse_time,
    string_list,
)

if TYPE_CHECKING:
    from atlas.sdk.connection import Connection

__all__ = ["NotificationRoutes", "parse_delivery", "parse_rule"]


class NotificationRoutes:
    """What a ``Client`` asks of the notification routes; errors as for every ``Client``
    method (``NotFoundError`` for an unknown rule or project, ``InvalidInputError`` for a
    URL, kind or event the server refuses)."""

    _connection: Connection  # set by Client.__init__

    def add_notification(
        self, project: str, *, events: Sequence[str], kind: str, url: str
    ) -> NotificationRule:
        """Post to ``url`` (``kind`` ``webhook`` or ``slack``) when a job of ``project``
        reaches one of ``events`` (running, completed, failed, cancelled, lost)."""
        body = {"events": list(events), "kind": kind, "url": url}
        path = f"/projects/{segment(project)}/notifications"
        return parse_rule(self._connection.json("POST", path, body=body))

    def list_notifications(self, project: str) -> list[NotificationRule]:
        """The project's rules, oldest first (their URLs cut to the host below editor)."""
        answer = self._connection.json("GET", f"/projects/{segment(project)}/notifications")
        return [parse_rule(item) for item in items_of(answer)]

    def get_notification(self, rule_id: str) -> NotificationRule:
        """One rule."""
        return parse_rule(self._connection.json("GET", _path(rule_id)))

    def update_notification(
        self, rule_id: str, *, enabled: bool | None = None, events: Sequence[str] | None = None
    ) -> NotificationRule:
        """Turn the rule on or off, or replace its events."""
        body: dict[str, object] = {}
        if enabled is not None:
            body["enabled"] = enabled
        if events is not None:
            body["events"] = list(events)
        return parse_rule(self._connection.json("PATCH", _path(rule_id), body=body))

    def delete_notification(self, rule_id: str) -> None:
        """Delete the rule and its delivery log."""
        self._connection.send("DELETE", _path(rule_id))

    def test_notification(self, rule_id: str) -> Delivery:
        """Queue a test message to the rule's URL; the delivery, as queued."""
        return parse_delivery(self._connection.json("POST", f"{_path(rule_id)}/test"))

    def list_deliveries(
        self,
        project: str,
        *,
        limit: int = 50,
        offset: int = 0,
        rule_id: str | None = None,
        job_id: str | None = None,
    ) -> Page[Delivery]:
        """A page of the project's delivery log, newest first."""
        params: dict[str, object] = {"limit": limit, "offset": offset}
        if rule_id is not None:
            params["rule"] = rule_id
        if job_id is not None:
            params["job"] = job_id
        path = f"/projects/{segment(project)}/notifications/deliveries"
        answer = _object(self._connection.json("GET", path, params=params))
        return Page(
            items=[parse_delivery(item) for item in items_of(answer)],
            total=_int(answer.get("total", 0)),
            limit=_int(answer.get("limit", limit)),
            offset=_int(answer.get("offset", offset)),
        )


def _path(rule_id: str) -> str:
    return f"/notifications/{segment(rule_id)}"


@_answer("notification rule")
def parse_rule(data: object) -> NotificationRule:
    """A ``Rule`` object."""
    body = _object(data)
    return NotificationRule(
        id=_text(body["id"]),
        project=_text(body["project"]),
        events=tuple(JobStatus(e) for e in string_list(body.get("events") or [])),
        kind=NotifyTarget(_text(body["kind"])),
        url=_optional_text(body.get("url")),
        enabled=bool(body.get("enabled")),
        created_by=_text(body.get("created_by")),
        created_at=parse_time(body["created_at"]),
    )


@_answer("delivery")
def parse_delivery(data: object) -> Delivery:
    """A ``Delivery`` object."""
    body = _object(data)
    return Delivery(
        id=_text(body["id"]),
        project=_text(body["project"]),
        rule_id=_optional_text(body.get("rule_id")),
        job_id=_optional_text(body.get("job_id")),
        event=_text(body["event"]),
        kind=NotifyTarget(_text(body["kind"])),
        payload=dict(_object(body.get("payload") or {})),
        status=DeliveryStatus(_text(body["status"])),
        attempts=_int(body.get("attempts", 0)),
        created_at=parse_time(body["created_at"]),
        next_attempt_at=_optional_time(body.get("next_attempt_at")),
        last_attempt_at=_optional_time(body.get("last_attempt_at")),
        delivered_at=_optional_time(body.get("delivered_at")),
        response_code=_optional_int(body.get("response_code")),
        error=_optional_text(body.get("error")),
        channel=_optional_text(body.get("channel")),
    )
