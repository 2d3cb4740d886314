"""Every step of an artifact kept: ``artifact_versions`` holds one row per (job, path, step)
an artifact was saved at, and ``artifacts.caption`` (and the versions') the caption of a
media file (docs/media.md). An artifact saved with a step before this revision becomes that
path's one version (its bytes are the latest copy, which the server reads for it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column("artifacts", sa.Column("caption", sa.String(length=1000), nullable=True))
    op.create_table(
        "artifact_versions",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mime", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_artifact_versions_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "path", "step", name=op.f("pk_artifact_versions")),
    )
    op.execute(
        "INSERT INTO artifact_versions "
        "(job_id, path, step, kind, mime, size, sha256, caption, created_at) "
        "SELECT job_id, path, step, kind, mime, size, sha256, NULL, created_at "
        "FROM artifacts WHERE step IS NOT NULL"
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("artifact_versions")
    op.drop_column("artifacts", "caption")
