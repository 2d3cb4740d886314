"""The ``Store``'s contract for job notifications: per-project rules and the log of their
deliveries (docs/notifications.md). ``SqlNotifications`` implements it.

Deliveries are an outbox: every status change of a job enqueues its notifications in the
same transaction, so none is lost to a crash; the server's notifier claims due ones, sends
them and records each attempt here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Protocol

from atlas.domain import Page
from atlas.notifications import Delivery, NotificationRule, NotifyTarget
from atlas.store.notification_outbox import Outgoing

__all__ = ["NotificationStore", "Outgoing"]


class NotificationStore(Protocol):
    """Notification rules and their delivery log."""

    def create_notification_rule(
        self,
        project: str,
        *,
        events: Iterable[str],
        kind: NotifyTarget | str,
        url: str,
        user: str,
    ) -> NotificationRule:
        """Add a rule to ``project``: post to ``url`` (``kind`` webhook or slack) when a job
        reaches one of ``events`` (``domain.NOTIFIED_STATUSES``). ``NotFoundError`` for an
        unknown project, ``InvalidInputError`` for a bad URL, kind or event, or past
        ``names.MAX_NOTIFY_RULES``."""
        ...

    def get_notification_rule(self, rule_id: str) -> NotificationRule:
        """The rule; ``NotFoundError`` when unknown."""
        ...

    def list_notification_rules(self, project: str | None = None) -> list[NotificationRule]:
        """The rules of ``project`` (of every project when ``None``), by project, oldest
        first."""
        ...

    def update_notification_rule(
        self, rule_id: str, *, enabled: bool | None = None, events: Iterable[str] | None = None
    ) -> NotificationRule:
        """Turn the rule on or off or replace its events (``None``: unchanged)."""
        ...

    def delete_notification_rule(self, rule_id: str) -> None:
        """Delete the rule with its deliveries; ``NotFoundError`` when unknown."""
        ...

    def enqueue_test_notification(self, rule_id: str, *, user: str) -> Delivery:
        """Enqueue a test message to the rule's URL (sent like any notification)."""
        ...

    def get_delivery(self, delivery_id: str) -> Delivery:
        """One delivery of the log; ``NotFoundError`` when unknown."""
        ...

    def list_deliveries(
        self,
        project: str,
        *,
        limit: int = 50,
        offset: int = 0,
        rule_id: str | None = None,
        job_id: str | None = None,
    ) -> Page[Delivery]:
        """A page of the project's delivery log, newest first (one rule's or one job's
        when given)."""
        ...

    def claim_deliveries(
        self,
        now: datetime,
        *,
        until: datetime,
        limit: int,
        per_target: int,
        busy: Mapping[str, int] | None = None,
    ) -> list[Outgoing]:
        """Claim up to ``limit`` deliveries due at ``now`` until ``until`` (no other
        sender takes them meanwhile), at most ``per_target`` of one target
        (``notification_outbox.target_key``) counting the sender's ``busy`` ones."""
        ...

    def record_delivery_attempt(
        self,
        delivery_id: str,
        *,
        at: datetime,
        delivered: bool,
        response_code: int | None = None,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """Record one attempt: delivered, or failed and due again at ``retry_at``
        (``None``: failed for good)."""
        ...

    def prune_deliveries(self, before: datetime, *, limit: int = 1000) -> int:
        """Delete up to ``limit`` delivered or failed deliveries made before ``before``,
        oldest first (pending ones stay); return how many were deleted."""
        ...

    def on_notifications_enqueued(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the committing thread; it must be quick) after each
        transaction of this store that enqueued deliveries commits."""
        ...
