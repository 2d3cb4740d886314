"""The Store protocol: everything the server asks of the metadata store.

``SqlStore`` (SQLite or PostgreSQL through SQLAlchemy) is the implementation; the contract
suite in tests/store runs against both databases. Every method raises ``NotFoundError`` for
an unknown project or job, ``InvalidInputError`` for bad values and ``ConflictError`` for a
clash, and leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from atlas.domain import (
    ApiToken,
    Artifact,
    ArtifactKind,
    AuditEntry,
    AuthSession,
    Heartbeat,
    Job,
    JobError,
    JobSpec,
    JobStatus,
    MediaKey,
    Membership,
    Note,
    Page,
    ParamValue,
    Project,
    Role,
    Series,
    Sweep,
    SweepError,
    SweepStatus,
    Trial,
    TrialState,
    User,
)
from atlas.names import MAX_VALUES_JOBS, MAX_VERSIONS_LISTED
from atlas.store.notification_api import NotificationStore
from atlas.store.schedule_api import ScheduleStore

__all__ = [
    "ActiveJob",
    "Column",
    "JobQuery",
    "QueueSummary",
    "QueuedJob",
    "GroupSummary",
    "JobGroup",
    "JobGroups",
    "JobValues",
    "SeriesBatch",
    "SeriesRead",
    "Store",
    "View",
]


Column = Sequence[int] | Sequence[float] | npt.NDArray[np.generic]
"""A column of points: a list, an ``array.array`` or a 1-d numpy array (the fast path: no
copy when it is little-endian int64 for steps, float64 for times and values)."""


@dataclass(frozen=True, slots=True)
class SeriesBatch:
    """Points of one metric key, as parallel columns (equal lengths).

    ``steps`` are integers, ``times`` (seconds since the epoch) finite numbers, ``values``
    numbers that may be NaN or +-inf, stored as such.
    """

    key: str
    steps: Column
    times: Column
    values: Column


@dataclass(frozen=True, slots=True)
class JobQuery:
    """A job listing request.

    ``filter`` is a query-language expression (see docs/rest-api.md#filters), e.g.
    ``params.lr < 0.01 and (tags.stage = "prod" or metrics.loss.min < 0.2)``.
    ``sort`` is a list of fields, each optionally prefixed with ``-`` for descending:
    ``created_at``, ``name``, ``status``, ``user``, ``started_at``, ``finished_at``,
    ``duration``, ``id``, ``params.<key>``, ``tags.<key>``, ``metrics.<key>[.last|.min|.max|
    .count]`` (``.last`` when omitted). Jobs without the value sort last in either direction.
    Ties are broken by ``-created_at``, then ``id``.
    """

    filter: str = ""
    sort: Sequence[str] = ("-created_at",)
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class View:
    """A saved view of a project's workspace: ``state`` is the GUI's view state (JSON)."""

    id: str
    project: str
    name: str
    state: dict[str, object]
    is_default: bool
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime


FieldValue = ParamValue | float | int | str | datetime | None
"""One job's value of a field: a param as stored, a tag's text, a metric summary's number
(NaN and +-inf as floats), a job column (times as aware datetimes); ``None`` when the job
lacks it."""


@dataclass(frozen=True, slots=True)
class JobValues:
    """Fields of many jobs as columns: ``columns[field][i]`` belongs to job ``ids[i]``.

    ``total`` is the number of jobs the filter matches, of which the most recent (at most
    the limit asked for) are here, newest first.
    """

    total: int
    ids: list[str]
    names: list[str]
    statuses: list[str]
    columns: dict[str, list[FieldValue]]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """Mean, min and max of one metric over a group's jobs that have it as a finite
    number (``None`` when none has); ``count`` is how many have it."""

    mean: float | None
    min: float | None
    max: float | None
    count: int


@dataclass(frozen=True, slots=True)
class JobGroup:
    """Jobs sharing one value per grouped field (``None``: the jobs lacking the field)."""

    values: dict[str, FieldValue]
    count: int
    summaries: dict[str, GroupSummary]


@dataclass(frozen=True, slots=True)
class JobGroups:
    """The groups of the jobs a filter matches (``total``), ordered by their values."""

    total: int
    groups: list[JobGroup]


@dataclass(frozen=True, slots=True)
class SeriesRead:
    """One series of a batch read: the series of metric ``series.key`` of job ``job_id``."""

    job_id: str
    series: Series


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """What tells cheaply whether the queue changed: how many jobs are queued, the latest
    ``queued_at`` (seconds since the epoch, 0 when none) and the sum of their priorities."""

    count: int
    last_queued_at: float
    priority_sum: int


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A queued job as the scheduler keeps it: ``queued_at`` in seconds since the epoch;
    ``user`` who submitted it (for fair share)."""

    id: str
    priority: int
    queued_at: float
    resources: Mapping[str, object]
    parent_id: str | None = None
    user: str = ""


@dataclass(frozen=True, slots=True)
class ActiveJob:
    """A starting or running scheduled job, with the executor's record of its launch
    (``None`` while it was only starting)."""

    id: str
    status: JobStatus
    resources: Mapping[str, object]
    launch: Mapping[str, object] | None
    timeout: float | None
    started_at: datetime | None
    parent_id: str | None = None
    user: str = ""


class Store(NotificationStore, ScheduleStore, Protocol):
    """The metadata store: projects, jobs and everything recorded about them (notification
    rules in ``NotificationStore``, recurring jobs in ``ScheduleStore``)."""

    # -- life cycle -------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version (Alembic)."""

    def close(self) -> None:
        """Release connections."""

    # -- projects ---------------------------------------------------------------------------
    def create_project(
        self, name: str, *, description: str = "", owner: str | None = None
    ) -> Project:
        """Create a project; ``ConflictError`` when the name is taken. ``owner``: a user
        made the project's owner in the same transaction (``NotFoundError`` when unknown)."""

    def ensure_project(self, name: str, *, owner: str | None = None) -> Project:
        """Return the project, creating it when missing (race-safe); ``owner`` becomes the
        owner of a project this call creates, and of no other."""

    def get_project(self, name: str) -> Project:
        """The project with job counts by status and last activity."""

    def list_projects(self) -> list[Project]:
        """Every project, most recently active first."""

    def rename_project(self, name: str, new_name: str) -> Project:
        """Rename; ``ConflictError`` when ``new_name`` is taken."""

    def delete_project(self, name: str) -> list[str]:
        """Delete the project, its jobs and their rows; return the deleted job ids
        (the caller removes their files)."""

    def set_description(self, name: str, markdown: str) -> Project:
        """Replace the project's markdown description."""

    def add_note(self, name: str, *, author: str, text: str) -> Note:
        """Add a dated note to the project."""

    def list_notes(self, name: str) -> list[Note]:
        """The project's notes, newest first."""

    # -- users (servers with authentication on; docs/auth.md) -------------------------------
    def create_user(
        self,
        name: str,
        *,
        password_hash: str | None,
        admin: bool = False,
        source: str = "local",
        display_name: str = "",
        email: str = "",
    ) -> User:
        """Add a user; ``ConflictError`` when the name is taken. ``password_hash`` is an
        argon2 hash, ``None`` for a user who signs in only through single sign-on."""

    def get_user(self, name: str) -> User:
        """The user named ``name``; ``NotFoundError`` when there is none."""

    def password_hash(self, name: str) -> tuple[User, str | None] | None:
        """The user and their password hash, for a login; ``None`` when no such user."""

    def list_users(self) -> list[User]:
        """Every user, by name."""

    def update_user(
        self,
        name: str,
        *,
        admin: bool | None = None,
        disabled: bool | None = None,
        password_hash: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """Change what is given (``None``: unchanged). Disabling a user or changing their
        password ends their browser sessions; a disabled user's tokens stop working (and
        work again when the user is enabled). ``ConflictError`` when it would leave no
        enabled admin while one existed."""

    def record_login(self, name: str) -> None:
        """Note that ``name`` just logged in (``User.last_login_at``)."""

    def count_admins(self) -> int:
        """Enabled instance admins."""

    def user_by_subject(self, subject: str) -> User | None:
        """The single sign-on user bound to the provider account ``subject`` (``ISSUER
        SUB``), if any."""

    def subject_of(self, name: str) -> str | None:
        """The provider account user ``name`` is bound to; ``None`` when none is (a local
        user, or a single sign-on user made before accounts were recorded)."""

    def bind_subject(self, name: str, subject: str) -> None:
        """Bind single sign-on user ``name`` to the provider account ``subject``;
        ``ConflictError`` when either is bound to another already."""

    # -- browser sessions -------------------------------------------------------------------
    def create_session(
        self, user: str, *, digest: str, csrf: str, expires_at: datetime
    ) -> AuthSession:
        """Start a session for ``user`` known by the digest of its cookie's secret."""

    def get_session(self, digest: str, *, now: datetime) -> AuthSession | None:
        """The session whose cookie secret has ``digest``; ``None`` when unknown, expired,
        or its user disabled."""

    def extend_session(self, digest: str, *, expires_at: datetime) -> None:
        """Move a live session's end to ``expires_at`` (sliding expiry)."""

    def delete_session(self, digest: str) -> None:
        """End a session (logout); unknown digests are ignored."""

    # -- API tokens and job tokens ----------------------------------------------------------
    def create_token(
        self,
        *,
        token_id: str,
        digest: str,
        name: str,
        user: str | None,
        expires_at: datetime | None = None,
        project: str | None = None,
        role: Role | None = None,
        job_id: str | None = None,
    ) -> ApiToken:
        """Store a token by the digest of its secret. ``project`` (with ``role``, default
        viewer) narrows a user's token; ``job_id`` makes a job's own token (its project is
        the job's). ``NotFoundError`` for an unknown user, project or job."""

    def get_token(self, digest: str, *, now: datetime) -> ApiToken | None:
        """The live token whose secret has ``digest``: ``None`` when unknown, revoked,
        expired, of a disabled user, or of a job that has ended."""

    def list_tokens(self, user: str | None = None) -> list[ApiToken]:
        """Live user tokens (not job tokens) of ``user``, or of everyone; newest first."""

    def revoke_token(self, token_id: str, *, user: str | None = None) -> None:
        """Revoke a token; with ``user``, only one of that user's (``NotFoundError``
        otherwise, as for an unknown id)."""

    def touch_token(self, token_id: str, *, now: datetime) -> None:
        """Record that the token was just used (``ApiToken.last_used_at``)."""

    def revoke_job_tokens(self, job_id: str) -> None:
        """Revoke the job's own tokens (also done by every move to a final status)."""

    # -- project members --------------------------------------------------------------------
    def project_role(self, project: str, user: str) -> Role | None:
        """``user``'s role in ``project``; ``None`` when they have none or either is
        unknown."""

    def roles_of(self, user: str) -> dict[str, Role]:
        """Every project ``user`` has a role in, with the role."""

    def list_members(self, project: str) -> list[Membership]:
        """The project's members, owners first, then by name."""

    def set_member(self, project: str, user: str, role: Role) -> Membership:
        """Give ``user`` ``role`` in ``project`` (replacing their role). ``NotFoundError``
        for an unknown user or project; ``ConflictError`` when it would leave the project
        without an owner."""

    def remove_member(self, project: str, user: str) -> None:
        """Take ``user``'s role in ``project`` away. ``NotFoundError`` when they have none;
        ``ConflictError`` for the project's last owner."""

    # -- audit trail ------------------------------------------------------------------------
    def record_audit(self, *, actor: str, action: str, target: str, address: str) -> None:
        """Append one change to the audit trail."""

    def list_audit(
        self, *, limit: int = 100, before: int | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        """The audit trail, newest first: at most ``limit`` entries with ids below
        ``before``, of ``actor`` only when given."""

    # -- server secrets ---------------------------------------------------------------------
    def server_secret(self, name: str) -> bytes:
        """The random 32-byte secret called ``name``, made at its first use and the same ever
        after, for every server on this database (e.g. the key that signs single sign-on
        logins)."""

    # -- jobs -------------------------------------------------------------------------------
    def create_job(
        self,
        spec: JobSpec,
        *,
        status: JobStatus | None = None,
        job_id: str | None = None,
        started_at: datetime | None = None,
    ) -> Job:
        """Create the job ``spec`` describes, in its project (created when missing), as
        ``status`` (default: ``running`` for a tracked script, else ``queued``).
        ``started_at`` is set when the job starts as running: to ``started_at`` when given
        (a tracked script's own clock, its spool replayed later; also its ``created_at``),
        else now. ``job_id`` may be given by a client that must know the id before the
        server answers (the SDK's spool); ``ConflictError`` when it exists."""

    def get_job(self, job_id: str) -> Job:
        """The job with its params, tags and metric summaries."""

    def job_project(self, job_id: str) -> str:
        """The name of the job's project; ``NotFoundError`` for an unknown job."""

    def list_jobs(self, project: str, query: JobQuery) -> Page[Job]:
        """A page of the project's jobs, filtered and sorted in SQL, each with params, tags
        and metric summaries (a fixed number of queries, whatever the page size).
        ``QuerySyntaxError`` for a bad filter or sort."""

    def update_job(
        self,
        job_id: str,
        *,
        name: str | None = None,
        status: JobStatus | None = None,
        exit_code: int | None = None,
        error: JobError | None = None,
        at: datetime | None = None,
    ) -> Job:
        """Change a job; a status change must be allowed by ``domain.TRANSITIONS``
        (``InvalidTransitionError`` otherwise) and stamps started_at (on ``running``) and
        finished_at (on a final status) with ``at`` (default: now). Asking for the status
        the job already has changes nothing, so a retried report is harmless."""

    def set_status(
        self,
        job_id: str,
        status: JobStatus,
        *,
        exit_code: int | None = None,
        error: JobError | None = None,
        at: datetime | None = None,
    ) -> None:
        """Change a job's status as ``update_job`` does, without reading the job back."""

    def delete_job(self, job_id: str) -> None:
        """Delete the job and its rows (the caller removes its files)."""

    # -- liveness of tracked scripts --------------------------------------------------------
    def record_heartbeat(self, job_id: str) -> Heartbeat:
        """Note that the job's process is alive now; a ``local`` job marked ``lost`` runs
        again, its error cleared."""

    def mark_silent_lost(self, *, before: datetime, error: JobError) -> list[str]:
        """Mark ``lost`` with ``error`` every running ``local`` job last heard from before
        ``before`` (finished when last heard from); return their ids. Scheduled jobs are
        never touched."""

    # -- the scheduler's jobs ---------------------------------------------------------------
    def submit_job(self, spec: JobSpec) -> Job:
        """Create the scheduler's job ``spec`` describes as ``queued`` (its project created
        when missing); a job with a ``sweep_id`` is recorded as that sweep's next trial
        (params: the job's) in the same transaction."""

    def list_queued(self) -> list[QueuedJob]:
        """The scheduler's queued jobs, compactly (any order)."""

    def queue_summary(self) -> QueueSummary:
        """Count, latest queue time and priority sum of the scheduler's queued jobs (one
        indexed aggregate: the scheduler compares it with its queue every second)."""

    def list_active(self) -> list[ActiveJob]:
        """The scheduler's starting and running jobs with their launch records."""

    def start_job(self, job_id: str, *, resources: Mapping[str, object]) -> Job:
        """Move a queued job to ``starting`` with the resources it was given;
        ``InvalidTransitionError`` when it is no longer queued."""

    def record_launch(
        self,
        job_id: str,
        *,
        launch: Mapping[str, object],
        pid: int | None = None,
        pgid: int | None = None,
    ) -> None:
        """Keep the executor's record of a starting job's launch (the job stays
        ``starting``: ``update_job(status=running)`` once its command runs)."""

    def requeue_job(
        self,
        job_id: str,
        *,
        status: JobStatus,
        exit_code: int | None = None,
        error: JobError | None = None,
        not_before: datetime,
    ) -> Job:
        """Queue a starting or running job again after its attempt ended ``status`` (failed
        or lost), in one transaction: the attempt is appended to ``attempts``, ``queued_at``
        becomes ``not_before``. ``InvalidTransitionError`` when the job is not starting or
        running, ``ConflictError`` when it has no retries left."""

    def get_jobs(self, job_ids: Sequence[str]) -> list[Job]:
        """The jobs ``job_ids`` in that order (unknown ids left out), in a fixed number of
        queries."""

    def cancel_queued(self, project: str | None = None) -> list[str]:
        """Cancel the scheduler's queued jobs, only ``project``'s when given (never another
        project's); return their ids. ``NotFoundError`` for an unknown project."""

    def set_priority(self, job_id: str, priority: int) -> Job:
        """Change a job's priority."""

    # -- params and tags --------------------------------------------------------------------
    def set_params(self, job_id: str, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Merge ``params`` into the job's params; return all of them."""

    def delete_param(self, job_id: str, key: str) -> None:
        """Remove a param; ``NotFoundError`` when the job has no such param."""

    def set_tags(self, job_id: str, tags: Mapping[str, str]) -> dict[str, str]:
        """Merge ``tags`` into the job's tags; return all of them."""

    def delete_tag(self, job_id: str, key: str) -> None:
        """Remove a tag; ``NotFoundError`` when the job has no such tag."""

    # -- metrics ----------------------------------------------------------------------------
    def append_metrics(
        self, job_id: str, batches: Sequence[SeriesBatch], *, batch_id: str | None = None
    ) -> int:
        """Append points and update summaries in one transaction. A ``batch_id`` seen before
        for this job stores nothing and returns 0; otherwise returns the points stored."""

    def read_series(
        self,
        job_id: str,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> Series:
        """The points of one metric in step order within the inclusive step range. With
        ``max_points``, at most that many points, keeping each bucket's min and max so no
        spike is lost."""

    def read_many_series(
        self,
        job_ids: Sequence[str],
        keys: Sequence[str],
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> list[SeriesRead]:
        """Every series of ``keys`` of every job of ``job_ids`` (jobs first, then keys, in
        the order given), each as ``read_series`` reads it, all in one transaction; a job
        without a key, or an unknown job, is left out."""

    def list_metric_keys(self, project: str) -> list[str]:
        """Every metric key used by the project's jobs (for completion and column choosers)."""

    def list_param_keys(self, project: str) -> list[str]:
        """Every param key used by the project's jobs."""

    def list_tag_keys(self, project: str) -> list[str]:
        """Every tag key used by the project's jobs."""

    # -- artifacts --------------------------------------------------------------------------
    def record_artifact(
        self,
        job_id: str,
        *,
        path: str,
        kind: ArtifactKind,
        mime: str,
        size: int,
        sha256: str,
        step: int | None = None,
        caption: str | None = None,
    ) -> Artifact:
        """Record (or replace) the metadata of a stored artifact file: the latest save of
        ``path`` and, with a ``step``, that step's version (docs/media.md)."""

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's artifacts by path."""

    def get_artifact(self, job_id: str, path: str) -> Artifact:
        """One artifact's metadata."""

    def list_artifact_versions(
        self,
        job_id: str,
        path: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        limit: int = MAX_VERSIONS_LISTED,
    ) -> list[Artifact]:
        """The versions of the artifact ``path`` by step, at most ``limit`` within the
        inclusive step range; ``NotFoundError`` for an unknown job or path."""

    def get_artifact_version(self, job_id: str, path: str, step: int) -> Artifact:
        """The version of ``path`` saved at ``step``, or ``NotFoundError``."""

    def find_artifact_version_at(self, job_id: str, path: str, step: int | None) -> Artifact | None:
        """The version of ``path`` at the greatest step at or before ``step`` (without
        ``step``: the latest save), or None; ``NotFoundError`` for an unknown job."""

    def list_media(self, job_id: str) -> list[MediaKey]:
        """The job's media keys with every step kept (docs/media.md)."""

    # -- sweeps (docs/sweeps.md) -----------------------------------------------------------
    def create_sweep(
        self,
        *,
        project: str,
        name: str,
        user: str,
        spec: Mapping[str, object],
        snapshot: str | None,
        trials: int,
        parallel: int,
    ) -> Sweep:
        """Create a ``running`` sweep with the normalised ``spec`` (its project created when
        missing)."""

    def get_sweep(self, sweep_id: str) -> Sweep:
        """The sweep with its trials counted by state; ``NotFoundError`` when unknown."""

    def list_sweeps(self, project: str) -> list[Sweep]:
        """The project's sweeps, newest first."""

    def list_sweep_ids(self, status: SweepStatus) -> list[str]:
        """The ids of the sweeps in ``status``, oldest first."""

    def update_sweep(
        self,
        sweep_id: str,
        *,
        status: SweepStatus | None = None,
        error: SweepError | None = None,
        clear_error: bool = False,
        trials: int | None = None,
    ) -> Sweep:
        """Change a sweep's status (a final one stamps ``finished_at``, ``running`` clears
        it), its error (``clear_error`` removes it) or its trial budget."""

    def list_trials(self, sweep_id: str) -> list[Trial]:
        """The sweep's trials by number, with their jobs' status and start time."""

    def finish_trial(
        self,
        sweep_id: str,
        number: int,
        *,
        state: TrialState,
        values: Sequence[float] | None = None,
        pruned_step: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a running trial ended: its state, objective values (finite), the step
        it was pruned at, or why it failed. A trial already ended stays as it is."""

    def save_system_attrs(
        self,
        sweep_id: str,
        number: int,
        *,
        trial_attrs: Mapping[str, object],
        study_attrs: Mapping[str, object],
    ) -> None:
        """Store the Optuna system attributes of trial ``number`` and of the sweep's study
        (one transaction; JSON values only, ``ValueError`` otherwise), read back as
        ``Trial.system_attrs`` and ``Sweep.system_attrs`` to rebuild the study as it was.
        ``NotFoundError`` for an unknown sweep."""

    # -- the GUI workspace ---------------------------------------------------------------------
    def create_view(
        self,
        project: str,
        *,
        name: str,
        state: Mapping[str, object],
        is_default: bool = False,
        user: str,
    ) -> View:
        """Save a view of ``project``. ``ViewExistsError`` when the project has a view of
        that name; ``ViewTooLargeError`` when ``state`` is over ``MAX_VIEW_STATE_BYTES`` as
        JSON; a new default view makes the project's other views not default."""

    def get_view(self, view_id: str) -> View:
        """The view; ``ViewNotFoundError`` when there is none of this id."""

    def list_views(self, project: str) -> list[View]:
        """The project's views: the default first, then by name."""

    def update_view(
        self,
        view_id: str,
        *,
        user: str,
        name: str | None = None,
        state: Mapping[str, object] | None = None,
        is_default: bool | None = None,
    ) -> View:
        """Change what is given of the view (``None``: unchanged), as ``create_view``
        checks it; ``user`` made the change."""

    def delete_view(self, view_id: str) -> None:
        """Delete the view; ``ViewNotFoundError`` when there is none of this id."""

    def job_values(
        self,
        project: str,
        fields: Sequence[str],
        *,
        filter: str = "",
        limit: int = MAX_VALUES_JOBS,
        present: Sequence[str] = (),
        with_names: bool = True,
    ) -> JobValues:
        """``fields`` (query-language names: ``params.lr``, ``metrics.loss.min``,
        ``tags.stage``, ``status``, ...) of the most recent ``limit`` jobs the filter
        matches, also having every field of ``present``: one query per kind of field.
        Without ``with_names``, ``names`` and ``statuses`` are empty (and the jobs are read
        from an index alone, not their rows). ``QuerySyntaxError`` for a bad field or
        filter."""

    def job_groups(
        self,
        project: str,
        by: Sequence[str],
        metrics: Sequence[str],
        *,
        filter: str = "",
        sort: str = "",
    ) -> JobGroups:
        """The jobs the filter matches grouped by their values of ``by`` (jobs lacking a
        field form its ``None`` group), with each group's count and the mean, min and max
        of each of ``metrics``; at most ``MAX_GROUPS`` groups over the most recent
        ``MAX_VALUES_JOBS`` jobs. Ordered by ``sort``'s keys that name a field of ``by``
        (by its value) or of ``metrics`` (by its mean), groups without one last; then by
        the values (``None`` last). ``QuerySyntaxError`` for a bad sort."""
