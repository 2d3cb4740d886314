"""What a notification of a job's status change is, and its rules (docs/notifications.md):
the statuses a rule may follow, where a notification goes, the rule and one delivery as
plain data, and the checks of a rule's events and URL, shared by the CLI, the SDK, the
server and the store. No I/O here: which addresses a URL may reach is decided here
(:func:`refused_address`), the names are resolved by the notifier at send time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from atlas.domain import JobStatus
from atlas.names import invalid, shown

__all__ = [
    "DELIVERY_STATUSES",
    "MAX_NOTIFY_RULES",
    "MAX_NOTIFY_URL_LENGTH",
    "NOTIFICATION_CHANNEL_TAG",
    "NOTIFIED_STATUSES",
    "Delivery",
    "DeliveryStatus",
    "NotificationRule",
    "NotifyTarget",
    "check_events",
    "check_notify_url",
    "refused_address",
]

NOTIFIED_STATUSES = (
    JobStatus.RUNNING,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.LOST,
)
"""The statuses a notification rule may be told about, in the order they are listed."""
MAX_NOTIFY_URL_LENGTH = 2000
"""Longest URL a notification rule posts to."""
MAX_NOTIFY_RULES = 100
"""Most notification rules one project has."""
NOTIFICATION_CHANNEL_TAG = "job_notification_channel"
"""The tag that names a job's Slack channel (old Atlas's ``job_notification_channel``): a
server with a Slack token posts the job's state changes there."""


class NotifyTarget(StrEnum):
    """Where a notification goes: a JSON ``webhook``, a Slack incoming ``slack`` webhook,
    or (old Atlas's ``FOUNDATIONS_SLACK_TOKEN``) Slack's ``chat.postMessage`` to a job's
    ``job_notification_channel`` (``slack_api``: never a rule's kind)."""

    WEBHOOK = "webhook"
    SLACK = "slack"
    SLACK_API = "slack_api"


class DeliveryStatus(StrEnum):
    """Where one notification is: waiting for its next attempt (``pending``), accepted by
    its receiver (``delivered``), or given up after its last attempt (``failed``)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


DELIVERY_STATUSES = tuple(DeliveryStatus)


@dataclass(frozen=True, slots=True)
class NotificationRule:
    """A project's rule: tell ``url`` (of kind ``kind``) when one of its jobs reaches one
    of ``events``. ``url`` is ``None`` where the reader may not see it (a viewer: the URL
    of a webhook often holds its secret)."""

    id: str
    project: str
    events: tuple[JobStatus, ...]
    kind: NotifyTarget
    url: str | None
    enabled: bool
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification and what became of it: the rule (``None`` for old Atlas's Slack
    channel of a job, then ``channel`` names it), the job and the ``event`` (its new
    status, or ``test``), the ``payload`` it carries, its status, how many attempts were
    made, when the next is due, and the last attempt's HTTP status or error."""

    id: str
    project: str
    rule_id: str | None
    job_id: str | None
    event: str
    kind: NotifyTarget
    payload: dict[str, object]
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    response_code: int | None = None
    error: str | None = None
    channel: str | None = None


def check_events(events: Iterable[object], *, field: str = "events") -> tuple[JobStatus, ...]:
    """``events`` as statuses in ``NOTIFIED_STATUSES`` order, without repeats;
    ``InvalidInputError`` naming the allowed ones for an empty list or another word. The
    one check of a rule's events: the CLI (``--on failed,completed``), the server's models
    and the store apply it."""
    allowed = ", ".join(NOTIFIED_STATUSES)
    given = list(events)
    wrong = [e for e in given if not isinstance(e, str) or e not in NOTIFIED_STATUSES]
    if wrong:
        words = ", ".join(repr(w) for w in wrong[:5])
        raise invalid(field, f"{words}: not a job status a rule can follow (use {allowed})")
    if not given:
        raise invalid(field, f"a rule needs at least one event (use {allowed})")
    return tuple(s for s in NOTIFIED_STATUSES if s in given)


def check_notify_url(url: object, *, field: str = "url") -> str:
    """``url`` when it is an absolute ``http``/``https`` URL with a host, of at most
    ``MAX_NOTIFY_URL_LENGTH`` characters, without spaces or control characters. (Where
    its host may lead is checked at each send: :func:`refused_address`.)"""
    if not isinstance(url, str):
        raise invalid(field, "a notification URL is a string")
    if len(url) > MAX_NOTIFY_URL_LENGTH:
        raise invalid(field, f"a notification URL has at most {MAX_NOTIFY_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in url):
        raise invalid(field, "a notification URL may not hold spaces or control characters")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise invalid(
            field, f"a notification URL starts with http:// or https://, not {shown(url)!r}"
        )
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if not host or host.startswith(":"):
        raise invalid(field, f"the notification URL {shown(url)!r} names no host")
    return url


def refused_address(address: str) -> str | None:
    """What kind of address the IP ``address`` is when a notification may not be sent to
    it unless the server allows private hosts (``notify_private_hosts``), such as ``"a
    loopback address"``; ``None`` for a public address (or not an IP address): loopback,
    link-local (cloud metadata services such as 169.254.169.254), private (RFC 1918, IPv6
    unique local), shared (100.64.0.0/10), unspecified, multicast and reserved addresses
    reach this machine or its network, not a receiver on the internet. An IPv4 address
    written as IPv6 (``::ffff:127.0.0.1``) is judged as the IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, hit in (
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("an unspecified", ip.is_unspecified),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private or not ip.is_global),
        ("a reserved", ip.is_reserved),
    ):
        if hit:
            return f"{kind} address"
    return None
