"""Container images and retries: the image a scheduled job runs in (``jobs.image``), how many
times it may be queued again after it fails or is lost (``jobs.retries``), and its earlier
attempts (``jobs.attempts_json``, a JSON list).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column("jobs", sa.Column("image", sa.String(length=500), nullable=True))
    op.add_column("jobs", sa.Column("retries", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "jobs", sa.Column("attempts_json", sa.Text(), nullable=False, server_default="[]")
    )


def downgrade() -> None:
    """Downgrade the schema."""
    for column in ("attempts_json", "retries", "image"):
        op.drop_column("jobs", column)
