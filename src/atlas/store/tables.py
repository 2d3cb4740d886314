"""SQLAlchemy tables of the metadata store. Rows never leave ``atlas.store``.

Metric points are not stored a row per point: a series is a run of *chunks*, each holding up
to ``CHUNK_POINTS`` points as packed little-endian arrays (steps int64, times float64, values
float64) with its step range and extremes, so a 10^6-point series is ~250 rows and a
downsampled read touches only the chunks in range. ``metric_summaries`` keeps last/min/max/
count per series, updated in the same transaction as the chunks, for the job table.
``project_id`` is repeated on params, tags and summaries so the job listing can filter and sort
through one index per condition.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from atlas.names import (
    MAX_ARTIFACT_PATH_LENGTH,
    MAX_AUTHOR_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_ERROR_TYPE_LENGTH,
    MAX_IMAGE_LENGTH,
    MAX_JOB_NAME_LENGTH,
    MAX_KEY_LENGTH,
    MAX_PROJECT_NAME_LENGTH,
    MAX_SWEEP_ERROR_CODE_LENGTH,
    MAX_SWEEP_NAME_LENGTH,
    MAX_TOKEN_NAME_LENGTH,
    MAX_USER_LENGTH,
    MAX_USER_NAME_LENGTH,
    MAX_VIEW_NAME_LENGTH,
)
from atlas.notifications import MAX_NOTIFY_URL_LENGTH

CHUNK_POINTS = 4096

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL stores ``timestamptz``; SQLite stores text without an offset, so values are
    converted to UTC before they are written (a naive value is taken as UTC) and read back
    as aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Small rows with a composite key: on SQLite, store them in their primary-key b-tree (one
# lookup by key instead of two, and secondary indexes carry job_id, so they cover the
# listing's sub-queries).
_WITHOUT_ROWID = {"sqlite_with_rowid": False}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(MAX_PROJECT_NAME_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_activity: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Bumped by every write to the project's jobs and their attributes (migration 0011):
    # what a process keeps of the project is current while this is unchanged.
    data_version: Mapped[int] = mapped_column(BigInteger, server_default="0")


class NoteRow(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(MAX_AUTHOR_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "project_id", "created_at"),)


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(MAX_JOB_NAME_LENGTH), default="")
    user: Mapped[str] = mapped_column(String(MAX_USER_LENGTH), default="")
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    command: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    error_type: Mapped[str | None] = mapped_column(String(MAX_ERROR_TYPE_LENGTH))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_traceback: Mapped[str | None] = mapped_column(Text)
    git_json: Mapped[str] = mapped_column(Text, default="{}")
    environment_json: Mapped[str] = mapped_column(Text, default="{}")
    resources_json: Mapped[str] = mapped_column(Text, default="{}")
    parent_id: Mapped[str | None] = mapped_column(String(32))
    # Scheduled jobs (migration 0002): the code snapshot's sha256, the run limit, the
    # environment mode, the job this one reran, when it was queued, and how the executor
    # launched it (the launcher's pid and process group, and the executor's own record, used
    # to reconcile after a restart).
    snapshot: Mapped[str | None] = mapped_column(String(64))
    timeout_s: Mapped[float | None] = mapped_column(Float)
    env_mode: Mapped[str] = mapped_column(String(10), default="auto", server_default="auto")
    rerun_of: Mapped[str | None] = mapped_column(String(32))
    # Container images and retries (migration 0006): the image a scheduled job runs in, how
    # many times it may be queued again, and its earlier attempts (JSON list).
    image: Mapped[str | None] = mapped_column(String(MAX_IMAGE_LENGTH))
    # Database-side defaults only: rows written by older code (and tests that write at an
    # older revision through these tables) leave the columns out.
    retries: Mapped[int] = mapped_column(Integer, server_default="0")
    attempts_json: Mapped[str] = mapped_column(Text, server_default="[]")
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pid: Mapped[int | None] = mapped_column(Integer)
    pgid: Mapped[int | None] = mapped_column(Integer)
    launch_json: Mapped[str | None] = mapped_column(Text)
    # When the server last heard from a tracked script's process (migration 0003): the
    # liveness watcher marks a running local job silent past ``lost_after`` lost.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The sweep a sweep-trial job belongs to (migration 0009; the query key ``sweep``).
    sweep_id: Mapped[str | None] = mapped_column(String(32))

    # The listing scans (project_id, created_at) and needs only the id: keep it in the index.
    # The scheduler loads its queue and its running jobs by status at start.
    __table_args__ = (
        Index(None, "project_id", "created_at", "id"),
        Index(None, "project_id", "status"),
        Index(None, "status"),
        Index(None, "sweep_id"),
    )


class ParamRow(Base):
    __tablename__ = "params"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    value_json: Mapped[str] = mapped_column(Text)
    # Typed copies for filtering and sorting in SQL: value_num holds an int or float, value_text
    # a string of up to 500 characters (a PostgreSQL index entry is bounded); both are NULL for
    # a bool, list, dict or null, which match on value_json (the compact JSON of every value:
    # "true", "false", "null", "[1,2]").
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(None, "project_id", "key", "value_num", "job_id"),
        Index(None, "project_id", "key", "value_text"),
        _WITHOUT_ROWID,
    )


class TagRow(Base):
    __tablename__ = "tags"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index(None, "project_id", "key", "value"), _WITHOUT_ROWID)


class MetricSummaryRow(Base):
    __tablename__ = "metric_summaries"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    # NULL in last/min/max means NaN, on every database (SQLite cannot store NaN, and this
    # way NaN sorts with the missing values); count > 0 tells it apart from "no points".
    last: Mapped[float | None] = mapped_column(Float)
    last_step: Mapped[int] = mapped_column(BigInteger)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index(None, "project_id", "key", "last", "job_id"),
        Index(None, "project_id", "key", "min", "job_id"),
        Index(None, "project_id", "key", "max", "job_id"),
        _WITHOUT_ROWID,
    )


class MetricChunkRow(Base):
    # On PostgreSQL the three arrays are stored uncompressed (STORAGE EXTERNAL, set by the
    # migration: SQLAlchemy cannot declare it): compressing them costs 4x the ingest time.
    __tablename__ = "metric_chunks"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    min_step: Mapped[int] = mapped_column(BigInteger)
    max_step: Mapped[int] = mapped_column(BigInteger)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    steps: Mapped[bytes] = mapped_column(LargeBinary)
    times: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)


class IngestBatchRow(Base):
    """Idempotency keys of metric batches already stored (a retried batch is skipped)."""

    __tablename__ = "ingest_batches"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ArtifactRow(Base):
    __tablename__ = "artifacts"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(MAX_ARTIFACT_PATH_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    mime: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    caption: Mapped[str | None] = mapped_column(String(MAX_CAPTION_LENGTH))  # migration 0007


class ArtifactVersionRow(Base):
    """Every step an artifact path was saved at (migration 0007): the bytes of each live at
    ``jobs/<id>/steps/<step>/<path>``; ``artifacts`` records the latest save."""

    __tablename__ = "artifact_versions"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(MAX_ARTIFACT_PATH_LENGTH), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    mime: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str | None] = mapped_column(String(MAX_CAPTION_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# -- accounts (migration 0004): servers with authentication on (docs/auth.md) ---------------
MAX_PASSWORD_HASH_LENGTH = 500
MAX_DISPLAY_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320
MAX_SUBJECT_LENGTH = 1000
"""Longest single sign-on subject: the provider's issuer URL, a space and its ``sub``."""
MAX_AUDIT_ACTION_LENGTH = 200
MAX_AUDIT_TARGET_LENGTH = 1000
MAX_ADDRESS_LENGTH = 100
SECRET_DIGEST_LENGTH = 64  # SHA-256 in hex: secrets are stored only as their digest


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(MAX_USER_NAME_LENGTH), unique=True)
    # argon2; NULL for a user who signs in only through single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(MAX_PASSWORD_HASH_LENGTH))
    admin: Mapped[bool] = mapped_column(Boolean)
    disabled: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(MAX_DISPLAY_NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A single sign-on user's account at the provider, ``ISSUER SUB`` (migration 0008).
    subject: Mapped[str | None] = mapped_column(String(MAX_SUBJECT_LENGTH), index=True, unique=True)


class SessionRow(Base):
    """A browser session, known by the digest of its cookie's secret."""

    __tablename__ = "sessions"

    digest: Mapped[str] = mapped_column(String(SECRET_DIGEST_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiTokenRow(Base):
    """An API token (``user_id`` set, ``job_id`` NULL) or a job's own token (``job_id`` set;
    ``project_id`` is then the job's). Deleting the user, the project or the job deletes it."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(SECRET_DIGEST_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_TOKEN_NAME_LENGTH))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str | None] = mapped_column(String(10))
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProjectMemberRow(Base):
    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (_WITHOUT_ROWID,)


class AuditRow(Base):
    """One change someone made; names are copied, not referenced, so the trail outlives
    the users and projects it speaks of."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    action: Mapped[str] = mapped_column(String(MAX_AUDIT_ACTION_LENGTH))
    target: Mapped[str] = mapped_column(String(MAX_AUDIT_TARGET_LENGTH))
    address: Mapped[str] = mapped_column(String(MAX_ADDRESS_LENGTH))

    __table_args__ = (Index(None, "actor", "id"),)


# -- server secrets (migration 0005) --------------------------------------------------------
MAX_SECRET_NAME_LENGTH = 100


class ServerSecretRow(Base):
    """A random secret every server on the database shares, made at its first use (the key
    that signs single sign-on logins): ``value`` is its bytes in hex."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(MAX_SECRET_NAME_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# -- sweeps (migration 0009) ----------------------------------------------------------------


class SweepRow(Base):
    """A hyperparameter sweep: its normalised spec (JSON), budget, parallelism, the code
    snapshot its trials share, why it failed (``error_code``, ``error_message``) and its
    Optuna study's system attributes (JSON: the QMC sampler's next sample, ...)."""

    __tablename__ = "sweeps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(MAX_SWEEP_NAME_LENGTH))
    user: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    status: Mapped[str] = mapped_column(String(20))
    spec_json: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[str | None] = mapped_column(String(64))
    trials: Mapped[int] = mapped_column(Integer)
    parallel: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error_code: Mapped[str | None] = mapped_column(String(MAX_SWEEP_ERROR_CODE_LENGTH))
    error_message: Mapped[str | None] = mapped_column(Text)
    system_attrs_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "project_id", "created_at"), Index(None, "status"))


class SweepTrialRow(Base):
    """One trial of a sweep: its job (written in the same transaction as the job), the
    sampled params (JSON), its state, objective values (JSON list) or why it failed, and its
    Optuna system attributes (JSON: the grid point, CMA-ES state, pruner rungs it holds)."""

    __tablename__ = "sweep_trials"

    sweep_id: Mapped[str] = mapped_column(
        ForeignKey("sweeps.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(20))
    params_json: Mapped[str] = mapped_column(Text)
    values_json: Mapped[str | None] = mapped_column(Text)
    pruned_step: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    system_attrs_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "job_id"),)


# -- saved views of the GUI workspace (migration 0010) ---------------------------------------


class ViewRow(Base):
    """A saved view of a project's workspace: its name (unique in the project), the view
    state as JSON (the GUI's ``ViewState``), whether it is the project's default (at most
    one is: the store clears the others in the same transaction, and a partial unique index
    refuses a second), and who made and last
    changed it."""

    __tablename__ = "views"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(MAX_VIEW_NAME_LENGTH))
    state_json: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    updated_by: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index(
            "uq_views_project_id_default",
            "project_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )


def _table(row: type[Base]) -> Table:
    return cast(Table, row.__table__)


projects_table = _table(ProjectRow)
notes_table = _table(NoteRow)
jobs_table = _table(JobRow)
params_table = _table(ParamRow)
tags_table = _table(TagRow)
summaries_table = _table(MetricSummaryRow)
chunks_table = _table(MetricChunkRow)
batches_table = _table(IngestBatchRow)
artifacts_table = _table(ArtifactRow)
artifact_versions_table = _table(ArtifactVersionRow)
users_table = _table(UserRow)
sessions_table = _table(SessionRow)
tokens_table = _table(ApiTokenRow)
members_table = _table(ProjectMemberRow)
audit_table = _table(AuditRow)
server_secrets_table = _table(ServerSecretRow)
sweeps_table = _table(SweepRow)
sweep_trials_table = _table(SweepTrialRow)
views_table = _table(ViewRow)


# -- notifications of job state changes (migration 0012) -------------------------------------


class NotificationRuleRow(Base):
    """A project's notification rule: the job statuses it is told about (``events``, comma-
    separated ``domain.NOTIFIED_STATUSES``), where it posts (``kind``: webhook or slack,
    and ``url``), whether it is on, and who made it when."""

    __tablename__ = "notification_rules"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    events: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(MAX_NOTIFY_URL_LENGTH))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "project_id"),)


class NotificationDeliveryRow(Base):
    """One notification (the transactional outbox): written in the transaction that
    changed its job's status, then sent by the server's notifier. ``payload_json`` is what
    the event said of the job then; ``next_attempt_at`` is when a ``pending`` one is due
    (a sender claims it by moving that time on); every attempt's outcome is kept in
    ``attempts``, ``response_code`` and ``error``. ``rule_id`` is null for old Atlas's Slack
    channel of a job (``channel``); ``job_id`` is kept as text, so the log outlives the job."""

    __tablename__ = "notification_deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    rule_id: Mapped[str | None] = mapped_column(
        ForeignKey("notification_rules.id", ondelete="CASCADE")
    )
    job_id: Mapped[str | None] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(200))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "project_id", "id"),
        Index(None, "rule_id"),
        Index(None, "created_at"),  # the notifier's pruning of old rows
    )


notification_rules_table = _table(NotificationRuleRow)
notification_deliveries_table = _table(NotificationDeliveryRow)


# -- recurring jobs (migration 0013) ---------------------------------------------------------


class ScheduleRow(Base):
    """A recurring job: the cron expression and IANA time zone it fires on, the job it
    submits (``spec_json``: ``JobSpec``'s fields but the project), who made it, whether it is
    paused, when it fires next (null while paused), the slot it last fired for and that
    run's job (kept as text, so the schedule outlives the job). Firing moves ``last_slot``
    with a compare-and-set in the transaction that creates the job."""

    __tablename__ = "schedules"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(MAX_JOB_NAME_LENGTH))
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(MAX_USER_LENGTH))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_slot: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_job_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Why the latest slot submitted no job, and when; cleared by the next run submitted.
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "project_id"), Index(None, "next_run_at"))


schedules_table = _table(ScheduleRow)
