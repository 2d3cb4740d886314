"""Wire models of notification rules and their delivery log (docs/notifications.md,
docs/rest-api.md "Notifications"). A rule's URL often holds its secret (a Slack webhook's
path is its key): readers below editor see it cut to its scheme and host."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, JsonValue, StringConstraints

from atlas.notifications import MAX_NOTIFY_URL_LENGTH, NOTIFIED_STATUSES, Delivery, NotificationRule
from atlas.server.schemas import Text, UtcDatetime, WireModel

__all__ = [
    "DeliveryOut",
    "DeliveryPageOut",
    "NotificationRuleCreate",
    "NotificationRuleListOut",
    "NotificationRuleOut",
    "NotificationRuleUpdate",
    "redacted_url",
]

Event = Literal["running", "completed", "failed", "cancelled", "lost"]
assert set(get_args(Event)) == set(NOTIFIED_STATUSES)  # the one list is the domain's
Events = Annotated[list[Event], Field(min_length=1, max_length=len(NOTIFIED_STATUSES))]
NotifyUrl = Annotated[Text, StringConstraints(min_length=1, max_length=MAX_NOTIFY_URL_LENGTH)]


def redacted_url(url: str) -> str:
    """``url`` cut to its scheme and host (``https://hooks.slack.com/…``)."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    return f"{scheme}://{host}/…"


class NotificationRuleCreate(WireModel):
    events: Events = Field(description="the job statuses to tell about")
    kind: Literal["webhook", "slack"] = Field(
        description="webhook: a JSON POST; slack: a Slack incoming webhook's message"
    )
    url: NotifyUrl = Field(description="an http:// or https:// URL")


class NotificationRuleUpdate(WireModel):
    enabled: bool | None = None
    events: Events | None = None


class NotificationRuleOut(WireModel):
    id: str
    project: str
    events: list[str]
    kind: str
    url: str = Field(description="the URL; cut to scheme and host for readers below editor")
    url_hidden: bool
    enabled: bool
    created_by: str
    created_at: UtcDatetime

    @classmethod
    def from_domain(cls, rule: NotificationRule, *, show_url: bool) -> NotificationRuleOut:
        """The wire form of ``rule``; ``show_url``: the whole URL."""
        url = rule.url or ""
        return cls.model_construct(
            id=rule.id,
            project=rule.project,
            events=[str(e) for e in rule.events],
            kind=str(rule.kind),
            url=url if show_url else redacted_url(url),
            url_hidden=not show_url,
            enabled=rule.enabled,
            created_by=rule.created_by,
            created_at=rule.created_at,
        )


class NotificationRuleListOut(WireModel):
    items: list[NotificationRuleOut]


class DeliveryOut(WireModel):
    id: str
    project: str
    rule_id: str | None
    job_id: str | None
    event: str = Field(description="the job's new status, or test")
    kind: str = Field(description="webhook, slack, or slack_api (a job's Slack channel)")
    channel: str | None
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    created_at: UtcDatetime
    next_attempt_at: UtcDatetime | None
    last_attempt_at: UtcDatetime | None
    delivered_at: UtcDatetime | None
    response_code: int | None
    error: str | None
    payload: dict[str, JsonValue]

    @classmethod
    def from_domain(cls, delivery: Delivery) -> DeliveryOut:
        """The wire form of ``delivery``."""
        return cls.model_construct(
            id=delivery.id,
            project=delivery.project,
            rule_id=delivery.rule_id,
            job_id=delivery.job_id,
            event=delivery.event,
            kind=str(delivery.kind),
            channel=delivery.channel,
            status=str(delivery.status),
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            last_attempt_at=delivery.last_attempt_at,
            delivered_at=delivery.delivered_at,
            response_code=delivery.response_code,
            error=delivery.error,
            payload=delivery.payload,
        )


class DeliveryPageOut(WireModel):
    items: list[DeliveryOut]
    total: int
    limit: int
    offset: int
