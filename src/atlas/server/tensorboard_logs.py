"""The log folder a TensorBoard opened from Atlas reads: the event files of its jobs, copied
out of the artifact store and kept fresh while it runs.

A job's launcher appends each event file's growth to the job's artifact
``tensorboard/<path>`` (docs/tensorboard.md). For a TensorBoard over jobs ``J1..Jn`` the
server lays them out as ``<folder>/<run>/<path>``, ``<run>`` being the job's name and the
start of its id (``resnet-0k3x9m2b``), so TensorBoard names every run after its job; each
:meth:`LogFolder.refresh` copies what each artifact gained since the last one.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from atlas.domain import Job
from atlas.errors import AtlasError
from atlas.names import TENSORBOARD_FOLDER
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, artifact_path

__all__ = ["MAX_RUN_NAME", "LogFolder", "run_name", "run_names"]

logger = logging.getLogger(__name__)

MAX_RUN_NAME = 60
"""Most characters of a job's name in its run's name (the id's start is added)."""
SHORT_ID = 8
"""Characters of a job's id in its run's name (as the GUI shows ids)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


def run_name(job: Job, *, whole: bool = False) -> str:
    """The TensorBoard run of ``job``: its name made safe for one folder name, then the
    start of its id (``resnet-0k3x9m2b``; ``whole``: all of it)."""
    name = _UNSAFE.sub("_", job.name or "").strip("._")[:MAX_RUN_NAME]
    short = job.id if whole else job.id[:SHORT_ID]
    return f"{name}-{short}" if name else short


def run_names(jobs: list[Job]) -> dict[str, str]:
    """The run of each job (by id): :func:`run_name`, or the name with the whole id where
    two jobs of the same name started in the same moment (ids begin with the time)."""
    short = {job.id: run_name(job) for job in jobs}
    taken = [name for name in short.values()]
    return {
        job.id: short[job.id] if taken.count(short[job.id]) == 1 else run_name(job, whole=True)
        for job in jobs
    }


@dataclass(slots=True)
class _Copy:
    job_id: str
    artifact: str
    target: Path
    size: int = 0


class LogFolder:
    """The folder ``root`` holding the event files of ``jobs`` (job id -> run name)."""

    def __init__(self, root: Path, jobs: dict[str, str]) -> None:
        self.root = root
        self.jobs = jobs
        self._copies: dict[tuple[str, str], _Copy] = {}
        self.copied_bytes = 0

    def refresh(self, store: Store, artifacts: ArtifactStore) -> int:
        """Copy what each job's event files gained in the artifact store; the bytes copied.
        A job deleted meanwhile keeps what was copied; problems are logged, never raised."""
        self.root.mkdir(parents=True, exist_ok=True)
        before = self.copied_bytes
        for job_id, run in self.jobs.items():
            try:
                found = store.list_artifacts(job_id)
            except AtlasError as exc:
                logger.debug("TensorBoard files of job %s: %s", job_id, exc)
                continue
            for artifact in found:
                if artifact.path.startswith(f"{TENSORBOARD_FOLDER}/") and artifact.step is None:
                    self._refresh_one(artifacts, job_id, run, artifact.path, artifact.size)
        return self.copied_bytes - before

    def _refresh_one(
        self, artifacts: ArtifactStore, job_id: str, run: str, path: str, size: int
    ) -> None:
        copy = self._copies.get((job_id, path))
        if copy is None:
            relative = path.removeprefix(f"{TENSORBOARD_FOLDER}/")
            target = (self.root / run / relative).resolve()
            if not target.is_relative_to(self.root.resolve()):  # artifact paths are safe
                return
            copy = self._copies[(job_id, path)] = _Copy(job_id, path, target)
        if size == copy.size:
            return
        start = copy.size if size > copy.size else 0  # a smaller file was saved over it
        try:
            copy.target.parent.mkdir(parents=True, exist_ok=True)
            with open(copy.target, "r+b" if start and copy.target.exists() else "wb") as file:
                file.seek(start)
                for piece in artifacts.open_read(artifact_path(job_id, path), start, size):
                    file.write(piece)
                    self.copied_bytes += len(piece)
                file.truncate()
        except (AtlasError, OSError) as exc:
            logger.warning("TensorBoard: copying %s of job %s failed: %s", path, job_id, exc)
            return
        copy.size = size

    def remove(self) -> None:
        """Remove the folder and everything copied into it."""
        shutil.rmtree(self.root, ignore_errors=True)
