"""The things Atlas is about, as plain data shared by every part (no I/O here).

Wire models in ``atlas.server.schemas`` and rows in ``atlas.store`` are converted to and from
these dataclasses; the SDK's ``Client`` returns them too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "Artifact",
    "ArtifactKind",
    "AuditEntry",
    "AuthSession",
    "ENV_MODES",
    "FINAL_STATUSES",
    "GIVEN",
    "GIVEN_GPUS",
    "GIVEN_NODE",
    "Heartbeat",
    "JOB_SPEC_FIELDS",
    "Job",
    "JobError",
    "JobKind",
    "JobSpec",
    "JobStatus",
    "KIND_ONLY",
    "MediaKey",
    "Membership",
    "MetricSummary",
    "Note",
    "Page",
    "ParamValue",
    "Project",
    "ROLES",
    "Role",
    "SCHEDULER_KINDS",
    "Series",
    "Sweep",
    "SweepError",
    "SweepStatus",
    "TRANSITIONS",
    "Trial",
    "TrialState",
    "User",
    "can_transition",
    "new_job_id",
]

ParamValue = str | int | float | bool | None | list[object] | dict[str, object]
"""A param value: anything JSON can hold (nested dicts are flattened by the SDK)."""

T = TypeVar("T")


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    LOST = "lost"


FINAL_STATUSES = frozenset(
    {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST}
)
ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING})

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.STARTING, JobStatus.RUNNING, JobStatus.CANCELLED}),
    JobStatus.STARTING: frozenset(
        {JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST}
    ),
    JobStatus.RUNNING: frozenset(
        {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST}
    ),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
    # A job marked lost whose process reports back later may still end properly, and a
    # tracked script that reports again (after a network cut) runs again: see KIND_ONLY.
    JobStatus.LOST: frozenset(
        {JobStatus.RUNNING, JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
}
"""The one table of allowed status changes (some only for the kinds in ``KIND_ONLY``)."""


def can_transition(old: JobStatus, new: JobStatus, kind: JobKind | None = None) -> bool:
    """Whether a job in status ``old`` may move to ``new``; a change listed in
    ``KIND_ONLY`` needs a job of one of its kinds (``kind=None``: the table alone)."""
    kinds = KIND_ONLY.get((old, new))
    return new in TRANSITIONS[old] and (kind is None or kinds is None or kind in kinds)


class JobKind(StrEnum):
    """How a job came to be."""

    LOCAL = "local"  # a plain `python train.py` that imported atlas
    SCHEDULED = "scheduled"  # submitted to the scheduler
    SWEEP_TRIAL = "sweep-trial"  # a trial of a sweep, submitted by its controller
    # a run an MLflow client logs through the server's MLflow API (docs/mlflow.md): it sends
    # no heartbeats, so the liveness watcher never marks it lost.
    MLFLOW = "mlflow"


SCHEDULER_KINDS = frozenset({JobKind.SCHEDULED, JobKind.SWEEP_TRIAL})
"""The kinds of job the scheduler runs, and whose status only it records."""


KIND_ONLY: dict[tuple[JobStatus, JobStatus], frozenset[JobKind]] = {
    # Only a tracked script's own process brings its lost job back (a heartbeat, a metric
    # batch after a network cut); a lost scheduled job's process is gone for good.
    (JobStatus.LOST, JobStatus.RUNNING): frozenset({JobKind.LOCAL}),
}
"""Changes of ``TRANSITIONS`` allowed only for jobs of some kinds."""


class ArtifactKind(StrEnum):
    """What an artifact holds, for the GUI to pick a viewer."""

    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    GIF = "gif"
    TEXT = "text"
    TABLE = "table"
    HISTOGRAM = "histogram"
    FILE = "file"
    DIRECTORY = "directory"


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def new_job_id(now: float | None = None) -> str:
    """A 16-character id that sorts by creation time: 10 chars of milliseconds, 6 random."""
    millis = int((time.time() if now is None else now) * 1000)
    rand = int.from_bytes(os.urandom(4), "big") >> 2  # 30 bits
    value = (millis << 30) | rand
    chars = []
    for _ in range(16):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job failed: the exception's type, message and traceback."""

    type: str
    message: str
    traceback: str = ""


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """A metric series in five numbers, kept current on every write.

    ``last`` is the value at the highest step (the later write wins a tie).
    """

    key: str
    last: float
    last_step: int
    min: float
    max: float
    count: int
    updated_at: datetime


GIVEN_GPUS = "gpu_indices"
"""The key of a job's ``resources`` that holds the GPU indices the scheduler gave it."""
GIVEN_NODE = "node"
"""The key of a job's ``resources`` that holds the id of the node the scheduler placed it on
(absent for a job on the server's own machine)."""
GIVEN = (GIVEN_GPUS, GIVEN_NODE)
"""The keys of a job's ``resources`` the scheduler adds to what was asked."""

ENV_MODES = ("auto", "none")
"""How a scheduled job gets its Python: ``auto``, a virtual environment from the snapshot's
requirements.txt when it has one, else the server's Python; ``none``, always the server's."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job as it was asked for: the one description that travels through every layer.

    A submission builds it once from the wire model; the store writes it; a rerun copies it
    with ``dataclasses.replace``; the executor runs it. :class:`Job` holds every field under
    the same name (a test keeps them in step), so ``job.spec`` gives it back.

    ``command`` is the shell-quoted argv (``shlex.join``) for scheduled jobs, free text for
    tracked scripts; ``snapshot`` the sha256 of the code's tar.gz in the artifact store;
    ``timeout`` seconds a scheduled job may run; ``env_mode`` ``auto`` (a venv from the
    snapshot's requirements.txt) or ``none``; ``rerun_of`` the job it repeats; ``image`` the
    container image a scheduled job runs in (``None``: a process on the host); ``retries``
    how many times a scheduled job that fails or is lost is queued again; ``sweep_id`` the
    sweep a ``sweep-trial`` job is a trial of (set by the sweep's controller only).
    """

    project: str
    kind: JobKind = JobKind.LOCAL
    command: str = ""
    name: str = ""
    user: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    git: Mapping[str, object] = field(default_factory=dict)
    environment: Mapping[str, object] = field(default_factory=dict)
    resources: Mapping[str, object] = field(default_factory=dict)
    priority: int = 0
    parent_id: str | None = None
    snapshot: str | None = None
    timeout: float | None = None
    env_mode: str = "auto"
    rerun_of: str | None = None
    image: str | None = None
    retries: int = 0
    sweep_id: str | None = None


JOB_SPEC_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(JobSpec))
"""The names of :class:`JobSpec`'s fields, in order."""


@dataclass(frozen=True, slots=True)
class Job:
    """One run of code: tracked, and when scheduled, also executed by Atlas."""

    id: str
    project: str
    name: str
    user: str
    kind: JobKind
    status: JobStatus
    created_at: datetime
    command: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    error: JobError | None = None
    params: dict[str, ParamValue] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    git: dict[str, object] = field(default_factory=dict)
    environment: dict[str, object] = field(default_factory=dict)
    resources: dict[str, object] = field(default_factory=dict)
    priority: int = 0
    parent_id: str | None = None
    snapshot: str | None = None  # sha256 of the submitted code's tar.gz (scheduled jobs)
    timeout: float | None = None  # seconds a scheduled job may run
    env_mode: str = "auto"  # "auto": a venv from the snapshot's requirements.txt; "none"
    rerun_of: str | None = None
    image: str | None = None
    retries: int = 0
    sweep_id: str | None = None
    queued_at: datetime | None = None
    attempts: list[dict[str, object]] = field(default_factory=list)
    """The earlier runs of a job queued again by its ``retries``, oldest first: each its
    attempt number, status, exit code, error and times."""

    @property
    def spec(self) -> JobSpec:
        """The description this job was created from (a rerun starts from it): its resources
        as asked, without the GPUs the scheduler gave it."""
        spec = JobSpec(**{name: getattr(self, name) for name in JOB_SPEC_FIELDS})
        if not any(key in self.resources for key in GIVEN):
            return spec
        asked = {key: value for key, value in self.resources.items() if key not in GIVEN}
        return replace(spec, resources=asked)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What a heartbeat found: the job's status afterwards and its kind (a process that
    attached to a ``local`` job reports that job's end itself)."""

    status: JobStatus
    kind: JobKind


@dataclass(frozen=True, slots=True)
class Project:
    """A named group of jobs with a markdown description."""

    name: str
    description: str
    created_at: datetime
    job_counts: dict[JobStatus, int] = field(default_factory=dict)
    last_activity: datetime | None = None

    @property
    def job_count(self) -> int:
        """All jobs of the project, whatever their status."""
        return sum(self.job_counts.values())


@dataclass(frozen=True, slots=True)
class Note:
    """A dated remark on a project."""

    id: int
    project: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Artifact:
    """A file a job saved, stored in the artifact store under the job."""

    job_id: str
    path: str
    kind: ArtifactKind
    mime: str
    size: int
    sha256: str
    created_at: datetime
    step: int | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class MediaKey:
    """A media key of a job (``atlas.log_image`` and the like: docs/media.md): its artifact
    path, the kind and type of its latest file and every step kept, ascending."""

    job_id: str
    key: str
    path: str
    kind: ArtifactKind
    mime: str
    steps: tuple[int, ...]
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    """Points of one metric of one job, in step order, possibly downsampled.

    ``total`` counts the points in the requested step range before downsampling.
    """

    key: str
    steps: list[int]
    times: list[float]
    values: list[float]
    total: int
    downsampled: bool


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``total`` counts every item that matched."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Role(StrEnum):
    """What a user may do in one project; each role may do all the one before it may."""

    VIEWER = "viewer"  # read the project: jobs, metrics, artifacts, logs, members
    EDITOR = "editor"  # also create, change, cancel and delete jobs, notes, the description
    OWNER = "owner"  # also rename and delete the project, and manage its members

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return ROLES.index(self) >= ROLES.index(needed)


ROLES: tuple[Role, ...] = (Role.VIEWER, Role.EDITOR, Role.OWNER)
"""The project roles, weakest first."""


@dataclass(frozen=True, slots=True)
class User:
    """An account of a server with authentication on; ``source`` is ``local`` (a password)
    or ``oidc`` (single sign-on)."""

    name: str
    admin: bool
    disabled: bool
    created_at: datetime
    source: str = "local"
    display_name: str = ""
    email: str = ""
    last_login_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as listed (its secret is shown once, at creation, and stored hashed).

    ``project`` and ``role`` narrow a user's token to one project with at most that role;
    ``job_id`` marks a job's own token, which writes that job and reads its project while
    the job runs."""

    id: str
    name: str
    user: str | None
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    project: str | None = None
    role: Role | None = None
    job_id: str | None = None
    admin: bool = False  # its user is an instance admin (user tokens without a project only)


@dataclass(frozen=True, slots=True)
class AuthSession:
    """A browser session: its user and the CSRF token its writes must carry."""

    user: User
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's role in a project."""

    project: str
    user: str
    role: Role
    added_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change someone made: who (``actor``: a user, or ``job:<id>``), what (``action``,
    e.g. ``DELETE /projects/{name}``: the method and the API route under /api/v1), to what
    (``target``: the path asked), from where."""

    id: int
    time: datetime
    actor: str
    action: str
    target: str
    address: str = ""


class SweepStatus(StrEnum):
    """Where a sweep is: ``running`` (its controller asks and submits trials), ``stopped``
    (by a user: no new trials), ``completed`` (its budget of trials is done) or ``failed``
    (it cannot go on; its error says why)."""

    RUNNING = "running"
    STOPPED = "stopped"
    COMPLETED = "completed"
    FAILED = "failed"


class TrialState(StrEnum):
    """Where a trial of a sweep is: its job queued or running (``running``), ended with its
    objective values (``complete``), stopped early by the pruner (``pruned``), or ended
    without values (``failed``, with the reason)."""

    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SweepError:
    """Why a sweep failed or cannot go on: a stable code and a sentence for the user."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Sweep:
    """A hyperparameter search: its normalised ``spec`` (docs/sweeps.md), a budget of
    ``trials`` of which ``parallel`` run at once, each trial a job on the queue running the
    code of ``snapshot``. ``counts`` holds its trials by state (read with the sweep)."""

    id: str
    project: str
    name: str
    user: str
    status: SweepStatus
    spec: dict[str, object]
    trials: int
    parallel: int
    created_at: datetime
    snapshot: str | None = None
    finished_at: datetime | None = None
    error: SweepError | None = None
    counts: dict[TrialState, int] = field(default_factory=dict)
    system_attrs: dict[str, object] = field(default_factory=dict)
    """Its Optuna study's system attributes (JSON values: the QMC sampler's next sample),
    kept so that the study rebuilt after a restart goes on where it was."""


@dataclass(frozen=True, slots=True)
class Trial:
    """One trial of a sweep: number ``number`` (0, 1, ... per sweep), run as job ``job_id``
    with the sampled ``params``; ``values`` holds one objective value per objective once it
    is complete; ``pruned_step`` the step at which the pruner stopped it; ``error`` why it
    failed. ``job_status``, ``started_at`` and ``finished_at`` are its job's."""

    sweep_id: str
    number: int
    job_id: str | None
    state: TrialState
    params: dict[str, ParamValue]
    created_at: datetime
    values: tuple[float, ...] | None = None
    pruned_step: int | None = None
    error: str | None = None
    finished_at: datetime | None = None
    job_status: JobStatus | None = None
    started_at: datetime | None = None
    system_attrs: dict[str, object] = field(default_factory=dict)
    """Its Optuna trial's system attributes (JSON values: its grid point, the CMA-ES
    generation, the pruner's rungs), kept for the study rebuilt after a restart."""
