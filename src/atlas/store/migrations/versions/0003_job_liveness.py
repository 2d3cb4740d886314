"""Job liveness: when the server last heard from a tracked script's process
(``jobs.last_seen_at``), so a silent one can be marked lost.

Running tracked jobs that exist at the upgrade count as seen at that moment: a live script
of an older SDK (no heartbeat) is marked lost only after ``lost_after`` seconds, and comes
back when it reports its end.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column("jobs", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    jobs = sa.table(
        "jobs",
        sa.column("kind", sa.String()),
        sa.column("status", sa.String()),
        sa.column("last_seen_at", sa.DateTime(timezone=True)),
    )
    # A Python datetime, bound like every other time the store writes (SQLite keeps text).
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.execute(
        jobs.update()
        .where(jobs.c.kind == "local", jobs.c.status == "running")
        .values(last_seen_at=now)
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_column("jobs", "last_seen_at")
