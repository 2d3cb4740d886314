"""Single sign-on users bound to their provider account: ``users.subject`` (``ISSUER SUB``),
unique, so a user name the provider hands to someone else later never opens the first
holder's account.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema. No batch mode: recreating ``users`` on SQLite would cascade to
    every row that points at it (sessions, tokens, memberships)."""
    op.add_column("users", sa.Column("subject", sa.String(length=1000), nullable=True))
    op.create_index(op.f("ix_users_subject"), "users", ["subject"], unique=True)


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_index(op.f("ix_users_subject"), table_name="users")
    op.drop_column("users", "subject")
