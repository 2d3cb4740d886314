"""Job notifications' half of ``SqlStore``: per-project rules and their delivery log
(docs/notifications.md).

``SqlNotifications`` opens the transactions; the work is done by ``notifications``.
"""

from __future__ import annotations

__all__ = ["SqlNotifications"]


class SqlNotifications:
    """Notification rules and deliveries on the database of ``_engine`` (see
    ``NotificationStore`` for each method's contract)."""
