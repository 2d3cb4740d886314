"""The offline spool: what could not be sent yet, kept on disk until the server takes it.

One append-only file per job, ``<spool>/<job id>.spool``, and a folder ``<job id>.files`` for
copies of spooled artifacts (a process forked from a job's process, such as a data-loader
worker, writes its own ``<job id>-<pid>.spool``). A file is a run of records, each::

    b"ASP1" | header length (u32 LE) | payload length (u32 LE) | crc32 (u32 LE) | header | payload

where the header is UTF-8 JSON (``{"op": ..., "job_id": ..., ...}``) and the payload is raw
bytes (little-endian metric columns, log text). Nothing is pickled. A writer holds an
exclusive ``flock`` on its file while it is open, so ``upload_spool`` leaves alone the spool
of a job that is still running (that process uploads it itself). The writer flushes every
record and fsyncs when it closes.

``upload_spool`` replays the files in order; every record is safe to send twice, and a file
is deleted only when all of it is stored (records the server refuses with a 4xx are reported
and dropped, as when sending directly).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from atlas.errors import AtlasError, ServerUnavailableError
from atlas.sdk.records import ArtifactUpload, MetricBatch, Record, decode_record, refused_metrics

if TYPE_CHECKING:
    from atlas.sdk.client import Client

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one process per spool
    fcntl = None  # type: ignore[assignment]

__all__ = ["SpoolWriter", "SyncReport", "read_records", "replay", "upload_file", "upload_spool"]

logger = logging.getLogger(__name__)

_FRAME = struct.Struct("<4sIII")
_MAGIC = b"ASP1"
_SUFFIX = ".spool"


@dataclass(slots=True)
class SyncReport:
    """What :func:`upload_spool` (``atlas sync``) did."""

    uploaded: list[str] = field(default_factory=list)
    """Job ids whose spool was stored whole, then deleted."""
    records: int = 0
    """Records sent (including those the server already had)."""
    points: int = 0
    """Metric points sent."""
    duplicates: int = 0
    """Records the server already had (sent before the spool was written, or by an
    earlier sync that was cut short)."""
    rejected: list[str] = field(default_factory=list)
    """Records the server refused (4xx), dropped: one message each."""
    busy: list[str] = field(default_factory=list)
    """Job ids whose spool is held by a running process (it uploads them itself)."""
    errors: list[str] = field(default_factory=list)
    """Why some files were kept (server unavailable, a damaged file)."""

    @property
    def ok(self) -> bool:
        """Whether every spool file that was not busy was stored and deleted."""
        return not self.errors


def spool_file(folder: Path, name: str) -> Path:
    """The spool file called ``name`` (a job id)."""
    return folder / f"{name}{_SUFFIX}"


def files_folder(path: Path) -> Path:
    """The folder of spooled artifact copies next to a spool file."""
    return path.with_suffix(".files")


def _frame(header: dict[str, object], payload: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    crc = zlib.crc32(payload, zlib.crc32(head))
    return _FRAME.pack(_MAGIC, len(head), len(payload), crc) + head + payload


def read_records(
    handle: IO[bytes], start: int = 0, end: int | None = None
) -> Iterator[tuple[int, dict[str, object], bytes]]:
    """``(offset after, header, payload)`` of each whole record from ``start`` to ``end``;
    stops silently at a damaged or partly written record (see :func:`valid_end`)."""
    handle.seek(start)
    offset = start
    while end is None or offset < end:
        frame = handle.read(_FRAME.size)
        if len(frame) < _FRAME.size:
            return
        magic, head_len, payload_len, crc = _FRAME.unpack(frame)
        if magic != _MAGIC:
            return
        head = handle.read(head_len)
        payload = handle.read(payload_len)
        if len(head) < head_len or len(payload) < payload_len:
            return
        if zlib.crc32(payload, zlib.crc32(head)) != crc:
            return
        offset += _FRAME.size + head_len + payload_len
        yield offset, json.loads(head), payload


def valid_end(handle: IO[bytes]) -> int:
    """The offset after the last whole record (a crash can leave a partial one)."""
    end = 0
    for after, _, _ in read_records(handle):
        end = after
    return end


class SpoolWriter:
    """Appends the records of one job to its spool file; safe to call from any thread."""

    def __init__(self, folder: Path, job_id: str, *, name: str | None = None) -> None:
        self.job_id = job_id
        self.path = spool_file(folder, name or job_id)
        self.files = files_folder(self.path)
        self._lock = threading.Lock()
        self._handle: IO[bytes] | None = None
        self._end = 0
        self._copies = 0

    @property
    def end(self) -> int:
        """The offset after the last record written (0: nothing pending)."""
        return self._end

    @property
    def pending(self) -> bool:
        """Whether records wait in the spool."""
        return self._end > 0

    def append(self, record: Record) -> None:
        """Write ``record`` (an artifact is copied next to the spool first) and flush."""
        with self._lock:
            handle = self._open()
            if isinstance(record, ArtifactUpload):
                record = self._copy(record)
            header, payload = record.encode()
            handle.write(_frame({"op": record.op, "job_id": self.job_id, **header}, payload))
            handle.flush()
            self._end = handle.tell()

    def discard_if_end(self, end: int) -> bool:
        """Delete the spool when nothing was written after ``end`` (all of it is stored)."""
        with self._lock:
            if self._end != end:
                return False
            self.path.unlink(missing_ok=True)
            shutil.rmtree(self.files, ignore_errors=True)
            self._close_handle(sync=False)
            self._end = 0
            return True

    def close(self) -> None:
        """Fsync and close the file (it stays for ``atlas sync`` when records remain)."""
        with self._lock:
            self._close_handle(sync=True)

    def _open(self) -> IO[bytes]:
        if self._handle is not None:
            return self._handle
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = self.path.open("a+b")
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            if _same_file(handle, self.path):
                break
            handle.close()  # uploaded and deleted while we waited for the lock: reopen
        handle.truncate(valid_end(handle))  # a crashed writer may have left half a record
        handle.seek(0, os.SEEK_END)
        self._handle = handle
        self._end = handle.tell()
        return handle

    def _copy(self, record: ArtifactUpload) -> ArtifactUpload:
        self.files.mkdir(parents=True, exist_ok=True)
        self._copies += 1
        target = self.files / f"{self._end}-{self._copies}-{record.file.name}"
        shutil.copyfile(record.file, target)
        return ArtifactUpload(record.path, target, record.step)

    def _close_handle(self, *, sync: bool) -> None:
        if self._handle is None:
            return
        self._handle.flush()
        if sync:
            os.fsync(self._handle.fileno())
        self._handle.close()  # closing releases the flock
        self._handle = None


def _same_file(handle: IO[bytes], path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


def replay(
    client: Client,
    path: Path,
    report: SyncReport,
    *,
    start: int = 0,
    end: int | None = None,
) -> tuple[int, ServerUnavailableError | None]:
    """Send the records of the spool file ``path`` from ``start`` to ``end``.

    Returns the offset after the last record handled and, when the server stopped
    answering, that error (the records from the offset on are still to send). A record the
    server refuses (4xx) is logged, counted in ``report.rejected`` and passed over.
    """
    offset = start
    files = files_folder(path)
    with path.open("rb") as handle:
        for after, header, payload in read_records(handle, start, end):
            job_id = str(header.get("job_id", path.stem.split("-")[0]))
            try:
                record = decode_record(header, payload, files)
                duplicate = record.send(client, job_id, careful=True)
            except ServerUnavailableError as exc:
                return offset, exc
            except (AtlasError, OSError) as exc:  # refused, or a spooled file gone
                _reject(report, job_id, header, exc)
            else:
                _count(report, record, duplicate)
            offset = after
    return offset, None


def _count(report: SyncReport, record: Record, duplicate: bool) -> None:
    report.records += 1
    report.duplicates += duplicate
    if isinstance(record, MetricBatch):
        report.points += record.points


def _reject(report: SyncReport, job_id: str, header: dict[str, object], exc: Exception) -> None:
    what = str(header.get("op"))
    if header.get("op") == MetricBatch.op:
        series = header.get("series")
        entries = series if isinstance(series, list) else []
        sent = [(str(s.get("key")), int(s.get("n", 0))) for s in entries if isinstance(s, dict)]
        what = refused_metrics(exc, sent)
    message = f"job {job_id}: the server refused spooled {what}: {exc}"
    logger.warning("%s", message)
    report.rejected.append(message)


def upload_spool(client: Client, spool_dir: str | os.PathLike[str]) -> SyncReport:
    """Upload every spool file under ``spool_dir`` to the server of ``client``, oldest job
    first, deleting each file once all of it is stored. Stops at the first sign that the
    server is unavailable (the rest is kept, and ``report.errors`` says so). Files held by a
    running process are left to it (``report.busy``)."""
    report = SyncReport()
    folder = Path(spool_dir)
    if not folder.is_dir():
        return report
    for path in sorted(folder.glob(f"*{_SUFFIX}"), key=_replay_order):
        if not upload_file(client, path, report):
            break
    return report


def _replay_order(path: Path) -> tuple[str, bool, str]:
    """A job's own spool (which may create the job) before those of its forked children."""
    job_id = path.stem.split("-")[0]
    return job_id, path.stem != job_id, path.name


def upload_file(client: Client, path: Path, report: SyncReport) -> bool:
    """Upload one spool file unless a running process holds it, and delete it once all of
    it is stored. False when the server is unavailable (stop: the file is kept)."""
    job_id = path.stem.split("-")[0]
    try:
        handle = path.open("r+b")
    except FileNotFoundError:
        return True  # uploaded by its own process meanwhile
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if job_id not in report.busy:
                    report.busy.append(job_id)
                return True
        if not _same_file(handle, path):
            return True
        end = valid_end(handle)
        size = os.fstat(handle.fileno()).st_size
        _, unavailable = replay(client, path, report)
        if unavailable is not None:
            report.errors.append(f"job {job_id}: kept {path}: {unavailable.message}")
            return False
        if end < size:
            damaged = path.with_name(path.name + ".damaged")
            path.replace(damaged)
            report.errors.append(
                f"job {job_id}: {size - end} bytes at the end of {path} are damaged "
                f"(a crash while writing); the whole records were stored, the file is kept "
                f"as {damaged}"
            )
            return True
        path.unlink()
        shutil.rmtree(files_folder(path), ignore_errors=True)
        if job_id not in report.uploaded:
            report.uploaded.append(job_id)
    return True
