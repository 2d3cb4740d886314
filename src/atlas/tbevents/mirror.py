"""A running job's event files copied to its artifacts as they grow.

TensorBoard reads event files, not Atlas metrics: for ``atlas tensorboard`` and the GUI's
TensorBoard button (docs/tensorboard.md) the server needs each job's files, and needs them
while the job runs. The launcher's :class:`~atlas.tbevents.live.LiveSync` hands every event
file it follows to a :class:`Mirror`, which appends what the file gained since the last
round to the artifact ``tensorboard/<path below its log folder>``
(``POST /jobs/{id}/artifacts/{path}?offset=N``), at most
:data:`~atlas.names.MAX_APPEND_BYTES` per request. The server refuses an append that does
not start at the size it stored, and says that size: a launcher started again resumes where
the last one stopped, and an append sent twice is stored once.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import AtlasError, ConflictError, ServerUnavailableError
from atlas.names import MAX_APPEND_BYTES, TENSORBOARD_FOLDER, artifact_path_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["MAX_APPENDS_PER_ROUND", "Mirror", "MirroredFile"]

logger = logging.getLogger(__name__)

MAX_APPENDS_PER_ROUND = 8
"""Most appends of one file in one round (a file far behind catches up over several)."""


@dataclass(slots=True)
class MirroredFile:
    """One event file and how much of it the server holds (``sent``); ``done`` once it can
    no longer be copied (refused, removed)."""

    path: Path
    artifact: str
    sent: int = 0
    done: bool = False


class Mirror:
    """Copies the growth of event files to the job ``job_id``'s artifacts through
    ``client``."""

    def __init__(self, client: Client, job_id: str) -> None:
        self.client = client
        self.job_id = job_id
        self.files: dict[Path, MirroredFile] = {}
        self.sent_bytes = 0

    def add(self, path: Path, name: str) -> None:
        """Copy ``path`` as ``tensorboard/<name>`` (``name``: its path below its log folder,
        ``/``-separated). A name that is no valid artifact path is skipped with a warning."""
        if path in self.files:
            return
        artifact = f"{TENSORBOARD_FOLDER}/{name}"
        problem = artifact_path_problem(artifact)
        if problem is not None:
            logger.warning(
                "job %s: the event file %s is not copied for TensorBoard: %s",
                self.job_id,
                path,
                problem,
            )
            return
        self.files[path] = MirroredFile(path, artifact)

    def push(self) -> bool:
        """Send what each file gained; ``True`` when the server holds every file's bytes.
        A server that does not answer is left for the next round."""
        caught_up = True
        for mirrored in self.files.values():
            if mirrored.done:
                continue
            try:
                caught_up &= self._push_one(mirrored)
            except ServerUnavailableError as exc:
                logger.debug("job %s: event files kept for later: %s", self.job_id, exc)
                return False
        return caught_up

    def _push_one(self, mirrored: MirroredFile) -> bool:
        for _ in range(MAX_APPENDS_PER_ROUND):
            data = _read(mirrored.path, mirrored.sent)
            if data is None:  # removed: what was copied stays
                mirrored.done = True
                return True
            if not data:
                return True
            try:
                self.client.append_artifact(
                    self.job_id, mirrored.artifact, data, offset=mirrored.sent
                )
            except ConflictError as exc:
                if not self._resume(mirrored, exc):
                    return True
                continue
            except ServerUnavailableError:
                raise
            except AtlasError as exc:
                logger.warning(
                    "job %s: the event file %s is no longer copied for TensorBoard: %s",
                    self.job_id,
                    mirrored.path,
                    exc,
                )
                mirrored.done = True
                return True
            mirrored.sent += len(data)
            self.sent_bytes += len(data)
        return False

    def _resume(self, mirrored: MirroredFile, refusal: ConflictError) -> bool:
        """Take the size the server holds from its refusal; ``False`` (and the file given up)
        when there is none, or the server holds more than the file has (another file)."""
        size = refusal.detail.get("size") if isinstance(refusal.detail, dict) else None
        try:
            local = mirrored.path.stat().st_size
        except OSError:
            local = -1
        if not isinstance(size, int) or size < 0 or size > local:
            logger.warning(
                "job %s: the event file %s is not copied for TensorBoard: %s",
                self.job_id,
                mirrored.path,
                refusal,
            )
            mirrored.done = True
            return False
        mirrored.sent = size
        return True


def _read(path: Path, start: int) -> bytes | None:
    """At most :data:`MAX_APPEND_BYTES` of ``path`` from ``start``; ``None`` when the file
    is gone."""
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size <= start:
                return b""
            file.seek(start)
            return file.read(MAX_APPEND_BYTES)
    except FileNotFoundError:
        return None
