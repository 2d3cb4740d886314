"""Job notifications' half of ``SqlStore``: per-project rules and their delivery log
(docs/notifications.md).

``SqlNotifications`` opens the transactions; the work is done by ``notifications`` (rules
and the log) and ``notification_outbox`` (enqueue, claim, record).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection

from atlas.domain import Page
from atlas.notifications import Delivery, NotificationRule, NotifyTarget
from atlas.store import notification_outbox as outbox
from atlas.store import notifications
from atlas.store.account_store import SqlAccounts
from atlas.store.notification_outbox import Outgoing

__all__ = ["SqlNotifications"]


class SqlNotifications(SqlAccounts):
    """Notification rules and deliveries on the database of ``_engine`` (see
    ``NotificationStore`` for each method's contract)."""

    # -- rules -----------------------------------------------------------------------------
    def create_notification_rule(
        self,
        project: str,
        *,
        events: Iterable[str],
        kind: NotifyTarget | str,
        url: str,
        user: str,
    ) -> NotificationRule:
        """Add a rule to ``project``."""
        with self._write() as conn:
            rule_id = notifications.insert_rule(
                conn, project, events=events, kind=kind, url=url, user=user
            )
            return notifications.get_rule(conn, rule_id)

    def get_notification_rule(self, rule_id: str) -> NotificationRule:
        """The rule."""
        with self._read() as conn:
            return notifications.get_rule(conn, rule_id)

    def list_notification_rules(self, project: str | None = None) -> list[NotificationRule]:
        """The rules of ``project`` (of every project when ``None``)."""
        with self._read() as conn:
            return notifications.list_rules(conn, project)

    def update_notification_rule(
        self, rule_id: str, *, enabled: bool | None = None, events: Iterable[str] | None = None
    ) -> NotificationRule:
        """Turn the rule on or off or replace its events."""
        with self._write() as conn:
            notifications.update_rule(conn, rule_id, enabled=enabled, events=events)
            return notifications.get_rule(conn, rule_id)

    def delete_notification_rule(self, rule_id: str) -> None:
        """Delete the rule with its deliveries."""
        with self._write() as conn:
            notifications.delete_rule(conn, rule_id)

    # -- the log -----------------------------------------------------------------------------
    def enqueue_test_notification(self, rule_id: str, *, user: str) -> Delivery:
        """Enqueue a test message to the rule's URL."""
        with self._write() as conn:
            delivery_id = outbox.enqueue_test(conn, rule_id, user=user)
            return notifications.get_delivery(conn, delivery_id)

    def get_delivery(self, delivery_id: str) -> Delivery:
        """One delivery of the log."""
        with self._read() as conn:
            return notifications.get_delivery(conn, delivery_id)

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
        with self._read() as conn:
            return notifications.list_deliveries(
                conn, project, limit=limit, offset=offset, rule_id=rule_id, job_id=job_id
            )

    # -- the sender's side ---------------------------------------------------------------------
    def claim_deliveries(
        self,
        now: datetime,
        *,
        until: datetime,
        limit: int,
        per_target: int,
        busy: Mapping[str, int] | None = None,
    ) -> list[Outgoing]:
        """Claim up to ``limit`` due deliveries until ``until``."""
        with self._read() as conn:  # the poll's usual answer, without the write lock
            if not outbox.any_due(conn, now):
                return []
        with self._write() as conn:
            return outbox.claim_due(
                conn, now, until=until, limit=limit, per_target=per_target, busy=busy
            )

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
        """Record one attempt of a delivery."""
        with self._write() as conn:
            outbox.record_attempt(
                conn,
                delivery_id,
                at=at,
                delivered=delivered,
                response_code=response_code,
                error=error,
                retry_at=retry_at,
            )

    def prune_deliveries(self, before: datetime, *, limit: int = 1000) -> int:
        """Delete up to ``limit`` ended deliveries made before ``before``."""
        with self._write() as conn:
            return notifications.prune_deliveries(conn, before, limit=limit)

    def on_notifications_enqueued(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after each commit that enqueued deliveries."""
        callbacks = self.__dict__.setdefault("_notify_callbacks", [])
        callbacks.append(callback)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """Every write transaction of the store (this mixin comes before ``SqlAccounts``
        in ``SqlStore``'s MRO): once one that enqueued deliveries has committed, the
        callbacks of :meth:`on_notifications_enqueued` run, so a sender in this process
        wakes at once instead of at its next poll."""
        enqueued = False
        with super()._write() as conn:
            try:
                yield conn
            finally:
                enqueued = bool(conn.info.pop(outbox.ENQUEUED, False))
        if enqueued:
            for callback in self.__dict__.get("_notify_callbacks", ()):
                callback()
