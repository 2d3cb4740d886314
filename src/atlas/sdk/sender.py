"""The background sender of one run: a daemon thread that ships records to the server.

Every ``flush_interval`` seconds, or as soon as ``batch_points`` points are buffered, the
thread sends, in order: the records queued by the run (job creation, params, tags,
artifacts), the buffered metric points as columnar batches of at most ``batch_points``, and
the captured console text. A send that fails because the server is unreachable (or answers
5xx) is retried with exponential backoff; if it still fails, that record and every later
one go to the spool, which the thread keeps trying to replay (backing off) until the server
takes it; the first time, one warning on stderr says where the data went and how it will
reach the server. A 4xx answer is never retried: the record is dropped (a metric batch
first sends each key alone, so only the refused keys' points are lost), an error naming the
job and what was lost is logged, the next ``flush()`` answers False, ``close()`` answers
False and the job gets the tag ``atlas.refused`` saying what was lost. At close, everything
is sent or spooled within a bounded wait.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING, Protocol

from atlas.domain import SCHEDULER_KINDS, JobKind
from atlas.errors import AtlasError, PayloadTooLargeError, ServerUnavailableError
from atlas.names import MAX_TAG_VALUE_LENGTH
from atlas.sdk.buffer import MetricBuffer, MetricColumns
from atlas.sdk.capture import LogSink
from atlas.sdk.records import (
    CreateJob,
    LazyBytes,
    LogAppend,
    MediaUpload,
    MetricBatch,
    Record,
    SetTags,
)
from atlas.sdk.spool import SpoolWriter, SyncReport, replay, upload_file

if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.settings import Settings

__all__ = ["Receipt", "Sender", "Ticket"]

logger = logging.getLogger(__name__)

_RETRY_DELAYS = (0.1, 0.3, 0.9)
REFUSED_TAG = "atlas.refused"
"""The tag that tells, on the job itself, what the server refused from this process."""
_WHAT = {
    "create_job": "the job's creation",
    "params": "params",
    "tags": "tags",
    "log": "console output",
    "artifact": "an artifact",
    "media": "a media file",
    "update_job": "a status change",
}
_MAX_LOG_CHUNK = 8 << 20


class Receipt(Protocol):
    """What the thread tells when it is done with a queued record (sent, spooled or
    refused): a ``Ticket`` to wait on, or a lighter receipt (a media call's, which only
    counts bytes)."""

    def finish(self, *, stored: bool, error: BaseException | None = None) -> None:
        """The record is done: ``stored`` on the server, or not (``error`` says why)."""


class Ticket:
    """Completion of one queued record, for a caller that waits for it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.error: BaseException | None = None
        self.stored = False

    def finish(self, *, stored: bool, error: BaseException | None = None) -> None:
        self.stored = stored
        self.error = error
        self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


class Sender:
    """Ships a run's records, metric buffer and console text to the server."""

    def __init__(
        self,
        job_id: str,
        settings: Settings,
        *,
        client_factory: Callable[[], Client],
        owns_client: bool,
        creation: CreateJob | None,
        describe: Callable[[CreateJob], CreateJob],
        spool_name: str | None = None,
        hold: bool = False,
        heartbeats: bool = True,
    ) -> None:
        self.job_id = job_id
        self.log_sink = LogSink()
        self.spool = SpoolWriter(settings.spool_path, job_id, name=spool_name)
        self.buffer = MetricBuffer(
            batch_points=settings.batch_points,
            capacity=settings.buffer_points,
            wake=self.wake,
            spill=self._spill,
        )
        self._settings = settings
        self._interval = max(0.001, settings.flush_interval)
        self._batch_points = max(1, settings.batch_points)
        self._client_factory = client_factory
        self._owns_client = owns_client
        self._describe = describe
        self._hold = hold  # spool everything: the job may not exist on the server yet
        self._creation = creation
        self._creation_lock = threading.Lock()
        self._queue: deque[tuple[Record | None, Receipt | None]] = deque()
        self._unencoded: deque[LazyBytes] = deque()  # media queued, not yet encoded
        self._wakeup = threading.Event()
        self._ready = threading.Event()
        self._closing = threading.Event()
        self._deadline = float("inf")
        self._final: Record | None = None
        self._batch_prefix = os.urandom(6).hex()
        self._batch_ids = count()
        self._log_offset = 0
        self._replayed = 0
        self._probe_delay = self._interval
        self._next_probe = 0.0
        self._refused: list[str] = []  # what the server refused, for flush(), close(), the tag
        self._refused_flushed = 0
        self._told_spooling = False
        self._client: Client | None = None
        # Liveness (docs/sdk.md): a heartbeat every heartbeat_interval seconds, the first at
        # once for a job this process did not create (its answer says whose the job is).
        self._heartbeats = heartbeats and settings.heartbeat_interval > 0
        self._beat_every = settings.heartbeat_interval
        self._next_beat = 0.0 if creation is None else time.monotonic() + self._beat_every
        self.job_kind: JobKind | None = None
        """The job's kind, as the last heartbeat answered (None before one was answered)."""
        self._thread = threading.Thread(target=self._loop, name=f"atlas-sender-{job_id}")
        self._thread.daemon = True

    # -- called by the run (any thread) ----------------------------------------------------
    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    @property
    def holding(self) -> bool:
        """Whether records wait in the spool (the server may not know the job yet)."""
        return self._hold or self.spool.pending

    @property
    def alive(self) -> bool:
        """Whether the thread runs."""
        return self._thread.is_alive()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the thread has its HTTP client (its imports are done) and has sent (or
        spooled) the job's creation."""
        return not self._thread.is_alive() or self._ready.wait(timeout)

    def kind_of_job(self) -> JobKind | None:
        """The job's kind, as a heartbeat answered it, else asked of the server now (no
        heartbeat may have gone: they can be off); ``None`` when the server cannot say."""
        if self.job_kind is None and self._client is not None:
            try:
                self.job_kind = self._client.get_job(self.job_id).kind
            except AtlasError as exc:
                logger.debug("job %s: its kind is unknown: %s", self.job_id, exc)
        return self.job_kind

    def wake(self) -> None:
        """Make the thread send now rather than at the next interval."""
        self._wakeup.set()

    def submit(self, record: Record, ticket: Receipt | None = None, *, wake: bool = True) -> None:
        """Queue ``record``; it is sent after everything queued before it: now, or without
        ``wake`` at the next interval (or sooner when something else wakes the thread)."""
        if isinstance(record, MediaUpload):
            self._unencoded.append(record.content)
        self._queue.append((record, ticket))
        if wake:
            self._wakeup.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Send everything logged so far; True when the server has all of it (False on
        timeout, when some of it could only be spooled, or when the server refused something
        since the previous flush)."""
        ticket = Ticket()
        self._queue.append((None, ticket))
        self._wakeup.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not ticket.wait(0.5 if deadline is None else min(0.5, deadline - time.monotonic())):
            if not self._thread.is_alive() or (
                deadline is not None and time.monotonic() >= deadline
            ):
                return False
        return ticket.stored

    def close(self, final: Record | None, timeout: float) -> bool:
        """Send everything, then ``final`` (the job's end), waiting at most about
        ``timeout`` seconds for the server before spooling the rest. True when the server
        has everything (False too when it refused something: see the module docstring)."""
        self._final = final
        self._deadline = time.monotonic() + timeout
        self._closing.set()
        self._wakeup.set()
        if self._thread.is_alive():
            self._thread.join(timeout + self._settings.timeout + 1.0)
        if self._thread.is_alive():
            logger.warning("job %s: the sender is stuck; spooling what is left", self.job_id)
        self._spool_leftovers()  # nothing when the thread sent everything
        self.spool.close()
        if self._refused:
            logger.error(
                "job %s ended without what the server refused: %s",
                self.job_id,
                "; ".join(self._refused),
            )
        return not self.spool.pending and not self._refused

    # -- the thread ------------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            try:
                self._client = self._client_factory()
                self._ship_creation()
                self._beat()
            finally:
                self._ready.set()
            while not self._closing.is_set():
                self._wakeup.wait(self._interval)
                self._wakeup.clear()
                self._cycle()
            self._cycle()
            if self._refused:
                self._ship(SetTags({REFUSED_TAG: _summary(self._refused)}))
            final, self._final = self._final, None
            if final is not None:
                self._ship(final)
            if not self.spool.pending and not self._hold:
                self._upload_forked_spools()
        except Exception:
            logger.exception("job %s: the sender failed; spooling what is left", self.job_id)
            self._spool_leftovers()
        finally:
            if self._owns_client and self._client is not None:
                self._client.close()

    def _cycle(self) -> None:
        if self._hold:
            pass
        elif self.spool.pending and (
            self._closing.is_set() or time.monotonic() >= self._next_probe
        ):
            self._drain_spool()
        while self._queue:
            self._encode_media()
            record, ticket = self._queue.popleft()
            if record is None:
                self._ship_buffers()
                refused, self._refused_flushed = self._refused_flushed, len(self._refused)
                if ticket is not None:
                    lost = len(self._refused) > refused
                    ticket.finish(stored=not self.spool.pending and not lost)
                continue
            self._ship(record, ticket)
        self._ship_buffers()
        if not self._closing.is_set():
            self._beat()

    def _encode_media(self) -> None:
        """Encode the media queued so far before the next upload: each file is then held
        encoded (usually smaller) and its pixels go back to the media call's pool at once,
        not after every upload ahead of it (a loop logging images faster than they upload
        would otherwise copy each into fresh memory, several times slower)."""
        while self._unencoded:
            self._unencoded.popleft().data()

    def _beat(self) -> None:
        """Send a heartbeat when one is due. Never spooled (only a live process has one to
        give), and skipped while records wait in the spool: the job may not exist yet, and
        once the spool is replayed the next heartbeat goes."""
        now = time.monotonic()
        if not self._heartbeats or self._hold or self.spool.pending or now < self._next_beat:
            return
        assert self._client is not None
        self._next_beat = now + self._beat_every
        try:
            self.job_kind = self._client.heartbeat(self.job_id).kind
        except (AtlasError, ValueError) as exc:  # unreachable, job deleted, odd answer
            logger.debug("job %s: heartbeat not delivered: %s", self.job_id, exc)
            return
        if self.job_kind in SCHEDULER_KINDS:
            self._heartbeats = False  # the scheduler's launcher watches this process

    def _ship_creation(self) -> None:
        """Create the job before anything else is sent (or spool the creation first)."""
        with self._creation_lock:
            creation, self._creation = self._creation, None
            if creation is not None:
                self._ship(self._describe(creation))

    def _ship_buffers(self) -> None:
        for batch in self._batches(self.buffer.take(close=self._closing.is_set())):
            self._ship(batch)
        data = self.log_sink.take()
        for start in range(0, len(data), _MAX_LOG_CHUNK):
            chunk = data[start : start + _MAX_LOG_CHUNK]
            self._ship(LogAppend(self._log_offset, chunk))
            self._log_offset += len(chunk)

    def _batches(self, columns: list[MetricColumns]) -> list[MetricBatch]:
        """``columns`` cut into batches of at most ``batch_points`` points."""
        batches: list[MetricBatch] = []
        current: list[MetricColumns] = []
        size = 0
        for c in columns:
            start = 0
            while start < len(c):
                take = min(self._batch_points - size, len(c) - start)
                current.append(c if take == len(c) else _slice(c, start, start + take))
                size += take
                start += take
                if size >= self._batch_points:
                    batches.append(self._batch(current))
                    current, size = [], 0
        if current:
            batches.append(self._batch(current))
        return batches

    def _batch(self, columns: list[MetricColumns]) -> MetricBatch:
        return MetricBatch(f"{self._batch_prefix}-{next(self._batch_ids)}", columns)

    def _ship(self, record: Record, ticket: Receipt | None = None) -> None:
        """Send ``record`` (retrying), or spool it when the server is unreachable or the
        spool already holds earlier records (order is kept)."""
        if self.spool.pending or self._hold:
            self._spool_record(record, ticket)
            return
        try:
            self._send_with_retries(record)
        except ServerUnavailableError as exc:
            self._tell_spooling(exc)
            self._next_probe = time.monotonic() + self._probe_delay
            self._spool_record(record, ticket)
        except PayloadTooLargeError as exc:
            if isinstance(record, MetricBatch) and record.points > 1:
                for half in record.halves():
                    self._ship(half)
            else:
                self._reject(record, exc, ticket)
        except AtlasError as exc:
            self._reject(record, exc, ticket)
        except Exception as exc:  # a bug, or an artifact file that vanished: never retried
            self._reject(record, exc, ticket)
        else:
            if ticket is not None:
                ticket.finish(stored=True)

    def _send_with_retries(self, record: Record) -> None:
        assert self._client is not None
        for attempt, delay in enumerate((*_RETRY_DELAYS, None)):
            try:
                record.send(self._client, self.job_id, careful=attempt > 0)
                return
            except ServerUnavailableError:
                if delay is None or time.monotonic() + delay > self._deadline:
                    raise
                self._closing.wait(delay)

    def _spool_record(self, record: Record, ticket: Receipt | None) -> None:
        try:
            self.spool.append(record)
        except OSError as exc:
            logger.error("job %s: cannot write the spool %s: %s", self.job_id, self.spool.path, exc)
            if ticket is not None:
                ticket.finish(stored=False, error=exc)
            return
        if ticket is not None:
            ticket.finish(stored=False)

    def _tell_spooling(self, exc: ServerUnavailableError) -> None:
        """Say once, on stderr, where the data goes while the server is unreachable and how
        it will reach the server; later spooling is logged at debug level."""
        if self._told_spooling:
            logger.debug("job %s: server unavailable, spooling (%s)", self.job_id, exc.message)
            return
        self._told_spooling = True
        logger.warning(
            "job %s: no Atlas server answers at %s (%s); keeping the job's data in %s. This "
            "process sends it when the server answers again; if it exits first, run "
            "`atlas sync` (or start `atlas server` with this home) to upload it.",
            self.job_id,
            self._settings.url,
            exc.message,
            self.spool.path,
        )

    def _reject(self, record: Record, exc: BaseException, ticket: Receipt | None) -> None:
        if isinstance(record, MetricBatch):
            what = record.refused(exc)
        else:
            what = _WHAT.get(record.op, record.op)
        self._refused.append(what)
        if isinstance(exc, AtlasError):
            logger.error("job %s: the server refused %s, dropped: %s", self.job_id, what, exc)
        else:
            logger.exception("job %s: could not send %s, dropped", self.job_id, what)
        if ticket is not None:
            ticket.finish(stored=False, error=exc)

    def _drain_spool(self) -> None:
        """Replay the spool; delete it once the server has all of it."""
        assert self._client is not None
        if time.monotonic() > self._deadline:
            return
        report = SyncReport()
        while True:
            end = self.spool.end
            rejected = len(report.rejected)
            offset, unavailable = replay(
                self._client, self.spool.path, report, start=self._replayed, end=end
            )
            self._replayed = offset
            self._refused.extend(report.rejected[rejected:])  # flush() and finish() say so
            if unavailable is not None:
                self._probe_delay = min(self._probe_delay * 2, max(1.0, 30 * self._interval))
                self._next_probe = time.monotonic() + self._probe_delay
                return
            if self.spool.discard_if_end(end):
                self._replayed = 0
                self._probe_delay = self._interval
                logger.info("job %s: spool uploaded (%d records)", self.job_id, report.records)
                return

    def _upload_forked_spools(self) -> None:
        """Upload what forked children of this process spooled for the job, once they have
        ended (a spool still held by a running child is left to it)."""
        assert self._client is not None
        report = SyncReport()
        for path in sorted(self.spool.path.parent.glob(f"{self.job_id}-*.spool")):
            if time.monotonic() > self._deadline or not upload_file(self._client, path, report):
                return

    def _spill(self, columns: list[MetricColumns]) -> None:
        """The buffer is full: write it to the spool from the logging thread (after the
        job's creation, when the thread has not sent that yet)."""
        with self._creation_lock:
            creation, self._creation = self._creation, None
            if creation is not None:
                self.spool.append(self._describe(creation))
        for batch in self._batches(columns):
            self.spool.append(batch)
        self._wakeup.set()

    def _spool_leftovers(self) -> None:
        """Write whatever is still queued or buffered to the spool (from any thread)."""
        with self._creation_lock:
            creation, self._creation = self._creation, None
            if creation is not None:
                self._spool_record(creation, None)
        while self._queue:
            record, ticket = self._queue.popleft()
            if record is not None:
                self._spool_record(record, ticket)
            elif ticket is not None:
                ticket.finish(stored=False)
        for batch in self._batches(self.buffer.take(close=True)):
            self.spool.append(batch)
        data = self.log_sink.take()
        if data:
            self.spool.append(LogAppend(self._log_offset, data))
            self._log_offset += len(data)
        if self._final is not None:
            self._spool_record(self._final, None)
            self._final = None


def _summary(refused: list[str]) -> str:
    text = "; ".join(refused)
    if len(text) <= MAX_TAG_VALUE_LENGTH:
        return text
    return text[: MAX_TAG_VALUE_LENGTH - 1] + "…"


def _slice(columns: MetricColumns, start: int, stop: int) -> MetricColumns:
    return MetricColumns(
        columns.key,
        columns.steps[start:stop],
        columns.times[start:stop],
        columns.values[start:stop],
    )
