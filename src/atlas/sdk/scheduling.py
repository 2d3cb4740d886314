"""What the client reads about scheduling: the scheduler's state and a job's log stream.

``GET /api/v1/scheduler`` answers :class:`SchedulerState`; ``GET /api/v1/jobs/{id}/log/stream``
is a server-sent event stream read by :func:`log_events`: ``data:`` events carry log text (a
JSON-encoded string) and a final ``end`` event the job's status.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from atlas.domain import Job, JobStatus
from atlas.errors import AtlasError
from atlas.sdk import wire

__all__ = [
    "GpuSlot",
    "LogEvent",
    "NodeState",
    "ResourceUse",
    "SchedulerState",
    "log_events",
    "parse_scheduler_state",
]


@dataclass(frozen=True, slots=True)
class ResourceUse:
    """How much of a resource exists and how much running jobs hold."""

    total: int
    used: int


@dataclass(frozen=True, slots=True)
class GpuSlot:
    """One GPU of the inventory and the job holding it (``None`` when free, or when held by
    a job of a project the caller may not read: ``held`` tells)."""

    index: int
    name: str
    memory_total: int | None
    job_id: str | None
    held: bool = False


@dataclass(frozen=True, slots=True)
class NodeState:
    """One machine jobs run on: its ``id`` (``local``: the server's own machine), name and
    address, whether it is still there (``alive`` is false for a node that left the cluster
    while jobs still count on it), its labels (what ``--label KEY=VALUE`` asks for), CPU
    slots and memory with what running jobs hold, its GPUs with their holders and the ids
    of the (listed) jobs running on it."""

    id: str
    name: str
    address: str
    alive: bool
    labels: dict[str, str]
    cpus: ResourceUse
    memory: ResourceUse
    gpus: list[GpuSlot]
    running: list[str]


@dataclass(frozen=True, slots=True)
class SchedulerState:
    """The machine's resources, the queue in dispatch order (its first jobs; ``queue_total``
    counts them all), the running jobs, the job holding the reservation (the
    highest-priority job that does not fit yet), what each listed queued job waits for (in
    words), the server's ``mode``: ``active`` when it runs the jobs, ``standby`` when
    another server on the same database does, and every node with what it holds (the
    resources above sum them up)."""

    cpus: ResourceUse
    memory: ResourceUse
    gpus: list[GpuSlot]
    queue: list[Job]
    queue_total: int
    running: list[Job]
    reservation: str | None
    waiting_for: dict[str, str] = field(default_factory=dict)
    mode: str = "active"
    nodes: list[NodeState] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event of a log stream: ``text`` to print, or the end (``status`` set).
    ``offset`` is the log's byte offset after ``text`` when the server says it (the event's
    ``id``): a reader that reconnects resumes from there."""

    text: str = ""
    status: JobStatus | None = None
    offset: int | None = None


def _use(data: object) -> ResourceUse:
    body = data if isinstance(data, dict) else {}
    return ResourceUse(total=int(body.get("total") or 0), used=int(body.get("used") or 0))


def _gpu(data: object) -> GpuSlot:
    body = data if isinstance(data, dict) else {}
    memory = body.get("memory_total")
    job = body.get("job_id")
    return GpuSlot(
        index=int(body.get("index") or 0),
        name=str(body.get("name") or ""),
        memory_total=None if memory is None else int(memory),
        job_id=None if job is None else str(job),
        held=bool(body.get("held", job is not None)),
    )


def _node(data: object) -> NodeState:
    body = data if isinstance(data, dict) else {}
    labels = body.get("labels")
    gpus = body.get("gpus")
    running = body.get("running")
    return NodeState(
        id=str(body.get("id") or ""),
        name=str(body.get("name") or ""),
        address=str(body.get("address") or ""),
        alive=bool(body.get("alive", True)),
        labels={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
        cpus=_use(body.get("cpus")),
        memory=_use(body.get("memory")),
        gpus=[_gpu(g) for g in gpus] if isinstance(gpus, list) else [],
        running=[str(j) for j in running] if isinstance(running, list) else [],
    )


def parse_scheduler_state(data: object) -> SchedulerState:
    """A :class:`SchedulerState` from the JSON answer of ``GET /api/v1/scheduler``."""
    body = data if isinstance(data, dict) else {}
    resources = body.get("resources")
    res = resources if isinstance(resources, dict) else {}
    gpus = res.get("gpus")
    queue = body.get("queue")
    running = body.get("running")
    reservation = body.get("reservation")
    waits = body.get("waiting_for")
    nodes = body.get("nodes")
    queued = [wire.parse_job(j) for j in queue] if isinstance(queue, list) else []
    return SchedulerState(
        cpus=_use(res.get("cpus")),
        memory=_use(res.get("memory")),
        gpus=[_gpu(g) for g in gpus] if isinstance(gpus, list) else [],
        queue=queued,
        queue_total=int(body.get("queue_total") or len(queued)),
        running=[wire.parse_job(j) for j in running] if isinstance(running, list) else [],
        reservation=None if reservation is None else str(reservation),
        waiting_for={str(k): str(v) for k, v in waits.items()} if isinstance(waits, dict) else {},
        mode=str(body.get("mode") or "active"),
        nodes=[_node(n) for n in nodes] if isinstance(nodes, list) else [],
    )


def _end_status(data: str) -> JobStatus:
    try:
        value: object = json.loads(data)
    except ValueError:
        value = data.strip()
    if isinstance(value, dict):
        value = value.get("status")
    try:
        return JobStatus(str(value))
    except ValueError:
        raise AtlasError(f"the log stream ended with an unknown status {value!r}") from None


def _event(name: str, data: list[str], event_id: str) -> LogEvent | None:
    text = "\n".join(data)
    if name == "end":
        return LogEvent(status=_end_status(text))
    if name not in ("", "message") or not data:
        return None  # an event this client does not know (a keep-alive, ...)
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    offset = int(event_id) if event_id.isdigit() else None
    return LogEvent(text=value if isinstance(value, str) else json.dumps(value), offset=offset)


def log_events(lines: Iterable[str]) -> Iterator[LogEvent]:
    """The events of a server-sent event stream given as its lines (without line ends);
    comments (``:``) and unknown event names are skipped. Stops after the ``end`` event."""
    fields: dict[str, str] = {}
    data: list[str] = []
    for line in lines:
        if line:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field in ("event", "id"):
                fields[field] = value
            continue
        event = _event(fields.get("event", ""), data, fields.get("id", ""))
        fields, data = {}, []
        if event is not None:
            yield event
            if event.status is not None:
                return
    event = _event(fields.get("event", ""), data, fields.get("id", ""))
    if event is not None:
        yield event
