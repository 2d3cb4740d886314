"""Wire models of the REST API (docs/rest-api.md), converted from ``atlas.domain`` objects.

Inputs are strict (unknown fields are refused) and bounded (every string and collection has
a limit); outputs write times as ISO 8601 UTC with a ``Z`` and non-finite floats as the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Metric batches are not validated here
(a million points would be slow through pydantic): see ``atlas.server.metrics_codec``;
``MetricBatch`` only documents them in the OpenAPI schema.
"""

from __future__ import annotations

import json
import math
import shlex
from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    Strict,
    StringConstraints,
    WithJsonSchema,
)

from atlas.domain import (
    Artifact,
    ArtifactKind,
    Job,
    JobError,
    JobKind,
    JobSpec,
    JobStatus,
    MediaKey,
    MetricSummary,
    Note,
    ParamValue,
    Project,
    Role,
    Series,
)
from atlas.names import (
    IMAGE_PATTERN,
    JOB_ID_PATTERN,
    KEY_PATTERN,
    LABEL_KEY_PATTERN,
    LABEL_VALUE_PATTERN,
    MAX_AUTHOR_LENGTH,
    MAX_COMMAND_LENGTH,
    MAX_ERROR_TYPE_LENGTH,
    MAX_JOB_NAME_LENGTH,
    MAX_KEY_LENGTH,
    MAX_LABELS,
    MAX_PROJECT_NAME_LENGTH,
    MAX_RETRIES,
    MAX_TAG_VALUE_LENGTH,
    MAX_USER_LENGTH,
    PROJECT_NAME_PATTERN,
    SHA256_PATTERN,
)
from atlas.store.projects import MAX_DESCRIPTION_LENGTH, MAX_NOTE_LENGTH

__all__ = [
    "ArtifactOut",
    "CapacityOut",
    "DescriptionIn",
    "DescriptionOut",
    "ErrorInfoOut",
    "ErrorOut",
    "GpuOut",
    "HealthOut",
    "HeartbeatOut",
    "InfoOut",
    "IngestOut",
    "ItemsOut",
    "JobCreate",
    "JobErrorModel",
    "JobOut",
    "JobUpdate",
    "KeysOut",
    "LogAppendOut",
    "MediaCellOut",
    "MediaKeyOut",
    "MetricBatch",
    "MetricSummaryOut",
    "NodeOut",
    "NoteCreate",
    "NoteOut",
    "PageOut",
    "ParamsIn",
    "ParamsOut",
    "ProjectCreate",
    "ProjectOut",
    "ProjectRename",
    "QueueClearOut",
    "RerunIn",
    "SchedulerOut",
    "SchedulerResourcesOut",
    "SeriesIn",
    "SeriesOut",
    "SnapshotOut",
    "SubmissionCreate",
    "SubmissionResources",
    "TagsIn",
    "TagsOut",
]

T = TypeVar("T")

MAX_JSON_OBJECT_CHARS = 1_000_000
"""Largest ``git``, ``environment`` or ``resources`` object, as JSON text."""
MAX_ENTRIES = 10_000
"""Most params or tags in one request."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of lists and objects in a param value or a JSON object field."""


def _iso_utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: strftime writes year 154 as "154", not RFC 3339's "0154".
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _check_json(value: object, depth: int = 0) -> None:
    """Refuse what JSON cannot hold or the store cannot keep: NaN, infinities, NUL
    characters, and nesting deeper than ``MAX_JSON_DEPTH`` (which no answer could hold)."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"values nest at most {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (NaN and infinities are not JSON)")
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                _no_nul(key)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def _json_values(value: object) -> object:
    """Checks a JSON object's values before their types are validated (so a too-deep value
    gets one clear error, not one per level)."""
    _check_json(value)
    return value


def _json_size(value: dict[str, JsonValue]) -> dict[str, JsonValue]:
    if len(json.dumps(value, separators=(",", ":"))) > MAX_JSON_OBJECT_CHARS:
        raise ValueError(f"at most {MAX_JSON_OBJECT_CHARS} characters of JSON")
    return value


UtcDatetime = Annotated[
    datetime,
    PlainSerializer(_iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
WireFloat = Annotated[
    float,
    WithJsonSchema({"anyOf": [{"type": "number"}, {"enum": ["NaN", "Infinity", "-Infinity"]}]}),
]
Text = Annotated[str, AfterValidator(_no_nul)]
# The rules are atlas.names's; the lengths are repeated as constraints for clearer messages.
ProjectName = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=MAX_PROJECT_NAME_LENGTH, pattern=PROJECT_NAME_PATTERN
    ),
]
JobId = Annotated[str, StringConstraints(pattern=JOB_ID_PATTERN)]
Key = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN)
]
TagValue = Annotated[Text, StringConstraints(max_length=MAX_TAG_VALUE_LENGTH)]
JsonObject = Annotated[
    dict[str, JsonValue], BeforeValidator(_json_values), AfterValidator(_json_size)
]


def _whole_number(value: object) -> object:
    """``7.0`` is the integer 7 (JSON and JSON Schema say so); other values pass as they are."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


# Numbers are strict: `"7"`, `true` or `7.5` for an integer, `"1.5"` or `true` for a number,
# are refused rather than coerced (a float field takes an integer, an integer one `7.0`).
WireInt = Annotated[int, BeforeValidator(_whole_number), Strict()]
Int32 = Annotated[WireInt, Field(ge=-(2**31), le=2**31 - 1)]


def _key_rule_in_schema(schema: dict[str, JsonValue]) -> None:
    """A mapping keyed by ``Key``: pydantic writes the key rule as ``patternProperties``,
    which would let any other key through with any value; a key that breaks the rule is
    refused, so the rule belongs in ``propertyNames``."""
    patterns = schema.pop("patternProperties", None)
    if isinstance(patterns, dict) and len(patterns) == 1:
        ((pattern, value),) = patterns.items()
        names = schema.setdefault("propertyNames", {})
        if isinstance(names, dict):
            names["pattern"] = pattern
        schema["additionalProperties"] = value


KeyRule = Field(max_length=MAX_ENTRIES, json_schema_extra=_key_rule_in_schema)
Params = Annotated[dict[Key, ParamValue], KeyRule, BeforeValidator(_json_values)]
Tags = Annotated[dict[Key, TagValue], KeyRule]


class WireModel(BaseModel):
    """Base of every wire model: strict about unknown fields, JSON-safe floats out."""

    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="strings")


# -- projects ------------------------------------------------------------------------------


class ProjectCreate(WireModel):
    name: ProjectName
    description: Annotated[Text, Field(max_length=MAX_DESCRIPTION_LENGTH)] = ""


class ProjectRename(WireModel):
    name: ProjectName


class ProjectOut(WireModel):
    name: str
    description: str
    created_at: UtcDatetime
    last_activity: UtcDatetime | None
    job_count: int
    job_counts: dict[str, int]
    role: Literal["viewer", "editor", "owner"] = "owner"
    """The caller's role in the project (admins, and everyone with authentication off:
    owner)."""

    @classmethod
    def from_domain(cls, project: Project, *, role: Role | None = None) -> ProjectOut:
        """The wire form of ``project``; ``role``: the caller's (default owner)."""
        return cls(
            role=(role or Role.OWNER).value,
            name=project.name,
            description=project.description,
            created_at=project.created_at,
            last_activity=project.last_activity,
            job_count=project.job_count,
            job_counts={str(status): count for status, count in project.job_counts.items()},
        )


class DescriptionIn(WireModel):
    markdown: Annotated[Text, Field(max_length=MAX_DESCRIPTION_LENGTH)]


class DescriptionOut(WireModel):
    markdown: str
    html: str


class NoteCreate(WireModel):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_NOTE_LENGTH)]
    author: Annotated[Text, Field(max_length=MAX_AUTHOR_LENGTH)] = ""


class NoteOut(WireModel):
    id: int
    author: str
    text: str
    created_at: UtcDatetime

    @classmethod
    def from_domain(cls, note: Note) -> NoteOut:
        """The wire form of ``note``."""
        return cls(id=note.id, author=note.author, text=note.text, created_at=note.created_at)


class KeysOut(WireModel):
    params: list[str]
    metrics: list[str]
    tags: list[str]


class ItemsOut(WireModel, Generic[T]):
    items: list[T]


class PageOut(WireModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# -- jobs ----------------------------------------------------------------------------------


class JobErrorModel(WireModel):
    type: Annotated[Text, Field(max_length=MAX_ERROR_TYPE_LENGTH)]
    message: Annotated[Text, Field(max_length=100_000)] = ""
    traceback: Annotated[Text, Field(max_length=1_000_000)] = ""

    def to_domain(self) -> JobError:
        """The domain form of this error."""
        return JobError(type=self.type, message=self.message, traceback=self.traceback)


class JobCreate(WireModel):
    project: ProjectName
    name: Annotated[Text, Field(max_length=MAX_JOB_NAME_LENGTH)] = ""
    user: Annotated[Text, Field(max_length=MAX_USER_LENGTH)] = ""
    kind: JobKind = JobKind.LOCAL
    command: Annotated[Text, Field(max_length=MAX_COMMAND_LENGTH)] = ""
    params: Params = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    git: JsonObject = Field(default_factory=dict)
    environment: JsonObject = Field(default_factory=dict)
    resources: JsonObject = Field(default_factory=dict)
    priority: Int32 = 0
    parent_id: JobId | None = None
    id: JobId | None = None
    started_at: UtcDatetime | None = None
    """When a tracked script started, by its own clock (its spool replayed later)."""

    def to_spec(self) -> JobSpec:
        """The job this body describes (``id`` is the job's identity and ``started_at`` a
        fact about this run, neither part of it)."""
        return JobSpec(**self.model_dump(exclude={"id", "started_at"}))


class JobUpdate(WireModel):
    name: Annotated[Text, Field(max_length=MAX_JOB_NAME_LENGTH)] | None = None
    status: JobStatus | None = None
    priority: Int32 | None = None
    exit_code: Int32 | None = None
    error: JobErrorModel | None = None
    at: UtcDatetime | None = None
    """When the status changed, by the client's clock (a spool replayed later)."""


class HeartbeatOut(WireModel):
    status: JobStatus
    kind: JobKind


class MetricSummaryOut(WireModel):
    key: str
    last: WireFloat
    last_step: int
    min: WireFloat
    max: WireFloat
    count: int
    updated_at: UtcDatetime

    @classmethod
    def from_domain(cls, summary: MetricSummary) -> MetricSummaryOut:
        """The wire form of ``summary``."""
        return cls(
            key=summary.key,
            last=summary.last,
            last_step=summary.last_step,
            min=summary.min,
            max=summary.max,
            count=summary.count,
            updated_at=summary.updated_at,
        )


class JobOut(WireModel):
    id: str
    project: str
    name: str
    user: str
    kind: JobKind
    status: JobStatus
    command: str
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    duration: WireFloat | None
    exit_code: int | None
    error: JobErrorModel | None
    params: dict[str, ParamValue]
    tags: dict[str, str]
    metrics: dict[str, MetricSummaryOut]
    git: dict[str, JsonValue]
    environment: dict[str, JsonValue]
    resources: dict[str, JsonValue]
    priority: int
    parent_id: str | None
    snapshot: str | None
    timeout: float | None
    env: str
    rerun_of: str | None
    image: str | None
    retries: int
    attempts: list[dict[str, JsonValue]]
    queued_at: UtcDatetime | None
    sweep_id: str | None = None
    sweep_trial: int | None = Field(
        default=None,
        description="the trial number of a sweep's trial job (set by GET /jobs/{id}; null "
        "in lists and for other jobs)",
    )

    @classmethod
    def from_domain(
        cls, job: Job, *, now: datetime | None = None, sweep_trial: int | None = None
    ) -> JobOut:
        """The wire form of ``job``; ``duration`` of an unfinished job runs until ``now``;
        ``sweep_trial`` the number of the trial it runs, when known."""
        error = None
        if job.error is not None:
            error = JobErrorModel.model_construct(
                type=job.error.type, message=job.error.message, traceback=job.error.traceback
            )
        return cls.model_construct(
            id=job.id,
            project=job.project,
            name=job.name,
            user=job.user,
            kind=job.kind,
            status=job.status,
            command=job.command,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            duration=_duration(job, now or datetime.now(UTC)),
            exit_code=job.exit_code,
            error=error,
            params=job.params,
            tags=job.tags,
            metrics={k: MetricSummaryOut.from_domain(s) for k, s in job.metrics.items()},
            git=job.git,
            environment=job.environment,
            resources=job.resources,
            priority=job.priority,
            parent_id=job.parent_id,
            snapshot=job.snapshot,
            timeout=job.timeout,
            env=job.env_mode,
            rerun_of=job.rerun_of,
            image=job.image,
            retries=job.retries,
            attempts=job.attempts,
            queued_at=job.queued_at,
            sweep_id=job.sweep_id,
            sweep_trial=sweep_trial,
        )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _duration(job: Job, now: datetime) -> float | None:
    if job.started_at is None:
        return None
    end = job.finished_at or now
    return max(0.0, (_utc(end) - _utc(job.started_at)).total_seconds())


class ParamsIn(WireModel):
    params: Params


class ParamsOut(WireModel):
    params: dict[str, ParamValue]


class TagsIn(WireModel):
    tags: Tags


class TagsOut(WireModel):
    tags: dict[str, str]


# -- metrics -------------------------------------------------------------------------------

WireNumbers = list[float | Literal["NaN", "Infinity", "-Infinity"]] | str


class SeriesIn(WireModel):
    """One key's points as parallel columns: JSON lists, or base64 of little-endian
    int64 (``steps``) and float64 (``times``, ``values``) with ``"encoding": "base64"``."""

    key: Key
    steps: list[int] | str
    times: WireNumbers
    values: WireNumbers


class MetricBatch(WireModel):
    """Points of several keys sent in one request (documented here, decoded by
    ``atlas.server.metrics_codec``)."""

    batch_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    encoding: Literal["json", "base64"] = "json"
    series: list[SeriesIn]


class IngestOut(WireModel):
    stored: int
    duplicate: bool


class SeriesOut(WireModel):
    key: str
    steps: list[int]
    times: list[WireFloat]
    values: list[WireFloat]
    total: int
    downsampled: bool

    @classmethod
    def from_domain(cls, series: Series) -> SeriesOut:
        """The wire form of ``series`` (no copy or check of its columns)."""
        return cls.model_construct(
            key=series.key,
            steps=series.steps,
            times=series.times,
            values=series.values,
            total=series.total,
            downsampled=series.downsampled,
        )


# -- artifacts, logs, server ---------------------------------------------------------------


class ArtifactOut(WireModel):
    path: str
    kind: ArtifactKind
    mime: str
    size: int
    sha256: str
    step: int | None
    created_at: UtcDatetime
    caption: str | None = None

    @classmethod
    def from_domain(cls, artifact: Artifact) -> ArtifactOut:
        """The wire form of ``artifact`` (or of one version of it)."""
        return cls(
            path=artifact.path,
            kind=artifact.kind,
            mime=artifact.mime,
            size=artifact.size,
            sha256=artifact.sha256,
            step=artifact.step,
            created_at=artifact.created_at,
            caption=artifact.caption,
        )


class MediaKeyOut(WireModel):
    key: str
    path: str
    kind: ArtifactKind
    mime: str
    steps: list[int]
    count: int
    first_step: int | None
    last_step: int | None
    caption: str | None

    @classmethod
    def from_domain(cls, media: MediaKey) -> MediaKeyOut:
        """The wire form of ``media``."""
        steps = list(media.steps)
        return cls(
            key=media.key,
            path=media.path,
            kind=media.kind,
            mime=media.mime,
            steps=steps,
            count=len(steps),
            first_step=steps[0] if steps else None,
            last_step=steps[-1] if steps else None,
            caption=media.caption,
        )


class MediaCellOut(WireModel):
    job_id: str
    version: ArtifactOut | None


class LogAppendOut(WireModel):
    size: int


class ErrorInfoOut(WireModel):
    code: str
    message: str
    detail: dict[str, JsonValue]


class ErrorOut(WireModel):
    """The body of every error answer (``atlas.server.errors``)."""

    error: ErrorInfoOut


class HealthOut(WireModel):
    status: Literal["ok"]
    version: str


class InfoOut(WireModel):
    version: str
    db: str
    artifacts: str
    max_upload_mb: int
    max_metric_points: int
    scheduler: Literal["active", "standby"]


# -- the scheduler -------------------------------------------------------------------------

MAX_ARGV = 10_000
"""Most arguments in a submitted command."""
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]


def _argv(value: object) -> object:
    """A command given as one string is split like a shell would (no shell runs it)."""
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"the command does not split into arguments: {exc}") from None
    return value


Arg = Annotated[Text, StringConstraints(min_length=1, max_length=MAX_COMMAND_LENGTH)]
Argv = Annotated[
    list[Arg],
    # The schema says a string is taken too (split like a shell would).
    BeforeValidator(_argv, json_schema_input_type=list[Arg] | str),
    Field(min_length=1, max_length=MAX_ARGV),
]


class SubmissionResources(WireModel):
    cpus: Annotated[WireInt, Field(ge=1, le=1 << 20)] = 1
    gpus: Annotated[WireInt, Field(ge=0, le=1 << 20)] = 0
    memory: (
        Annotated[WireInt, Field(ge=0, le=1 << 62)]
        | Annotated[str, StringConstraints(min_length=1, max_length=50)]
        | None
    ) = None
    labels: Annotated[
        dict[
            Annotated[str, StringConstraints(pattern=LABEL_KEY_PATTERN)],
            Annotated[str, StringConstraints(pattern=LABEL_VALUE_PATTERN)],
        ],
        Field(max_length=MAX_LABELS, description="labels the job's node must have"),
    ] = Field(default_factory=dict)
    network: Annotated[bool, Strict()] = Field(
        default=False,
        description="a job in a container image gets a network (default: none; it reaches "
        "the server through a socket mounted into it)",
    )


class SubmissionCreate(WireModel):
    project: ProjectName
    command: Argv
    name: Annotated[Text, Field(max_length=MAX_JOB_NAME_LENGTH)] = ""
    user: Annotated[Text, Field(max_length=MAX_USER_LENGTH)] = ""
    snapshot: Sha256 | None = None
    params: Params = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    resources: SubmissionResources = Field(default_factory=SubmissionResources)
    priority: Int32 = 0
    timeout: Annotated[float, Strict(), Field(gt=0, le=1e9)] | None = None
    env: Literal["auto", "none"] = "auto"
    git: JsonObject = Field(default_factory=dict)
    parent_id: JobId | None = None
    rerun_of: JobId | None = None
    image: Annotated[str, StringConstraints(pattern=IMAGE_PATTERN)] | None = None
    """A container image to run the job in (docs/containers.md); ``None``: on the host."""
    retries: Annotated[WireInt, Field(ge=0, le=MAX_RETRIES)] = 0
    """How many times the job is queued again when it fails or is lost."""

    def to_spec(self) -> JobSpec:
        """The scheduled job this body describes (the wire's ``env`` is ``env_mode``, the
        argv is kept shell-quoted)."""
        fields = self.model_dump(exclude={"command", "env"})
        return JobSpec(
            **fields, kind=JobKind.SCHEDULED, command=shlex.join(self.command), env_mode=self.env
        )


class RerunIn(WireModel):
    params: Params = Field(default_factory=dict)


class SnapshotOut(WireModel):
    sha256: str
    size: int
    created: bool


class CapacityOut(WireModel):
    total: int
    used: int


class GpuOut(WireModel):
    index: int
    name: str
    memory_total: int | None
    job_id: str | None = Field(
        description="the job holding it; null when free or held by a job you may not see"
    )
    held: bool = Field(description="whether a job holds it (whoever's job that is)")


class SchedulerResourcesOut(WireModel):
    cpus: CapacityOut
    memory: CapacityOut
    gpus: list[GpuOut]


class NodeOut(WireModel):
    id: str = Field(description="the executor's id of the node (``local``: the server's machine)")
    name: str
    address: str
    alive: bool = Field(
        description="false for a node that left the cluster while jobs were counted on it"
    )
    labels: dict[str, str] = Field(description="what a job may ask for with --label KEY=VALUE")
    cpus: CapacityOut
    memory: CapacityOut
    gpus: list[GpuOut]
    running: list[str] = Field(description="the listed running jobs placed on this node")


class SchedulerOut(WireModel):
    resources: SchedulerResourcesOut
    nodes: list[NodeOut] = Field(
        default_factory=list, description="every node with what it has and what its jobs hold"
    )
    queue: list[JobOut]
    queue_total: int
    running: list[JobOut]
    reservation: str | None
    mode: Literal["active", "standby"] = Field(
        "active",
        description="active: this server runs the jobs; standby: another server on the same "
        "database holds the scheduler's lock and runs them (this one takes over if it stops)",
    )
    waiting_for: dict[str, str] = Field(
        default_factory=dict,
        description="for each listed queued job, what it waits for, in words",
    )


class QueueClearOut(WireModel):
    cancelled: list[str]


class SnapshotFileOut(WireModel):
    path: str
    size: int
