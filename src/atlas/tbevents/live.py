"""Live sync: a running job's event files become its metrics while it runs.

The job's launcher (the process between the server and the job's command, which already
reports the job's system metrics) runs a :class:`LiveSync` in a thread: every
:data:`SCAN_INTERVAL` seconds it looks for event files below the job's working folder (new
runs appear during a job), every :data:`POLL_INTERVAL` seconds it reads what each file gained,
and it sends the scalars through the SDK's :class:`~atlas.sdk.client.Client` with the job's
own token, each tag as a metric key (:class:`~atlas.tbevents.logdir.RunKeys`), with the
event's step and wall time; histograms and images become media at their steps. When the
command ends, a last read takes the rest of each file before the working folder is removed.
A script that never imports ``atlas`` gets its metrics all the same.

Each event file is also copied to the job's artifacts as it grows
(:class:`~atlas.tbevents.mirror.Mirror`), for a TensorBoard opened from Atlas. Besides the
working folder, the folders a script named with ``atlas.set_tensorboard_logdir`` are searched
(``logdirs``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from atlas.names import is_key
from atlas.tbevents.eventfile import EventFile
from atlas.tbevents.logdir import RunKeys, find_event_files, run_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.tbevents.media import MediaFile
    from atlas.tbevents.mirror import Mirror
    from atlas.tbevents.scalars import Scalars
    from atlas.tbevents.upload import Outbox

__all__ = [
    "FINAL_SEND_S",
    "LiveSync",
    "MAX_PENDING_MEDIA",
    "POLL_INTERVAL",
    "SCAN_INTERVAL",
    "follow_job",
]

logger = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
"""Seconds between two reads of the event files found."""
SCAN_INTERVAL = 3.0
"""Seconds between two searches of the working folder for new event files."""
MAX_PENDING_MEDIA = 1000
"""Histograms and images held while the server does not store them (the oldest go first)."""
FINAL_SEND_S = 30.0
"""How long the last read keeps trying to reach a server that does not answer."""


class LiveSync:
    """Follows the event files below ``root`` and sends their scalars as metrics of the job
    ``job_id``. ``connect`` makes the client, called once the first event file is found (a
    job without event files never loads the HTTP stack). ``skip`` names folders not to
    search (the job's control folder); ``logdirs`` names more folders to search, asked at
    each search (``atlas.set_tensorboard_logdir``); ``mirror`` copies each file to the job's
    artifacts as it grows."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        job_id: str,
        connect: Callable[[], Client],
        *,
        skip: tuple[str, ...] = (),
        logdirs: Callable[[], list[str]] | None = None,
        mirror: bool = True,
    ) -> None:
        self.root = Path(root)
        self.job_id = job_id
        self.skip = skip
        self.files: dict[Path, EventFile] = {}
        self.roots: dict[Path, Path] = {}
        """The folder each file was found in (the working folder, or a ``logdirs`` one)."""
        self._logdirs = logdirs
        self._mirroring = mirror
        self._client: Client | None = None
        self._mirror: Mirror | None = None
        self.keys = RunKeys()
        self._connect = connect
        self._outbox: Outbox | None = None
        self._refused: set[str] = set()
        self._media: list[MediaFile] = []
        self._scan_at = float("-inf")

    @property
    def sent_points(self) -> int:
        """Points the server has stored so far."""
        return 0 if self._outbox is None else self._outbox.sent_points

    def poll(self, *, final: bool = False, now: float | None = None) -> bool:
        """One round: look for new files (at most every :data:`SCAN_INTERVAL` seconds, or
        ten times as long as the last search took, and always when ``final``), read each,
        send; ``True`` when nothing waits to be sent. While the server does not store what
        was read, nothing more is read: the files hold it meanwhile, not memory."""
        now = time.monotonic() if now is None else now
        if not final and not self._flush():
            return False
        if final or now >= self._scan_at:
            self._scan()
            took = time.monotonic() - now
            self._scan_at = now + max(SCAN_INTERVAL, 10 * took)
        for path, event_file in self.files.items():
            found = event_file.read_scalars(final=final)
            if found.series or found.histograms or found.images:
                self._add(run_of(self.roots[path], path), found)
        copied = self._copy()
        return self._flush() and copied

    def _connection(self) -> Client:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _copy(self) -> bool:
        """Copy what the event files gained to the job's artifacts; ``True`` when done."""
        return True if self._mirror is None else self._mirror.push()

    def _flush(self) -> bool:
        """Send what waits, metrics first; ``True`` when nothing is left."""
        if self._outbox is None:
            return True
        if not self._outbox.flush():
            return False
        from atlas.errors import ServerUnavailableError
        from atlas.tbevents.media import upload_media

        while self._media and not self._outbox.closed:
            try:
                upload_media(self._outbox.client, self.job_id, self._media[:1])
            except ServerUnavailableError:
                return False
            del self._media[0]
        return True

    def _scan(self) -> None:
        new: dict[Path, Path] = {}
        for root in self._search_roots():
            try:
                paths = find_event_files(root, skip=self.skip if root == self.root else ())
            except OSError as exc:  # the folder went away under us
                logger.debug("job %s: cannot search %s: %s", self.job_id, root, exc)
                continue
            new.update((path, root) for path in paths if path not in self.files)
        if not new:
            return
        self.keys.choose_main({run_of(root, path) for path, root in new.items()})
        for path, root in new.items():
            logger.info("job %s: following the event file %s", self.job_id, path)
            self.files[path] = EventFile(path, keep_histograms=True, keep_images=True)
            self.roots[path] = root
            if self._mirroring:
                self._mirror_of().add(path, path.relative_to(root).as_posix())

    def _search_roots(self) -> list[Path]:
        """The working folder, then each folder of ``logdirs`` not inside it."""
        roots = [self.root]
        for name in self._logdirs() if self._logdirs is not None else ():
            folder = Path(name)
            outside = folder.is_absolute() and not folder.is_relative_to(self.root)
            if outside and all(folder != r and not r.is_relative_to(folder) for r in roots):
                roots.append(folder)
        return roots

    def _mirror_of(self) -> Mirror:
        from atlas.tbevents.mirror import Mirror

        if self._mirror is None:
            self._mirror = Mirror(self._connection(), self.job_id)
        return self._mirror

    def _add(self, run: str, found: Scalars) -> None:
        from atlas.tbevents.media import media_files
        from atlas.tbevents.upload import Outbox

        chosen = []
        for tag, points in found.series.items():
            key = self.keys.key(run, tag)
            if is_key(key):
                chosen.append((key, points))
            elif key not in self._refused:
                self._refused.add(key)
                logger.warning(
                    "job %s: the tag %r is not a valid metric key: skipped", self.job_id, key
                )
        if self._outbox is None:
            self._outbox = Outbox(self._connection(), self.job_id)
        self._outbox.add(chosen)
        tags = {h.tag for h in found.histograms} | {i.tag for i in found.images}
        self._media += media_files(found, {tag: self.keys.key(run, tag) for tag in tags})
        if len(self._media) > MAX_PENDING_MEDIA:
            logger.warning(
                "job %s: %d TensorBoard media files dropped (the server does not store them)",
                self.job_id,
                len(self._media) - MAX_PENDING_MEDIA,
            )
            del self._media[:-MAX_PENDING_MEDIA]

    def run(self, stop: threading.Event | None, *, interval: float = POLL_INTERVAL) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set (at once for ``None``),
        then read the files to their end and send the rest (for up to :data:`FINAL_SEND_S`
        seconds). Nothing here raises: a failure is logged."""
        while stop is not None and not stop.wait(interval):
            try:
                self.poll()
            except Exception:  # a bug here must not stop the job: log it and go on
                logger.exception("job %s: TensorBoard sync failed; trying again", self.job_id)
        try:
            self.finish()
        except Exception:
            logger.exception("job %s: last TensorBoard sync failed", self.job_id)

    def finish(self, *, deadline_s: float = FINAL_SEND_S) -> bool:
        """Read every file to its end and send what is left, retrying a server that does not
        answer until ``deadline_s`` passes; ``True`` when everything was stored."""
        done = self.poll(final=True)
        deadline = time.monotonic() + deadline_s
        delay = 0.2
        while not done and time.monotonic() < deadline and not self._closed():
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            copied = self._copy()
            done = self._flush() and copied
        if not done and self._outbox is not None and self._outbox.pending:
            logger.warning(
                "job %s: %d TensorBoard points could not be sent (server unreachable)",
                self.job_id,
                self._outbox.pending,
            )
        if self._client is not None:
            self._client.close()
        return done

    def _closed(self) -> bool:
        return self._outbox is not None and self._outbox.closed


def follow_job(
    workdir: str,
    *,
    job_id: str,
    url: str,
    token: str,
    stop: threading.Event | None,
    skip: tuple[str, ...] = (),
    logdirs: Callable[[], list[str]] | None = None,
) -> LiveSync:
    """Sync the event files below a job's working folder ``workdir`` until ``stop`` is set
    (the job's command ended), then read them to their end; the launcher runs this in its
    own thread. With ``stop`` ``None`` (the job has ended already), only read them to their
    end. ``logdirs`` names more folders to follow (asked at each search). Answers the
    finished :class:`LiveSync`."""

    def connect() -> Client:
        from atlas.sdk.client import Client

        return Client(url, token or None, timeout=5)

    sync = LiveSync(workdir, job_id, connect, skip=skip, logdirs=logdirs)
    sync.run(stop)
    return sync
