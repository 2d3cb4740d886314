"""The audit trail: who changed what, from where, as functions over an open connection.

Names are copied into each entry, not referenced, so the trail outlives the users and
projects it speaks of. An action or target longer than its column is cut to fit: recording
a change that succeeded never fails for its length.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from atlas.domain import AuditEntry
from atlas.names import MAX_USER_LENGTH, invalid, is_storable
from atlas.store.conversions import utc_now
from atlas.store.tables import (
    MAX_ADDRESS_LENGTH,
    MAX_AUDIT_ACTION_LENGTH,
    MAX_AUDIT_TARGET_LENGTH,
    audit_table,
)
from atlas.store.validation import check_text

__all__ = ["MAX_AUDIT_PAGE", "list_audit", "record_audit"]

MAX_AUDIT_PAGE = 1000
"""The most entries one ``list_audit`` call returns."""

_A = audit_table
_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def record_audit(conn: Connection, *, actor: str, action: str, target: str, address: str) -> None:
    """Append one entry, dated now."""
    values = {
        "time": utc_now(),
        "actor": check_text(actor, field="actor", max_length=MAX_USER_LENGTH),
        "action": check_text(action, field="action")[:MAX_AUDIT_ACTION_LENGTH],
        "target": check_text(target, field="target")[:MAX_AUDIT_TARGET_LENGTH],
        "address": check_text(address, field="address")[:MAX_ADDRESS_LENGTH],
    }
    conn.execute(insert(_A).values(values))


def list_audit(
    conn: Connection, *, limit: int, before: int | None, actor: str | None
) -> list[AuditEntry]:
    """At most ``limit`` entries, newest first, with ids below ``before``, of ``actor``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_AUDIT_PAGE:
        raise invalid("limit", f"limit must be an integer from 1 to {MAX_AUDIT_PAGE}")
    query = select(_A).order_by(_A.c.id.desc()).limit(limit)
    if before is not None:
        if isinstance(before, bool) or not isinstance(before, int):
            raise invalid("before", "before must be an entry id")
        if before <= 1:
            return []  # ids start at 1
        if before <= _MAX_ID:  # any larger bound holds every id
            query = query.where(_A.c.id < before)
    if actor is not None:
        if not is_storable(actor):
            return []
        query = query.where(_A.c.actor == actor)
    return [
        AuditEntry(
            id=row.id,
            time=row.time,
            actor=row.actor,
            action=row.action,
            target=row.target,
            address=row.address,
        )
        for row in conn.execute(query)
    ]
