"""The REST API's JSON, turned into ``atlas.domain`` dataclasses and back (no I/O here).

docs/rest-api.md is the contract: times are ISO 8601 in UTC, and non-finite numbers travel as
the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Metric columns travel as base64 of
little-endian arrays (``"encoding": "base64"``).
"""

from __future__ import annotations

import base64
import functools
import json
import sys
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from atlas.domain import (
    Artifact,
    ArtifactKind,
    Job,
    JobError,
    JobKind,
    JobStatus,
    MediaKey,
    MetricSummary,
    Note,
    ParamValue,
    Project,
    Series,
)
from atlas.errors import AtlasError
from atlas.sdk.buffer import MetricColumns

__all__ = [
    "BatchResult",
    "Description",
    "LogChunk",
    "ProjectKeys",
    "column_bytes",
    "columns_from_bytes",
    "items_of",
    "mapping_of",
    "metric_batch_body",
    "parse_artifact",
    "parse_media_key",
    "parse_job",
    "parse_note",
    "parse_project",
    "parse_series",
    "parse_summary",
    "parse_time",
    "string_list",
    "wire_float",
]

JsonObject = dict[str, object]

_BIG_ENDIAN = sys.byteorder == "big"


@dataclass(frozen=True, slots=True)
class Description:
    """A project's description: the markdown as written and its sanitised HTML."""

    markdown: str
    html: str


@dataclass(frozen=True, slots=True)
class ProjectKeys:
    """Every param, metric and tag key used by a project's jobs (for completion)."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The server's answer to a metric batch: points stored, and whether the batch id had
    been stored before (then nothing was stored again)."""

    stored: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class LogChunk:
    """Bytes of a job's log from some offset, and the log's whole size at read time."""

    data: bytes
    size: int


# -- encoding ------------------------------------------------------------------------------


def column_bytes(column: array[int] | array[float]) -> bytes:
    """The little-endian bytes of an array of int64 or float64."""
    if not _BIG_ENDIAN:
        return column.tobytes()
    swapped = array(column.typecode, column)
    swapped.byteswap()
    return swapped.tobytes()


def columns_from_bytes(key: str, steps: bytes, times: bytes, values: bytes) -> MetricColumns:
    """Columns rebuilt from little-endian bytes (as :func:`column_bytes` wrote them)."""
    step_column = array("q")
    step_column.frombytes(steps)
    time_column = array("d")
    time_column.frombytes(times)
    value_column = array("d")
    value_column.frombytes(values)
    if _BIG_ENDIAN:
        for column in (step_column, time_column, value_column):
            column.byteswap()
    if not len(step_column) == len(time_column) == len(value_column):
        raise AtlasError(f"metric {key!r}: columns of unequal lengths")
    return MetricColumns(key, step_column, time_column, value_column)


def metric_batch_body(batch_id: str, columns: Sequence[MetricColumns]) -> bytes:
    """The JSON body of a ``MetricBatch`` with ``"encoding": "base64"``, written as bytes
    directly (the base64 text never becomes a Python string: 10^6 points encode in tens of
    milliseconds)."""
    parts = [b'{"batch_id":', json.dumps(batch_id).encode(), b',"encoding":"base64","series":[']
    for index, c in enumerate(columns):
        parts += [
            b',{"key":' if index else b'{"key":',
            json.dumps(c.key).encode(),
            b',"steps":"',
            base64.b64encode(column_bytes(c.steps)),
            b'","times":"',
            base64.b64encode(column_bytes(c.times)),
            b'","values":"',
            base64.b64encode(column_bytes(c.values)),
            b'"}',
        ]
    parts.append(b"]}")
    return b"".join(parts)


# -- decoding ------------------------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


def _answer(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Report an answer of an unexpected shape as an ``AtlasError`` naming ``what``."""

    def decorate(parse: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(parse)
        def parse_answer(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return parse(*args, **kwargs)
            except (KeyError, TypeError, ValueError) as exc:
                raise AtlasError(f"unexpected {what} from the server: {exc!r}") from exc

        return parse_answer

    return decorate


def wire_float(value: object) -> float:
    """A number from the wire, where NaN and infinities are the strings the API writes."""
    if isinstance(value, bool):
        raise AtlasError(f"expected a number from the server, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if value in ("NaN", "Infinity", "-Infinity"):
        return float(str(value))
    raise AtlasError(f"expected a number from the server, got {value!r}")


def parse_time(value: object) -> datetime:
    """An ISO 8601 time from the wire (``Z`` or an offset)."""
    if not isinstance(value, str):
        raise AtlasError(f"expected a time from the server, got {value!r}")
    return datetime.fromisoformat(value)


def _optional_time(value: object) -> datetime | None:
    return None if value is None else parse_time(value)


def _object(value: object) -> JsonObject:
    if not isinstance(value, dict):
        raise AtlasError(f"expected a JSON object from the server, got {type(value).__name__}")
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AtlasError(f"expected an integer from the server, got {value!r}")
    return int(value)


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


@_answer("metric summary")
def parse_summary(data: object) -> MetricSummary:
    """A ``MetricSummary`` object."""
    body = _object(data)
    return MetricSummary(
        key=_text(body["key"]),
        last=wire_float(body["last"]),
        last_step=_int(body["last_step"]),
        min=wire_float(body["min"]),
        max=wire_float(body["max"]),
        count=_int(body["count"]),
        updated_at=parse_time(body["updated_at"]),
    )


def _parse_error(data: object) -> JobError | None:
    if data is None:
        return None
    body = _object(data)
    return JobError(
        type=_text(body.get("type")),
        message=_text(body.get("message")),
        traceback=_text(body.get("traceback")),
    )


def _params(data: object) -> dict[str, ParamValue]:
    params: dict[str, ParamValue] = {}
    for key, value in _object(data or {}).items():
        params[key] = value  # type: ignore[assignment]  # any JSON value is a ParamValue
    return params


def _strings(data: object) -> dict[str, str]:
    return {key: _text(value) for key, value in _object(data or {}).items()}


@_answer("job")
def parse_job(data: object) -> Job:
    """A ``Job`` object, with its params, tags and metric summaries."""
    body = _object(data)
    metrics = _object(body.get("metrics") or {})
    return Job(
        id=_text(body["id"]),
        project=_text(body["project"]),
        name=_text(body.get("name")),
        user=_text(body.get("user")),
        kind=JobKind(str(body.get("kind") or JobKind.LOCAL)),
        status=JobStatus(str(body["status"])),
        created_at=parse_time(body["created_at"]),
        command=_text(body.get("command")),
        started_at=_optional_time(body.get("started_at")),
        finished_at=_optional_time(body.get("finished_at")),
        exit_code=_optional_int(body.get("exit_code")),
        error=_parse_error(body.get("error")),
        params=_params(body.get("params")),
        tags=_strings(body.get("tags")),
        metrics={key: parse_summary(value) for key, value in metrics.items()},
        git=_object(body.get("git") or {}),
        environment=_object(body.get("environment") or {}),
        resources=_object(body.get("resources") or {}),
        priority=_int(body.get("priority") or 0),
        parent_id=_optional_text(body.get("parent_id")),
        snapshot=_optional_text(body.get("snapshot")),
        timeout=None if body.get("timeout") is None else wire_float(body["timeout"]),
        env_mode=_text(body.get("env") or "auto"),
        rerun_of=_optional_text(body.get("rerun_of")),
        image=_optional_text(body.get("image")),
        retries=_int(body.get("retries") or 0),
        sweep_id=_optional_text(body.get("sweep_id")),
        queued_at=_optional_time(body.get("queued_at")),
        attempts=_attempts(body.get("attempts")),
    )


def _attempts(value: object) -> list[dict[str, object]]:
    items = value if isinstance(value, list) else []
    return [_object(item) for item in items if isinstance(item, dict)]


@_answer("project")
def parse_project(data: object) -> Project:
    """A ``Project`` object."""
    body = _object(data)
    counts = _object(body.get("job_counts") or {})
    return Project(
        name=_text(body["name"]),
        description=_text(body.get("description")),
        created_at=parse_time(body["created_at"]),
        job_counts={JobStatus(status): _int(count) for status, count in counts.items()},
        last_activity=_optional_time(body.get("last_activity")),
    )


@_answer("note")
def parse_note(data: object, project: str) -> Note:
    """A ``Note`` object of ``project``."""
    body = _object(data)
    return Note(
        id=_int(body["id"]),
        project=project,
        author=_text(body.get("author")),
        text=_text(body.get("text")),
        created_at=parse_time(body["created_at"]),
    )


@_answer("artifact")
def parse_artifact(data: object, job_id: str) -> Artifact:
    """An ``Artifact`` object of job ``job_id``."""
    body = _object(data)
    return Artifact(
        job_id=job_id,
        path=_text(body["path"]),
        kind=ArtifactKind(str(body.get("kind") or ArtifactKind.FILE)),
        mime=_text(body.get("mime")),
        size=_int(body.get("size") or 0),
        sha256=_text(body.get("sha256")),
        created_at=parse_time(body["created_at"]),
        step=_optional_int(body.get("step")),
        caption=_optional_text(body.get("caption")),
    )


@_answer("media key")
def parse_media_key(data: object, job_id: str) -> MediaKey:
    """A ``MediaKey`` object of job ``job_id``."""
    body = _object(data)
    steps = body.get("steps") or []
    if not isinstance(steps, list):
        raise AtlasError("a media key from the server must hold a list of steps")
    return MediaKey(
        job_id=job_id,
        key=_text(body["key"]),
        path=_text(body["path"]),
        kind=ArtifactKind(str(body.get("kind") or ArtifactKind.FILE)),
        mime=_text(body.get("mime")),
        steps=tuple(_int(step) for step in steps),
        caption=_optional_text(body.get("caption")),
    )


@_answer("series")
def parse_series(data: object) -> Series:
    """A ``Series`` object (values may hold the non-finite strings)."""
    body = _object(data)
    steps = body.get("steps") or []
    times = body.get("times") or []
    values = body.get("values") or []
    if not isinstance(steps, list) or not isinstance(times, list) or not isinstance(values, list):
        raise AtlasError("a series from the server must hold lists of steps, times and values")
    return Series(
        key=_text(body["key"]),
        steps=[_int(step) for step in steps],
        times=[wire_float(t) for t in times],
        values=[wire_float(v) for v in values],
        total=_int(body.get("total", len(steps))),
        downsampled=bool(body.get("downsampled", False)),
    )


def string_list(data: object) -> list[str]:
    """A JSON list of strings."""
    if not isinstance(data, list):
        raise AtlasError(f"expected a list from the server, got {type(data).__name__}")
    return [_text(item) for item in data]


def items_of(data: object) -> list[object]:
    """The ``items`` list of a listing answer."""
    items = _object(data).get("items")
    if not isinstance(items, list):
        raise AtlasError("expected a listing with 'items' from the server")
    return items


def mapping_of(data: object, name: str) -> Mapping[str, object]:
    """The object under ``name`` of an answer."""
    return _object(_object(data).get(name) or {})
