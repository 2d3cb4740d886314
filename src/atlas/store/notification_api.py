"""The ``Store``'s contract for job notifications: per-project rules and the log of their
deliveries (docs/notifications.md). ``SqlNotifications`` implements it."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NotificationStore"]


class NotificationStore(Protocol):
    """Notification rules and their delivery log."""
