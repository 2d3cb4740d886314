"""``Client``: a typed client of the Atlas REST API (docs/rest-api.md).

Every method answers plain data (``atlas.domain`` dataclasses) and raises the same
``AtlasError`` subclass the server raised, found from the error body's ``code``. A server that
does not answer (refused connection, timeout) or answers 5xx raises
``ServerUnavailableError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from atlas.domain import (
    Artifact,
    Heartbeat,
    Job,
    JobError,
    JobKind,
    JobStatus,
    MediaKey,
    MetricSummary,
    Note,
    Page,
    ParamValue,
    Project,
    Series,
)
from atlas.errors import NotFoundError
from atlas.names import MAX_VERSIONS_LISTED, check_artifact_path
from atlas.sdk import wire
from atlas.sdk.account_routes import AccountRoutes
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.configuration import configured_client, sdk_settings
from atlas.sdk.connection import Connection, artifact_url, file_chunks, segment, slashed
from atlas.sdk.lean_httpx import httpx
from atlas.sdk.notification_routes import NotificationRoutes
from atlas.sdk.schedule_routes import ScheduleRoutes
from atlas.sdk.scheduling import LogEvent, SchedulerState, log_events, parse_scheduler_state
from atlas.sdk.sweep_routes import SweepRoutes
from atlas.sdk.tensorboard import TensorBoardInfo, parse_tensorboard
from atlas.sdk.wire import BatchResult, Description, LogChunk, ProjectKeys

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Client", "sdk_client"]


class Client(AccountRoutes, SweepRoutes, ScheduleRoutes, NotificationRoutes):
    """A client of one Atlas server (its users, tokens, members and audit trail: the
    methods of ``AccountRoutes``; its sweeps: those of ``SweepRoutes``; its recurring
    jobs: those of ``ScheduleRoutes``; notification rules and their delivery log: those of
    ``NotificationRoutes``).

    ``url``, ``token`` and ``timeout`` (seconds) default to the SDK's settings
    (``atlas.sdk.configuration``: what ``atlas.configure`` set, else the ``url``, ``token``
    and ``timeout`` settings, i.e. ``ATLAS_URL``, ``ATLAS_TOKEN``...). ``http`` is an
    ``httpx.Client`` to send requests with (a ``fastapi.testclient.TestClient`` in tests):
    its ``base_url`` is used and it is not closed by :meth:`close`. The token is sent as
    ``Authorization: Bearer <token>``. A client is safe to share between threads.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float | None = None,
    ) -> None:
        self._connection = Connection(url, token, http=http, timeout=timeout)
        self._send = self._connection.send
        self._json = self._connection.json

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._connection.url

    def close(self) -> None:
        """Close the connections this client opened (not an ``http`` client given to it)."""
        self._connection.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- server ----------------------------------------------------------------------------
    def health(self) -> dict[str, object]:
        """``GET /healthz``: ``{"status": "ok", "version": ...}``."""
        answer = self._json("GET", "/healthz", prefix="")
        return dict(answer) if isinstance(answer, dict) else {}

    # -- projects --------------------------------------------------------------------------
    def list_projects(self) -> list[Project]:
        """Every project, most recently active first."""
        return [wire.parse_project(p) for p in wire.items_of(self._json("GET", "/projects"))]

    def get_project(self, name: str) -> Project:
        """The project ``name`` with its job counts; ``NotFoundError`` when unknown."""
        return wire.parse_project(self._json("GET", f"/projects/{segment(name)}"))

    def create_project(self, name: str, *, description: str = "") -> Project:
        """Create a project; ``ConflictError`` when the name is taken."""
        body = {"name": name, "description": description}
        return wire.parse_project(self._json("POST", "/projects", body=body))

    def rename_project(self, name: str, new_name: str) -> Project:
        """Rename a project; ``ConflictError`` when ``new_name`` is taken."""
        answer = self._json("PATCH", f"/projects/{segment(name)}", body={"name": new_name})
        return wire.parse_project(answer)

    def delete_project(self, name: str) -> None:
        """Delete the project, its jobs and their files."""
        self._send("DELETE", f"/projects/{segment(name)}")

    def get_description(self, project: str) -> Description:
        """The project's markdown description and its sanitised HTML."""
        answer = self._json("GET", f"/projects/{segment(project)}/description")
        return _description(answer)

    def set_description(self, project: str, markdown: str) -> Description:
        """Replace the project's markdown description."""
        path = f"/projects/{segment(project)}/description"
        return _description(self._json("PUT", path, body={"markdown": markdown}))

    def add_note(self, project: str, text: str, *, author: str | None = None) -> Note:
        """Add a dated note to the project (``author`` defaults to the server's choice)."""
        body: dict[str, str] = {"text": text}
        if author is not None:
            body["author"] = author
        answer = self._json("POST", f"/projects/{segment(project)}/notes", body=body)
        return wire.parse_note(answer, project)

    def list_notes(self, project: str) -> list[Note]:
        """The project's notes, newest first."""
        answer = self._json("GET", f"/projects/{segment(project)}/notes")
        return [wire.parse_note(n, project) for n in wire.items_of(answer)]

    def get_keys(self, project: str) -> ProjectKeys:
        """Every param, metric and tag key the project's jobs use."""
        answer = self._json("GET", f"/projects/{segment(project)}/keys")
        body = answer if isinstance(answer, dict) else {}
        return ProjectKeys(
            params=wire.string_list(body.get("params", [])),
            metrics=wire.string_list(body.get("metrics", [])),
            tags=wire.string_list(body.get("tags", [])),
        )

    # -- jobs ------------------------------------------------------------------------------
    def create_job(
        self,
        project: str,
        *,
        name: str | None = None,
        user: str | None = None,
        kind: JobKind | None = None,
        command: str | None = None,
        params: Mapping[str, ParamValue] | None = None,
        tags: Mapping[str, str] | None = None,
        git: Mapping[str, object] | None = None,
        environment: Mapping[str, object] | None = None,
        job_id: str | None = None,
        started_at: datetime | None = None,
    ) -> Job:
        """Create a job in ``project`` (created when missing). A local job starts running,
        at ``started_at`` when given (the client's clock: a spool replayed later), else
        now. ``job_id`` keeps an id made by the client (``atlas.domain.new_job_id()``);
        ``ConflictError`` when a job with that id exists. Omitted fields take the server's
        defaults."""
        fields: dict[str, object] = {
            "project": project,
            "name": name,
            "user": user,
            "kind": None if kind is None else str(kind),
            "command": command,
            "params": None if params is None else dict(params),
            "tags": None if tags is None else dict(tags),
            "git": None if git is None else dict(git),
            "environment": None if environment is None else dict(environment),
            "id": job_id,
            "started_at": None if started_at is None else started_at.isoformat(),
        }
        body = {key: value for key, value in fields.items() if value is not None}
        return wire.parse_job(self._json("POST", "/jobs", body=body))

    def get_job(self, job_id: str) -> Job:
        """The job with its params, tags and metric summaries; ``NotFoundError`` when
        unknown."""
        return wire.parse_job(self._json("GET", f"/jobs/{segment(job_id)}"))

    def list_jobs(
        self,
        project: str,
        *,
        filter: str = "",
        sort: str | Sequence[str] = "-created_at",
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Job]:
        """One page of the project's jobs. ``filter`` is a query expression
        (``params.lr < 0.01 and tags.stage = "prod"``), ``sort`` a field or a list of fields
        with ``-`` for descending; ``limit`` 1-1000. ``QuerySyntaxError`` for a bad filter."""
        query: dict[str, str | int] = {"limit": limit, "offset": offset}
        if filter:
            query["filter"] = filter
        sort_text = sort if isinstance(sort, str) else ",".join(sort)
        if sort_text:
            query["sort"] = sort_text
        answer = self._json("GET", f"/projects/{segment(project)}/jobs", params=query)
        body = answer if isinstance(answer, dict) else {}
        items = [wire.parse_job(job) for job in wire.items_of(answer)]
        return Page(
            items=items,
            total=int(body.get("total", len(items))),
            limit=int(body.get("limit", limit)),
            offset=int(body.get("offset", offset)),
        )

    def iter_jobs(
        self,
        project: str,
        *,
        filter: str = "",
        sort: str | Sequence[str] = "created_at",
        page_size: int = 500,
    ) -> Iterator[Job]:
        """Every job of the project that matches ``filter``, fetched page by page (oldest
        first by default, so jobs created meanwhile come at the end)."""
        offset = 0
        seen: set[str] = set()
        while True:
            page = self.list_jobs(project, filter=filter, sort=sort, limit=page_size, offset=offset)
            for job in page.items:
                if job.id not in seen:
                    seen.add(job.id)
                    yield job
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

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
        """Rename a job or change its status (``InvalidTransitionError`` when the status
        table forbids it), recording its exit code and error; ``at`` is when the status
        changed by the client's clock (default: when the server hears of it). A scheduled
        job's status is the scheduler's: ``SchedulerOwnsStatusError``."""
        body: dict[str, object] = {}
        if name is not None:
            body["name"] = name
        if status is not None:
            body["status"] = str(status)
        if exit_code is not None:
            body["exit_code"] = exit_code
        if error is not None:
            body["error"] = {
                "type": error.type,
                "message": error.message,
                "traceback": error.traceback,
            }
        if at is not None:
            body["at"] = at.isoformat()
        return wire.parse_job(self._json("PATCH", f"/jobs/{segment(job_id)}", body=body))

    def heartbeat(self, job_id: str) -> Heartbeat:
        """Tell the server the job's process is alive (the SDK's sender does it every
        ``heartbeat_interval`` seconds); a ``local`` job marked lost runs again. Answers
        the job's status and kind."""
        answer = self._json("POST", f"/jobs/{segment(job_id)}/heartbeat")
        body = answer if isinstance(answer, dict) else {}
        return Heartbeat(JobStatus(str(body.get("status"))), JobKind(str(body.get("kind"))))

    def delete_job(self, job_id: str) -> None:
        """Delete the job, its rows and its files."""
        self._send("DELETE", f"/jobs/{segment(job_id)}")

    # -- params and tags -------------------------------------------------------------------
    def set_params(self, job_id: str, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Merge flat ``params`` into the job's params; answer all of them."""
        answer = self._json("PUT", f"/jobs/{segment(job_id)}/params", body={"params": params})
        return dict(wire.mapping_of(answer, "params"))  # type: ignore[arg-type]

    def delete_param(self, job_id: str, key: str) -> None:
        """Remove one param; ``NotFoundError`` when the job has no such param."""
        self._send("DELETE", f"/jobs/{segment(job_id)}/params/{slashed(key)}")

    def set_tags(self, job_id: str, tags: Mapping[str, str]) -> dict[str, str]:
        """Merge ``tags`` into the job's tags; answer all of them."""
        answer = self._json("PUT", f"/jobs/{segment(job_id)}/tags", body={"tags": tags})
        return {key: str(value) for key, value in wire.mapping_of(answer, "tags").items()}

    def delete_tag(self, job_id: str, key: str) -> None:
        """Remove one tag; ``NotFoundError`` when the job has no such tag."""
        self._send("DELETE", f"/jobs/{segment(job_id)}/tags/{slashed(key)}")

    # -- metrics ---------------------------------------------------------------------------
    def send_metrics(
        self, job_id: str, columns: Sequence[MetricColumns], *, batch_id: str
    ) -> BatchResult:
        """Store a columnar batch of points (base64-encoded). A ``batch_id`` the server has
        stored before for this job stores nothing and answers ``duplicate=True``, so a
        retry never duplicates points."""
        body = wire.metric_batch_body(batch_id, columns)
        answer = self._json(
            "POST",
            f"/jobs/{segment(job_id)}/metrics",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        data = answer if isinstance(answer, dict) else {}
        return BatchResult(stored=int(data.get("stored", 0)), duplicate=bool(data.get("duplicate")))

    def list_metrics(self, job_id: str) -> list[MetricSummary]:
        """The job's metric summaries (last, min, max, count, last step), one per key."""
        answer = self._json("GET", f"/jobs/{segment(job_id)}/metrics")
        return [wire.parse_summary(item) for item in wire.items_of(answer)]

    def get_metric(
        self,
        job_id: str,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> Series:
        """The points of one metric in step order within the inclusive step range. With
        ``max_points`` (2-100,000) the server downsamples, keeping each bucket's first,
        min, max and last points."""
        query = {
            name: value
            for name, value in (
                ("min_step", min_step),
                ("max_step", max_step),
                ("max_points", max_points),
            )
            if value is not None
        }
        path = f"/jobs/{segment(job_id)}/metrics/{slashed(key)}"
        return wire.parse_series(self._json("GET", path, params=query))

    def get_metrics_for_all_jobs(self, project: str) -> pd.DataFrame | list[dict[str, object]]:
        """One row per job of ``project`` (id, name, status, user, times, then a column
        per param, per metric's last value and per tag): a pandas DataFrame when pandas is
        installed, else a list of dicts. See docs/sdk.md for the column names."""
        from atlas.sdk.table import jobs_table

        return jobs_table(list(self.iter_jobs(project)))

    # -- artifacts -------------------------------------------------------------------------
    def upload_artifact(
        self,
        job_id: str,
        path: str,
        source: str | os.PathLike[str] | bytes,
        *,
        step: int | None = None,
        caption: str | None = None,
    ) -> Artifact:
        """Store ``source`` (a file to stream, or bytes) as the job's artifact ``path``
        (relative, ``/``-separated). An existing artifact at ``path`` is replaced; with a
        ``step``, the version of that step is kept too (docs/media.md)."""
        headers = {"Content-Type": "application/octet-stream"}
        content: bytes | Iterator[bytes]
        if isinstance(source, bytes):
            content = source
        else:
            file = Path(source)
            headers["Content-Length"] = str(file.stat().st_size)
            content = file_chunks(file)
        query: dict[str, str | int] = {} if step is None else {"step": step}
        if caption is not None:
            query["caption"] = caption
        url = artifact_url(job_id, path)
        answer = self._json("PUT", url, content=content, headers=headers, params=query)
        return wire.parse_artifact(answer, job_id)

    def append_artifact(self, job_id: str, path: str, data: bytes, *, offset: int) -> Artifact:
        """Append ``data`` to the job's artifact ``path`` (created by an append at offset
        0). ``offset`` is the size the artifact has: ``ConflictError`` when it has another
        (``detail["size"]`` says which), as for an append sent twice."""
        headers = {"Content-Type": "application/octet-stream"}
        url = artifact_url(job_id, path)
        answer = self._json("POST", url, content=data, headers=headers, params={"offset": offset})
        return wire.parse_artifact(answer, job_id)

    def list_artifacts(self, job_id: str) -> list[Artifact]:
        """The job's artifacts, by path."""
        answer = self._json("GET", f"/jobs/{segment(job_id)}/artifacts")
        return [wire.parse_artifact(item, job_id) for item in wire.items_of(answer)]

    def read_artifact(
        self,
        job_id: str,
        path: str,
        *,
        start: int | None = None,
        end: int | None = None,
        step: int | None = None,
    ) -> bytes:
        """The artifact's bytes (the latest save, or with ``step`` the version saved at that
        step); with ``start``/``end`` only the inclusive byte range
        (``RangeNotSatisfiableError`` outside the file)."""
        headers = {}
        if start is not None or end is not None:
            headers["Range"] = f"bytes={start or 0}-{'' if end is None else end}"
        url = artifact_url(job_id, path)
        query = {} if step is None else {"step": step}
        return self._send("GET", url, headers=headers, params=query).content

    def list_artifact_versions(self, job_id: str, path: str) -> list[Artifact]:
        """Every version of the artifact ``path`` (one per step it was saved at), by step."""
        url = f"/jobs/{segment(job_id)}/versions/{slashed(check_artifact_path(path))}"
        answer = self._json("GET", url, params={"limit": MAX_VERSIONS_LISTED})
        return [wire.parse_artifact(item, job_id) for item in wire.items_of(answer)]

    def list_media(self, job_id: str) -> list[MediaKey]:
        """The job's media keys (``atlas.log_image`` and the like) with every step kept."""
        answer = self._json("GET", f"/jobs/{segment(job_id)}/media")
        return [wire.parse_media_key(item, job_id) for item in wire.items_of(answer)]

    def download_artifact(
        self, job_id: str, path: str, destination: str | os.PathLike[str]
    ) -> Path:
        """Stream the artifact into the file ``destination`` (written whole or not at
        all) and return its path."""
        return self._connection.download(artifact_url(job_id, path), Path(destination))

    # -- TensorBoard -----------------------------------------------------------------------
    def open_tensorboard(self, job_ids: Sequence[str]) -> TensorBoardInfo:
        """The TensorBoard the server runs over exactly these jobs (started when none runs;
        this waits until it answers, a few seconds: give the client a timeout to match).
        Open ``self.url + info.path`` in a browser. ``MissingExtraError`` when the server
        lacks the ``tensorboard`` package, ``AtCapacityError`` when all its slots are busy."""
        answer = self._json("POST", "/tensorboards", body={"jobs": list(job_ids)})
        return parse_tensorboard(answer)

    def list_tensorboards(self) -> list[TensorBoardInfo]:
        """The TensorBoards the server runs over jobs this caller may all read."""
        answer = self._json("GET", "/tensorboards")
        return [parse_tensorboard(item) for item in wire.items_of(answer)]

    def stop_tensorboard(self, tensorboard_id: str) -> None:
        """Stop a TensorBoard (it is shared: anyone who may open it may stop it)."""
        self._connection.send("DELETE", f"/tensorboards/{segment(tensorboard_id)}")

    # -- logs ------------------------------------------------------------------------------
    def append_log(self, job_id: str, data: bytes | str) -> int:
        """Append to the job's log; answer the log's size in bytes afterwards."""
        content = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
        headers = {"Content-Type": "application/octet-stream"}
        body = self._json("POST", f"/jobs/{segment(job_id)}/log", content=content, headers=headers)
        return int(body.get("size", 0)) if isinstance(body, dict) else 0

    def read_log(self, job_id: str, *, offset: int = 0, limit: int | None = None) -> LogChunk:
        """The job's log bytes from ``offset`` (at most ``limit`` of them) and the log's
        whole size, so a reader can poll from ``offset + len(data)``."""
        query: dict[str, str | int] = {"offset": offset}
        if limit is not None:
            query["limit"] = limit
        response = self._send("GET", f"/jobs/{segment(job_id)}/log", params=query)
        size = response.headers.get("X-Atlas-Log-Size")
        data = response.content
        return LogChunk(data=data, size=int(size) if size else offset + len(data))

    # -- submissions and the scheduler (docs/rest-api.md, "Scheduled jobs") ----------------
    def has_snapshot(self, sha256: str) -> bool:
        """Whether the server holds the code snapshot ``sha256`` (``HEAD``)."""
        try:
            self._send("HEAD", f"/snapshots/{segment(sha256)}")
        except NotFoundError:
            return False
        return True

    def upload_snapshot(self, sha256: str, source: str | os.PathLike[str] | bytes) -> None:
        """Store a code snapshot (a ``.tar.gz`` file, streamed, or bytes) under its sha256;
        a second upload of the same snapshot changes nothing. ``InvalidInputError`` when the
        bytes do not hash to ``sha256``, ``PayloadTooLargeError`` above the server's
        ``max_snapshot_mb``."""
        headers = {"Content-Type": "application/gzip"}
        content: bytes | Iterator[bytes]
        if isinstance(source, bytes):
            content = source
        else:
            file = Path(source)
            headers["Content-Length"] = str(file.stat().st_size)
            content = file_chunks(file)
        self._send("PUT", f"/snapshots/{segment(sha256)}", content=content, headers=headers)

    def download_snapshot(self, job_id: str, destination: str | os.PathLike[str]) -> Path:
        """Stream the job's code snapshot (``.tar.gz``) into the file ``destination``;
        ``NotFoundError`` for a job submitted without one."""
        return self._connection.download(f"/jobs/{segment(job_id)}/snapshot", Path(destination))

    def submit_job(self, submission: Mapping[str, object]) -> Job:
        """``POST /submissions``: queue a job (``submission`` is the request body of
        docs/rest-api.md). ``ResourceUnavailableError`` when it can never fit the machine."""
        return wire.parse_job(self._json("POST", "/submissions", body=dict(submission)))

    def cancel_job(self, job_id: str) -> Job:
        """Cancel a job: a queued one at once, a running one by SIGTERM to its process group
        (SIGKILL after the grace period); answers the job as it is now."""
        return wire.parse_job(self._json("POST", f"/jobs/{segment(job_id)}/cancel"))

    def rerun_job(self, job_id: str, *, params: Mapping[str, ParamValue] | None = None) -> Job:
        """Queue a new job with the snapshot, command and resources of ``job_id`` and its
        params with ``params`` merged over them."""
        body = {} if params is None else {"params": dict(params)}
        return wire.parse_job(self._json("POST", f"/jobs/{segment(job_id)}/rerun", body=body))

    def set_priority(self, job_id: str, priority: int) -> Job:
        """Change a job's priority (a queued job moves in the queue)."""
        body = {"priority": priority}
        return wire.parse_job(self._json("PATCH", f"/jobs/{segment(job_id)}", body=body))

    def get_scheduler(self, *, limit: int = 100) -> SchedulerState:
        """The machine's resources, the first ``limit`` queued jobs in dispatch order (0 to
        10,000) and the running jobs."""
        answer = self._json("GET", "/scheduler", params={"limit": limit})
        return parse_scheduler_state(answer)

    def clear_queue(self, project: str | None = None) -> list[str]:
        """Cancel every queued job (of ``project`` only, when given); answer their ids."""
        query = {} if project is None else {"project": project}
        answer = self._json("DELETE", "/queue", params=query)
        body = answer if isinstance(answer, dict) else {}
        return wire.string_list(body.get("cancelled", []))

    def stream_log(self, job_id: str, *, offset: int = 0) -> Iterator[LogEvent]:
        """The job's log from byte ``offset`` as it grows, ending with an event that carries
        the job's final status (server-sent events; no read timeout)."""
        path = f"/jobs/{segment(job_id)}/log/stream"
        with self._connection.stream(path, params={"offset": offset}) as response:
            yield from log_events(response.iter_lines())


@contextmanager
def sdk_client() -> Iterator[Client]:
    """The client ``atlas.configure`` set, or a new one made from the SDK's settings
    (``atlas.sdk.configuration``; closed after the ``with`` block)."""
    configured = configured_client()
    if isinstance(configured, Client):
        yield configured
        return
    settings = sdk_settings()
    with Client(settings.url, settings.token or "", timeout=settings.timeout) as client:
        yield client


def _description(answer: object) -> Description:
    body = answer if isinstance(answer, dict) else {}
    return Description(markdown=str(body.get("markdown", "")), html=str(body.get("html", "")))
