"""A project's data version: ``projects.data_version``, a counter that every write that
touches the project (jobs made, changed or deleted, params, tags, metric summaries) bumps in
``projects.touch_project``, so a process can tell with one read that what it keeps of the
project's attributes is still current.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema."""
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("data_version")
