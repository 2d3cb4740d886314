"""Hyperparameter sweeps: ``sweeps`` (a sweep's spec, budget, status and its Optuna study's
system attributes), ``sweep_trials`` (each trial's job, params, state, values and Optuna
system attributes) and ``jobs.sweep_id`` (the sweep a trial job
belongs to, indexed for the job listing's ``sweep`` key).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "sweeps",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.String(length=64), nullable=True),
        sa.Column("trials", sa.Integer(), nullable=False),
        sa.Column("parallel", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("system_attrs_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_sweeps_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweeps")),
    )
    op.create_index(op.f("ix_sweeps_project_id_created_at"), "sweeps", ["project_id", "created_at"])
    op.create_index(op.f("ix_sweeps_status"), "sweeps", ["status"])
    op.create_table(
        "sweep_trials",
        sa.Column("sweep_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=True),
        sa.Column("pruned_step", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("system_attrs_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sweep_id"],
            ["sweeps.id"],
            name=op.f("fk_sweep_trials_sweep_id_sweeps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sweep_id", "number", name=op.f("pk_sweep_trials")),
    )
    op.create_index(op.f("ix_sweep_trials_job_id"), "sweep_trials", ["job_id"])
    op.add_column("jobs", sa.Column("sweep_id", sa.String(length=32), nullable=True))
    op.create_index(op.f("ix_jobs_sweep_id"), "jobs", ["sweep_id"])


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_index(op.f("ix_jobs_sweep_id"), table_name="jobs")
    op.drop_column("jobs", "sweep_id")
    op.drop_index(op.f("ix_sweep_trials_job_id"), table_name="sweep_trials")
    op.drop_table("sweep_trials")
    op.drop_index(op.f("ix_sweeps_status"), table_name="sweeps")
    op.drop_index(op.f("ix_sweeps_project_id_created_at"), table_name="sweeps")
    op.drop_table("sweeps")
