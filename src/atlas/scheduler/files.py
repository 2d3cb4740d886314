"""Where a scheduled job's files are, on the machine that runs it: its log and its code
snapshot.

Snapshots live once per content hash at ``snapshots/<sha256>.tar.gz`` in the artifact store;
a job's log at ``jobs/<id>/log.txt`` (``atlas.store.artifact_paths``). With a local artifact
store the executor is given those very files, so a log is readable live and survives a
restart. With another store (``s3://``...) the log is written to a local file under the work
folder and copied into the store as it grows (:meth:`JobFiles.pump`), and a snapshot is
fetched into the work folder before the job starts.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from atlas.errors import InvalidInputError, NotFoundError
from atlas.names import is_sha256
from atlas.store.artifacts import ArtifactStore, LocalArtifactStore, log_path

__all__ = ["JobFiles", "check_sha256", "snapshot_relpath"]

logger = logging.getLogger(__name__)

PUMP_INTERVAL = 1.0
"""Seconds between two copies of a growing log into a remote artifact store."""
_PIECE = 1 << 20


def check_sha256(value: str, *, field: str = "snapshot") -> str:
    """``value`` when it is a lowercase hex SHA-256, else ``InvalidInputError``."""
    if not is_sha256(value):
        raise InvalidInputError(
            f"{field} must be a SHA-256 in lowercase hex (64 characters)",
            detail={"errors": [{"field": field, "message": "not a lowercase hex SHA-256"}]},
        )
    return value


def snapshot_relpath(sha256: str) -> str:
    """Where the snapshot with this content hash lives in the artifact store."""
    return f"snapshots/{check_sha256(sha256)}.tar.gz"


class JobFiles:
    """The local paths of jobs' logs and snapshots for an executor on this machine."""

    def __init__(self, artifacts: ArtifactStore, work_path: Path) -> None:
        self.artifacts = artifacts
        self.work_path = work_path
        self._local_root = artifacts.root if isinstance(artifacts, LocalArtifactStore) else None
        self._pumped: dict[str, tuple[int, float]] = {}

    def log_path(self, job_id: str) -> Path:
        """The local file the job's stdout and stderr are appended to (parents created)."""
        if self._local_root is not None:
            path = self._local_root / log_path(job_id)
        else:
            path = self.work_path / "logs" / f"{job_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def snapshot_path(self, sha256: str) -> Path:
        """A local copy of the snapshot; ``NotFoundError`` when it was never uploaded."""
        relpath = snapshot_relpath(sha256)
        if self._local_root is not None:
            path = self._local_root / relpath
            if not path.is_file():
                raise NotFoundError(f"snapshot {sha256} not found", detail={"snapshot": sha256})
            return path
        path = self.work_path / relpath
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            with partial.open("wb") as file:
                for piece in self.artifacts.open_read(relpath):
                    file.write(piece)
            partial.replace(path)
        return path

    def pump(self, job_id: str, *, final: bool = False, force: bool = False) -> None:
        """Copy what the job's local log gained into a remote artifact store (at most every
        ``PUMP_INTERVAL`` seconds unless ``final`` or ``force``; ``final`` also removes the
        local copy, ``force`` keeps it for the job's next attempt). Nothing to do with a
        local store."""
        if self._local_root is not None:
            return
        offset, last = self._pumped.get(job_id) or (self._stored_size(job_id), 0.0)
        now = time.monotonic()
        if not (final or force) and now - last < PUMP_INTERVAL:
            return
        path = self.log_path(job_id)
        try:
            with path.open("rb") as file:
                file.seek(offset)
                while piece := file.read(_PIECE):
                    self.artifacts.append(log_path(job_id), piece)
                    offset += len(piece)
        except FileNotFoundError:
            pass
        except OSError:
            logger.exception("could not copy the log of job %s into the artifact store", job_id)
        self._pumped[job_id] = (offset, now)
        if final:
            self._pumped.pop(job_id, None)
            path.unlink(missing_ok=True)

    def _stored_size(self, job_id: str) -> int:
        # After a restart, carry on from what the store already holds.
        try:
            return self.artifacts.size(log_path(job_id))
        except NotFoundError:
            return 0
