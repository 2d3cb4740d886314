"""Scheduled jobs: the code snapshot, timeout, environment mode, rerun source, queue time and
launch record of a job, and an index on status for the scheduler's start.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("snapshot", "timeout_s", "env_mode", "rerun_of", "queued_at", "pid", "pgid")


def upgrade() -> None:
    """Upgrade the schema."""
    # Plain ADD COLUMN (no table copy on SQLite): every new column is nullable or has a
    # server default, so existing rows stay valid.
    op.add_column("jobs", sa.Column("snapshot", sa.String(length=64), nullable=True))
    op.add_column("jobs", sa.Column("timeout_s", sa.Float(), nullable=True))
    op.add_column(
        "jobs",
        sa.Column("env_mode", sa.String(length=10), server_default="auto", nullable=False),
    )
    op.add_column("jobs", sa.Column("rerun_of", sa.String(length=32), nullable=True))
    op.add_column("jobs", sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("jobs", sa.Column("pid", sa.Integer(), nullable=True))
    op.add_column("jobs", sa.Column("pgid", sa.Integer(), nullable=True))
    op.add_column("jobs", sa.Column("launch_json", sa.Text(), nullable=True))
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    # SQLite (3.35+) and PostgreSQL both drop unindexed columns in place.
    op.drop_column("jobs", "launch_json")
    for name in reversed(_COLUMNS):
        op.drop_column("jobs", name)
