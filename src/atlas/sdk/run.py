"""``Run``: the job this process tracks, and which run a tracking call goes to.

A run records into one job: metrics go to its buffer, everything else is queued for its
sender thread, in order. The run a call goes to is the one set in the current context
(``contextvars``: ``with atlas.init(...)`` in a thread or a task) or else the process's default
run (the first one started, seen from every thread).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, SupportsFloat, SupportsIndex

from atlas.errors import AtlasError, ConflictError
from atlas.names import check_key
from atlas.sdk.buffer import metric_step, metric_value

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

    from atlas.domain import JobError, JobStatus, ParamValue
    from atlas.sdk.capture import LogSink, OutputCapture
    from atlas.sdk.client import Client
    from atlas.sdk.media import MediaLog
    from atlas.sdk.records import CreateJob
    from atlas.sdk.sender import Sender
    from atlas.settings import Settings

__all__ = ["Run", "active_run", "open_runs"]

current: ContextVar[Run | None] = ContextVar("atlas_run", default=None)
"""The run of the current context, set by ``init``."""


class _Process:
    """The process's default run and every run still open."""

    default: Run | None = None
    open: list[Run] = []
    lock = threading.RLock()


def active_run() -> Run | None:
    """The run tracking calls go to now, or None (nothing is started here)."""
    run = current.get()
    if run is not None and not run.finished:
        return run
    run = _Process.default
    return run if run is not None and not run.finished else None


def open_runs() -> list[Run]:
    """Runs started in this process and not finished yet, oldest first."""
    with _Process.lock:
        return list(_Process.open)


class Run:
    """A job tracked by this process. Get one from ``atlas.init()`` (or
    ``atlas.current_job()``); its methods are those of the ``atlas`` module, bound to it.

    ``attached`` runs belong to a job this process did not create (``ATLAS_JOB_ID``): they
    add data but do not capture the console, and report the job's end only when it is a
    tracked script's (``local``: a script resuming a job); a scheduled job's end is its
    executor's. Every run but a forked child's sends heartbeats (docs/sdk.md, "Liveness").
    """

    def __init__(
        self,
        *,
        job_id: str,
        project: str,
        name: str,
        settings: Settings,
        client: Client | None,
        attached: bool,
        creation: CreateJob | None,
    ) -> None:
        self.id = job_id
        self.project = project
        self.name = name
        self.attached = attached
        self.finished = False
        self.thread = threading.get_ident()  # the thread that started it
        self._settings = settings
        self._params: dict[str, ParamValue] = {}
        self._capture: OutputCapture | None = None
        self._media: MediaLog | None = None
        self._sender = self._new_sender(client, creation)
        self._buffer = self._sender.buffer
        _watch_forks()
        with _Process.lock:
            _Process.open.append(self)
            if _Process.default is None or _Process.default.finished:
                _Process.default = self

    def _new_sender(
        self,
        client: Client | None,
        creation: CreateJob | None,
        spool_name: str | None = None,
        hold: bool = False,
        heartbeats: bool = True,
    ) -> Sender:
        from atlas.sdk.environment import describe
        from atlas.sdk.sender import Sender

        sender = Sender(
            self.id,
            self._settings,
            client_factory=(lambda: client)
            if client is not None
            else _client_factory(self._settings),
            owns_client=client is None,
            creation=creation,
            describe=describe,
            spool_name=spool_name,
            hold=hold,
            heartbeats=heartbeats,
        )
        sender.start()
        return sender

    def _continue_in_child(self) -> None:
        """After ``fork``, in the child: keep recording into the same job with a sender and a
        spool file of the child's own (the parent's thread does not exist here, and its
        connections and locks must not be shared). The child neither captures the console
        nor ends the job: the parent does. When the parent's spool holds records (perhaps the
        job's creation), the child spools everything too; the parent uploads it at exit."""
        if self._capture is not None:
            self._capture.uninstall()
            self._capture = None
        self.attached = True
        hold = self._sender.holding
        name = f"{self.id}-{os.getpid()}"
        self._sender = self._new_sender(None, None, spool_name=name, hold=hold, heartbeats=False)
        self._buffer = self._sender.buffer

    def __repr__(self) -> str:
        state = "finished" if self.finished else "running"
        return f"<atlas.Run {self.id} project={self.project!r} name={self.name!r} {state}>"

    # -- tracking --------------------------------------------------------------------------
    def log_metric(self, key: str, value: SupportsFloat, step: SupportsIndex | None = None) -> None:
        """Record ``value`` of metric ``key`` at ``step`` (default: the key's previous step
        + 1, 0 first). ``TypeError`` naming the key for a value that is not a number."""
        if type(value) is not float:
            value = metric_value(key, value)
        if step is not None and type(step) is not int:
            step = metric_step(key, step)
        self._buffer.append(key, value, step)

    def log_metrics(
        self, metrics: Mapping[str, SupportsFloat], step: SupportsIndex | None = None
    ) -> None:
        """Record several metrics at one ``step`` (all or none are recorded)."""
        if not isinstance(metrics, Mapping):
            raise TypeError(f"log_metrics takes a dict of metrics, not {type(metrics).__name__}")
        at = None if step is None else metric_step(next(iter(metrics), "?"), step)
        points = [(key, metric_value(key, value), at) for key, value in metrics.items()]
        self._buffer.extend(points)

    def log_param(self, key: str, value: object) -> None:
        """Record one param (a mapping value is flattened: see ``log_params``)."""
        self.log_params({check_key(key, "param", type_error=True): value})

    def log_params(self, params: Mapping[str, object]) -> None:
        """Record params; nested dicts are flattened with ``.`` (``{"a": {"b": 1}}`` is
        ``a.b = 1``), values must be JSON (numpy scalars are converted)."""
        from atlas.sdk.params import flatten_params
        from atlas.sdk.records import SetParams

        flat = flatten_params(params)
        if flat:
            self._check_open("log params")
            self._params.update(flat)
            self._sender.submit(SetParams(flat))

    def set_tag(self, key: str, value: str = "") -> None:
        """Set the tag ``key`` (a label with no value when ``value`` is empty)."""
        from atlas.sdk.params import tag_value

        self.set_tags({check_key(key, "tag", type_error=True): tag_value(key, value)})

    def set_tags(self, tags: Mapping[str, object] | list[str]) -> None:
        """Set several tags: a dict of values, or a list of names (each with value ``""``)."""
        from atlas.sdk.params import normalize_tags
        from atlas.sdk.records import SetTags

        normalized = normalize_tags(tags)
        if normalized:
            self._check_open("set tags")
            self._sender.submit(SetTags(normalized))

    def save_artifact(
        self, path: str | Path, key: str | None = None, *, step: int | None = None
    ) -> list[str]:
        """Store a file, or every file under a folder, as artifacts of the job; waits until
        they are stored (or spooled when the server is unreachable). ``key`` is the
        artifact path (default: the file's or folder's name); a folder's files are stored
        under ``key/``. Returns the artifact paths."""
        from pathlib import Path

        from atlas.sdk.artifacts import artifact_uploads
        from atlas.sdk.sender import Ticket

        self._check_open("save artifacts")
        uploads = artifact_uploads(Path(path), key, step)
        tickets = []
        for upload in uploads:
            ticket = Ticket()
            self._sender.submit(upload, ticket)
            tickets.append(ticket)
        for ticket in tickets:
            while not ticket.wait(1.0):
                self._check_sender()
            if ticket.error is not None:
                raise ticket.error
        return [upload.path for upload in uploads]

    # -- media (docs/media.md) -------------------------------------------------------------
    def log_image(
        self, key: str, image: object, *, step: int | None = None, caption: str | None = None
    ) -> None:
        """Record an image (numpy array, torch or TF tensor, PIL image or file path) as a
        PNG at ``step`` (default: the key's previous step + 1); encoded and sent in the
        background."""
        self._media_log("log images").image(key, image, step, caption)

    def log_audio(
        self,
        key: str,
        samples_or_path: object,
        *,
        sample_rate: int | None = None,
        step: int | None = None,
        caption: str | None = None,
    ) -> None:
        """Record audio: samples (float -1..1 or int16, mono or channels last) as a WAV at
        ``sample_rate``, or an audio file by path as it is."""
        self._media_log("log audio").audio(key, samples_or_path, sample_rate, step, caption)

    def log_video(
        self,
        key: str,
        frames_or_path: object,
        *,
        fps: float | None = None,
        step: int | None = None,
        caption: str | None = None,
        format: str = "gif",
    ) -> None:
        """Record a video: ``T x H x W x C`` frames at ``fps`` as an animated GIF, an MP4 or
        a WebM (``format``), or a GIF, MP4 or WebM file by path as it is."""
        self._media_log("log videos").video(key, frames_or_path, fps, step, caption, format)

    def log_table(
        self,
        key: str,
        rows_or_dataframe: object,
        *,
        columns: Sequence[object] | None = None,
        step: int | None = None,
    ) -> None:
        """Record a table: a list of dicts, a list of lists with ``columns``, or a pandas
        DataFrame."""
        self._media_log("log tables").table(key, rows_or_dataframe, columns, step)

    def log_histogram(
        self, key: str, values: object, *, step: int | None = None, bins: int = 64
    ) -> None:
        """Record the histogram of ``values`` (``bins`` equal bins; only edges and counts
        are stored)."""
        self._media_log("log histograms").histogram(key, values, step, bins)

    def _media_log(self, what: str) -> MediaLog:
        self._check_open(what)
        media = self._media
        if media is None or media.sender is not self._sender:  # a forked child's sender
            from atlas.sdk.media import MediaLog

            media = self._media = MediaLog(self._sender)
        return media

    def params(self) -> dict[str, ParamValue]:
        """The params this process recorded for the job (flat)."""
        return dict(self._params)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything recorded so far is sent; True when the server has it all
        (False on timeout, or when the server is unreachable and some of it is spooled)."""
        return self._sender.flush(timeout)

    # -- life cycle ------------------------------------------------------------------------
    def finish(self) -> bool:
        """End the job as completed (an attached job is only flushed); see :meth:`end`."""
        from atlas.domain import JobStatus

        return self.end(JobStatus.COMPLETED, 0)

    def end(
        self, status: JobStatus, exit_code: int | None = None, error: JobError | None = None
    ) -> bool:
        """Send everything, then the final status (for an attached job only when it is a
        tracked script's), stamped with this machine's clock, waiting at most about the
        ``timeout`` setting for the server; what it cannot take is spooled.
        True when the server has everything; False when some of it is spooled, or when the
        server refused some of it (logged as an error naming the job and what was lost).
        Ending a finished run does nothing (True)."""
        from atlas.sdk.records import UpdateJob

        with _Process.lock:
            if self.finished:
                return True
            self.finished = True
            if self in _Process.open:
                _Process.open.remove(self)
            if _Process.default is self:
                _Process.default = None
        if self._capture is not None:
            self._capture.uninstall()
        final = None
        if not self.attached or self._reports_end():
            # The server keeps an end no earlier than the job's start (a clock stepped back).
            final = UpdateJob(status=status, exit_code=exit_code, error=error, at=time.time())
        stored = self._sender.close(final, self._settings.timeout)
        if current.get() is self:
            current.set(None)
        return stored

    def capture_output(self) -> None:
        """Copy the console into the job log from now until the run ends: what this run's
        context prints (and, for the process's main run, what threads without a run of
        their own print); see ``atlas.sdk.capture``."""
        from atlas.sdk.capture import OutputCapture

        if self._capture is None:
            self._capture = OutputCapture(self._sender.log_sink, _console_sink)
            self._capture.install()

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None or exc is None:
            self.finish()
            return
        from atlas.sdk.exits import exception_outcome

        ending = exception_outcome(exc_type, exc, tb)
        self.end(ending.status, ending.exit_code, ending.error)

    def _reports_end(self) -> bool:
        """Whether this attached run ends its job: a tracked script's job (as the first
        heartbeat answered), not a scheduled one (its executor records the end)."""
        from atlas.domain import JobKind

        self._sender.wait_ready(self._settings.timeout)
        return self._sender.kind_of_job() == JobKind.LOCAL

    def _check_open(self, what: str) -> None:
        if self.finished:
            raise ConflictError(f"cannot {what}: job {self.id} has ended")

    def _check_sender(self) -> None:
        if not self._sender.alive:
            raise AtlasError(f"job {self.id}: the sender stopped before the artifacts were saved")


class _Forks:
    watched = False


def _watch_forks() -> None:
    """Once: make forked children (multiprocessing workers) keep recording (see
    ``Run._continue_in_child``)."""
    if not _Forks.watched and hasattr(os, "register_at_fork"):
        _Forks.watched = True
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def _before_fork() -> None:
    # A sender thread may be importing and building its HTTP client right now: let it
    # finish, or the child would find those modules half initialised.
    for run in list(_Process.open):
        run._sender.wait_ready(run._settings.timeout)


def _after_fork_in_child() -> None:
    _Process.lock = threading.RLock()  # another thread may have held it at the fork
    if any(run._capture is not None for run in _Process.open):
        from atlas.sdk.capture import forget_after_fork

        forget_after_fork()
    for run in _Process.open:
        run._continue_in_child()


def _console_sink() -> LogSink | None:
    """Where console output written now goes: the log of the run of the writing context,
    else of the process's main run; nowhere when that run does not capture."""
    run = active_run()
    capture = run._capture if run is not None else None
    return capture.sink if capture is not None else None


def _client_factory(settings: Settings) -> Callable[[], Client]:
    def make() -> Client:
        from atlas.sdk.client import Client

        return Client(settings.url, settings.token or "", timeout=settings.timeout)

    return make
