"""What a run sends to the server, as records that are either sent or spooled.

Each record can be sent with a ``Client`` (safe to send again: metric batches carry a batch
id, a job creation that finds its id taken is done, a log append knows the offset it belongs
at, a status already reached is done) and written to the spool as a JSON header plus a
binary payload, then read back. Nothing is ever pickled.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from atlas.domain import JobError, JobKind, JobStatus, ParamValue
from atlas.errors import (
    AtlasError,
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    PayloadTooLargeError,
)
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.wire import column_bytes, columns_from_bytes

if TYPE_CHECKING:
    from atlas.sdk.client import Client

logger = logging.getLogger(__name__)

__all__ = [
    "ArtifactUpload",
    "CreateJob",
    "LazyBytes",
    "LogAppend",
    "MediaUpload",
    "MetricBatch",
    "Record",
    "SetParams",
    "SetTags",
    "UpdateJob",
    "decode_record",
    "refused_metrics",
]

Header = dict[str, object]


class Record(Protocol):
    """One thing to tell the server about a job."""

    op: ClassVar[str]

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        """Send it; ``careful`` when an earlier try may have reached the server. True when
        the server already had it (nothing stored twice)."""

    def encode(self) -> tuple[Header, bytes]:
        """The spool header (``op`` added by the writer) and payload."""


@dataclass(frozen=True, slots=True)
class CreateJob:
    """Create the job with the id the client chose (already existing means done)."""

    op: ClassVar[str] = "create_job"
    project: str
    fields: dict[str, object] = field(default_factory=dict)

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        f = self.fields

        def create(started_at: datetime | None) -> None:
            client.create_job(
                self.project,
                job_id=job_id,
                name=_opt_str(f.get("name")),
                user=_opt_str(f.get("user")),
                kind=JobKind(str(f.get("kind", JobKind.LOCAL))),
                command=_opt_str(f.get("command")),
                params=_opt_dict(f.get("params")),  # type: ignore[arg-type]
                tags=_opt_dict(f.get("tags")),  # type: ignore[arg-type]
                git=_opt_dict(f.get("git")),
                environment=_opt_dict(f.get("environment")),
                started_at=started_at,
            )

        try:
            _with_own_time(create, _opt_time(f.get("started_at")), "started_at", job_id)
        except ConflictError:
            return True  # the job exists: created by an earlier try of this very record
        return False

    def encode(self) -> tuple[Header, bytes]:
        return {"project": self.project, "fields": self.fields}, b""

    def with_fields(self, **more: object) -> CreateJob:
        """A copy with ``more`` fields (filled in by the sender: git, environment)."""
        return replace(self, fields={**self.fields, **more})


@dataclass(frozen=True, slots=True)
class SetParams:
    """Merge flat params into the job's params."""

    op: ClassVar[str] = "params"
    params: dict[str, ParamValue]

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        client.set_params(job_id, self.params)
        return False

    def encode(self) -> tuple[Header, bytes]:
        return {"params": self.params}, b""


@dataclass(frozen=True, slots=True)
class SetTags:
    """Merge tags into the job's tags."""

    op: ClassVar[str] = "tags"
    tags: dict[str, str]

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        client.set_tags(job_id, self.tags)
        return False

    def encode(self) -> tuple[Header, bytes]:
        return {"tags": self.tags}, b""


@dataclass(frozen=True, slots=True)
class MetricBatch:
    """Columns of points with their idempotency key."""

    op: ClassVar[str] = "metrics"
    batch_id: str
    columns: list[MetricColumns]

    @property
    def points(self) -> int:
        return sum(len(c) for c in self.columns)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        """Store the batch. When the server refuses it (``InvalidInputError``: the server
        stores a batch whole or not at all), each key's points are sent alone, so a key the
        server refuses loses only its own points; ``InvalidInputError`` then names the keys
        refused (``detail["refused"]``: ``key``, ``points``, ``message`` each). A batch too
        large for the server raises ``PayloadTooLargeError`` as it is."""
        try:
            return client.send_metrics(job_id, self.columns, batch_id=self.batch_id).duplicate
        except PayloadTooLargeError:
            raise  # too many points: the sender sends the batch in halves
        except InvalidInputError:
            if len(self.columns) < 2:
                raise
        return self._send_key_by_key(client, job_id)

    def _send_key_by_key(self, client: Client, job_id: str) -> bool:
        refused: list[dict[str, object]] = []
        duplicate = True
        for index, c in enumerate(self.columns):
            # Ids derived from this batch's: a retry of the whole record stores nothing twice.
            batch_id = f"{self.batch_id}k{index}"
            try:
                duplicate &= client.send_metrics(job_id, [c], batch_id=batch_id).duplicate
            except InvalidInputError as exc:
                refused.append({"key": c.key, "points": len(c), "message": exc.message})
        if refused:
            keys = ", ".join(repr(item["key"]) for item in refused)
            raise InvalidInputError(
                f"the server refused metric {keys} ({refused[0]['message']}); the points of "
                "the batch's other keys were stored",
                detail={"refused": refused},
            )
        return duplicate

    def refused(self, error: BaseException) -> str:
        """What ``error`` (raised by :meth:`send`) lost, in words."""
        return refused_metrics(error, [(c.key, len(c)) for c in self.columns])

    def encode(self) -> tuple[Header, bytes]:
        series = [{"key": c.key, "n": len(c)} for c in self.columns]
        payload = b"".join(
            column_bytes(part) for c in self.columns for part in (c.steps, c.times, c.values)
        )
        return {"batch_id": self.batch_id, "series": series}, payload

    def halves(self) -> tuple[MetricBatch, MetricBatch]:
        """Two batches holding the points of this one (for a server that found it too
        large); their batch ids derive from this one's."""
        first: list[MetricColumns] = []
        second: list[MetricColumns] = []
        half = self.points // 2
        seen = 0
        for c in self.columns:
            cut = max(0, min(len(c), half - seen))
            seen += len(c)
            if cut:
                first.append(MetricColumns(c.key, c.steps[:cut], c.times[:cut], c.values[:cut]))
            if cut < len(c):
                second.append(MetricColumns(c.key, c.steps[cut:], c.times[cut:], c.values[cut:]))
        return MetricBatch(self.batch_id + "a", first), MetricBatch(self.batch_id + "b", second)


@dataclass(frozen=True, slots=True)
class LogAppend:
    """Console text that belongs at byte ``offset`` of the job's log."""

    op: ClassVar[str] = "log"
    offset: int
    data: bytes

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        if not careful:
            client.append_log(job_id, self.data)
            return False
        size = client.read_log(job_id, offset=0, limit=0).size
        if size >= self.offset + len(self.data):
            return True  # stored by an earlier try
        start = max(0, size - self.offset)
        client.append_log(job_id, self.data[start:])
        return start > 0

    def encode(self) -> tuple[Header, bytes]:
        return {"offset": self.offset}, self.data


@dataclass(frozen=True, slots=True)
class ArtifactUpload:
    """A file to store as the job's artifact ``path``."""

    op: ClassVar[str] = "artifact"
    path: str
    file: Path
    step: int | None = None

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        client.upload_artifact(job_id, self.path, self.file, step=self.step)
        return False

    def encode(self) -> tuple[Header, bytes]:
        # The spool writer copies the file next to the spool and stores its name here.
        return {"path": self.path, "file": self.file.name, "step": self.step}, b""


class LazyBytes:
    """Bytes made by ``make`` the first time they are asked for (a media file encoded on the
    sender thread, not the training thread), then kept; ``make`` and what it holds are let
    go. Made once even when two threads ask (the sender's, and at exit the one spooling what
    a stuck sender left)."""

    __slots__ = ("_data", "_lock", "_make")

    def __init__(self, make: Callable[[], bytes]) -> None:
        self._make: Callable[[], bytes] | None = make
        self._data: bytes | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, data: bytes) -> LazyBytes:
        """Bytes already made."""
        made = cls(bytes)
        made._data, made._make = data, None
        return made

    def data(self) -> bytes:
        """The bytes (made now if they are not yet)."""
        with self._lock:
            if self._data is None:
                assert self._make is not None
                self._data, self._make = self._make(), None
            return self._data


@dataclass(frozen=True, slots=True)
class MediaUpload:
    """A media file (``atlas.log_image`` and the like) to store as the job's artifact
    ``path`` at ``step``; its bytes are encoded when first sent or spooled."""

    op: ClassVar[str] = "media"
    path: str
    step: int
    caption: str | None
    content: LazyBytes

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        data = self.content.data()
        client.upload_artifact(job_id, self.path, data, step=self.step, caption=self.caption)
        return False

    def encode(self) -> tuple[Header, bytes]:
        return {"path": self.path, "step": self.step, "caption": self.caption}, self.content.data()


@dataclass(frozen=True, slots=True)
class UpdateJob:
    """Rename the job or move it to a status (a status already reached is done); ``at``
    is when, in seconds since the epoch by this machine's clock (kept in the spool, so a
    job replayed later keeps its real end)."""

    op: ClassVar[str] = "update_job"
    name: str | None = None
    status: JobStatus | None = None
    exit_code: int | None = None
    error: JobError | None = None
    at: float | None = None

    def send(self, client: Client, job_id: str, *, careful: bool) -> bool:
        def update(at: datetime | None) -> None:
            client.update_job(
                job_id,
                name=self.name,
                status=self.status,
                exit_code=self.exit_code,
                error=self.error,
                at=at,
            )

        try:
            _with_own_time(update, _opt_time(self.at), "at", job_id)
        except InvalidTransitionError:
            if client.get_job(job_id).status != self.status:
                raise
            return True  # reached by an earlier try
        return False

    def encode(self) -> tuple[Header, bytes]:
        error = None
        if self.error is not None:
            error = {
                "type": self.error.type,
                "message": self.error.message,
                "traceback": self.error.traceback,
            }
        body = {"name": self.name, "status": self.status, "exit_code": self.exit_code}
        return {**body, "error": error, "at": self.at}, b""


def refused_metrics(error: BaseException, sent: list[tuple[str, int]]) -> str:
    """The metric points a refusal lost, in words (``metrics 'x' (12 points)``): the keys
    ``error`` names as refused (see ``MetricBatch.send``), else every ``(key, points)`` sent."""
    refused = error.detail.get("refused") if isinstance(error, AtlasError) else None
    if isinstance(refused, list):
        sent = [(str(item["key"]), int(item["points"])) for item in refused]
    return "metrics " + ", ".join(f"{key!r} ({points} points)" for key, points in sent)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _with_own_time(
    send: Callable[[datetime | None], None], when: datetime | None, name: str, job_id: str
) -> None:
    """``send(when)``; when the server refuses ``when`` (the field ``name``: this machine's
    clock is off by more than the server allows), ``send(None)``, so the record still lands,
    stamped by the server's clock, and a warning says so."""
    try:
        send(when)
    except InvalidInputError as exc:
        errors = exc.detail.get("errors")
        fields = (
            [e.get("field") for e in errors if isinstance(e, dict)]
            if isinstance(errors, list)
            else []
        )
        if when is None or name not in fields:
            raise
        logger.warning(
            "job %s: the server refused this machine's time (%s); it keeps its own instead",
            job_id,
            exc.message,
        )
        send(None)


def _opt_time(value: object) -> datetime | None:
    """A time kept as seconds since the epoch (``time.time()``), as an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _opt_dict(value: object) -> dict[str, object] | None:
    return dict(value) if isinstance(value, dict) else None


def _decode_metrics(header: Header, payload: bytes) -> MetricBatch:
    columns = []
    offset = 0
    series = header.get("series")
    if not isinstance(series, list):
        raise AtlasError("spool record of metrics without series")
    for entry in series:
        n = int(entry["n"]) * 8
        parts = [payload[offset + i * n : offset + (i + 1) * n] for i in range(3)]
        offset += 3 * n
        columns.append(columns_from_bytes(str(entry["key"]), *parts))
    if offset != len(payload):
        raise AtlasError("spool record of metrics whose payload does not match its series")
    return MetricBatch(str(header["batch_id"]), columns)


def _decode_update(header: Header) -> UpdateJob:
    error = header.get("error")
    status = header.get("status")
    exit_code = header.get("exit_code")
    name = header.get("name")
    at = header.get("at")
    return UpdateJob(
        name=None if name is None else str(name),
        status=None if status is None else JobStatus(str(status)),
        exit_code=int(exit_code) if isinstance(exit_code, int) else None,
        error=JobError(**error) if isinstance(error, dict) else None,
        at=float(at) if isinstance(at, int | float) and not isinstance(at, bool) else None,
    )


def decode_record(header: Header, payload: bytes, files: Path) -> Record:
    """The record a spool header and payload stand for (``files`` holds spooled
    artifacts). ``AtlasError`` for an unknown or malformed record."""
    op = header.get("op")
    try:
        if op == CreateJob.op:
            fields = header.get("fields")
            return CreateJob(
                str(header["project"]), dict(fields) if isinstance(fields, dict) else {}
            )
        if op == SetParams.op:
            return SetParams(dict(header["params"]))  # type: ignore[call-overload]
        if op == SetTags.op:
            return SetTags({str(k): str(v) for k, v in dict(header["tags"]).items()})  # type: ignore[call-overload]
        if op == MetricBatch.op:
            return _decode_metrics(header, payload)
        if op == LogAppend.op:
            return LogAppend(int(header["offset"]), payload)  # type: ignore[call-overload]
        if op == ArtifactUpload.op:
            step = header.get("step")
            file = files / str(header["file"])
            return ArtifactUpload(
                str(header["path"]), file, step if isinstance(step, int) else None
            )
        if op == MediaUpload.op:
            caption = header.get("caption")
            return MediaUpload(
                str(header["path"]),
                int(header["step"]),  # type: ignore[call-overload]
                None if caption is None else str(caption),
                LazyBytes.of(payload),
            )
        if op == UpdateJob.op:
            return _decode_update(header)
    except (KeyError, TypeError, ValueError) as exc:
        raise AtlasError(f"malformed spool record {op!r}: {exc}") from exc
    raise AtlasError(f"unknown spool record {op!r}: {json.dumps(header)[:200]}")
