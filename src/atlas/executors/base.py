"""The executor contract: what the scheduler hands an executor and what it gets back.

The scheduler decides *when* a job runs and records every status; an ``Executor`` decides
*how*: it prepares the job's working folder and environment, starts the command, reports how
it ended, cancels it, and after a server restart re-attaches to jobs still running. An
executor never writes the metadata store.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from atlas.domain import ENV_MODES, JobSpec, JobStatus
from atlas.errors import InvalidInputError

__all__ = [
    "Allocation",
    "Executor",
    "GpuInfo",
    "HOST_NODE",
    "Handle",
    "LaunchSpec",
    "Node",
    "Outcome",
    "ProcessHandle",
]

HOST_NODE = "local"
"""The node id of the server's own machine (the local and container executors' only node)."""


@dataclass(frozen=True, slots=True)
class GpuInfo:
    """One GPU of a node: its index (as ``CUDA_VISIBLE_DEVICES`` names it on that node),
    model name and memory in bytes (``None`` when unknown)."""

    index: int
    name: str
    memory_total: int | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """One machine jobs run on, as its executor sees it: an id the executor can place a job
    by (``HOST_NODE`` for the server's own machine), a name and address for people, what it
    has to hand out, and its labels (``gpu_type=a100``), which a job may ask for."""

    id: str
    name: str
    address: str
    cpus: int
    memory: int
    gpus: tuple[GpuInfo, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def gpu_indices(self) -> tuple[int, ...]:
        """The GPUs' indices, in order."""
        return tuple(gpu.index for gpu in self.gpus)


@dataclass(frozen=True, slots=True)
class Allocation:
    """What the scheduler gave a job: CPU slots, memory in bytes (``None``: not limited), the
    indices of its GPUs (``CUDA_VISIBLE_DEVICES`` is exactly these) and the node they are on
    (a ``Node.id``; ``HOST_NODE``: the server's machine)."""

    cpus: int = 1
    memory: int | None = None
    gpus: tuple[int, ...] = ()
    node: str = HOST_NODE


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    """Everything an executor needs to run one job: the job as it was asked for (``job``),
    and what the scheduler adds to run it.

    ``snapshot_path`` is a local ``.tar.gz`` of the code (``None``: an empty working folder);
    the job's params are written to ``atlas_job_parameters.json`` and
    ``foundations_job_parameters.json`` in the working folder; ``log_path`` is a local file
    the job's stdout and stderr are appended to; ``attempt`` counts from 1 (2 for the first
    retry).
    """

    job_id: str
    job: JobSpec
    allocation: Allocation
    snapshot_path: Path | None
    server_url: str
    token: str
    log_path: Path
    attempt: int = 1

    @property
    def command(self) -> list[str]:
        """The job's argv (never run through a shell)."""
        return shlex.split(self.job.command)

    def check(self) -> None:
        """``InvalidInputError`` when the spec cannot be run (empty command, bad env mode,
        a non-positive timeout)."""
        if not self.command or not all(isinstance(a, str) and a for a in self.command):
            raise InvalidInputError(
                f"job {self.job_id}: the command must be a non-empty list of non-empty strings",
                detail={"field": "command"},
            )
        if self.job.env_mode not in ENV_MODES:
            raise InvalidInputError(
                f"job {self.job_id}: env must be one of {', '.join(ENV_MODES)}, "
                f"not {self.job.env_mode!r}",
                detail={"field": "env"},
            )
        if self.job.timeout is not None and not self.job.timeout > 0:
            raise InvalidInputError(
                f"job {self.job_id}: the timeout must be a positive number of seconds",
                detail={"field": "timeout"},
            )


@dataclass(frozen=True, slots=True)
class Handle:
    """A launched job as its executor knows it. The scheduler persists ``record()`` as an
    opaque launch record and hands it back to ``Executor.adopt`` after a restart; what it
    holds (a process id, a container, a Ray job) is the executor's business."""

    job_id: str

    def record(self) -> dict[str, object]:
        """What the scheduler persists to re-attach after a restart (see ``Executor.adopt``)."""
        return {}


@dataclass(frozen=True, slots=True)
class ProcessHandle(Handle):
    """A job run by a launcher process of this host: its ``pid`` (also its process group),
    its start time (``create_time``, seconds since the epoch, to tell a reused pid apart)
    and the working folder."""

    pid: int = 0
    create_time: float = 0.0
    workdir: Path = Path()

    def record(self) -> dict[str, object]:
        """The launcher's pid, process group, start time and working folder."""
        return {
            "pid": self.pid,
            "pgid": self.pid,
            "create_time": self.create_time,
            "workdir": str(self.workdir),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a job ended. ``status`` is completed (exit code 0), failed (any other exit code,
    a signal, a timeout, a launcher error), cancelled, or lost (its launcher vanished without
    a word). ``error`` says why in a sentence when the status is not completed."""

    status: JobStatus
    exit_code: int | None = None
    error: str | None = None
    signal: int | None = None
    finished_at: float | None = None
    details: dict[str, object] = field(default_factory=dict)


class Executor(Protocol):
    """Runs jobs for the scheduler. Methods are called from the scheduler's thread; ``on_exit``
    callbacks come from the executor's own threads."""

    runs_images: bool
    """Whether it can run a job in a container image (``JobSpec.image``); the scheduler
    refuses such a submission otherwise, rather than run it on the host."""

    def launch(self, spec: LaunchSpec) -> Handle:
        """Start the job and return at once (milliseconds): unpacking the snapshot and building
        the environment happen later, in the job's own launcher, with progress in the log.
        ``InvalidInputError`` for a spec that cannot run; ``ConflictError`` when the job is
        already running here."""
        ...

    def poll(self, job_id: str) -> Outcome | None:
        """``None`` while the job runs, else how it ended (asked again, the same answer).
        ``NotFoundError`` for a job this executor never launched nor adopted."""
        ...

    def started(self, job_id: str) -> bool:
        """Whether the job's command itself has started (its environment is ready)."""
        ...

    def cancel(self, job_id: str, *, grace: float) -> None:
        """Ask the job to stop: SIGTERM to its whole process tree, SIGKILL after ``grace``
        seconds. Returns at once; ``poll`` reports ``cancelled`` when it has ended. Nothing
        happens for a job that already ended."""
        ...

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        """Re-attach after a restart to a job launched by an earlier executor, from what
        ``Handle.record()`` gave. ``True`` when the job is known again (still running, or
        ended with its exit status on disk: ``poll`` says which); ``False`` when it is gone
        without a trace (the scheduler marks it lost)."""
        ...

    def running(self) -> list[str]:
        """Ids of the jobs launched or adopted whose outcome ``poll`` has not yet given."""
        ...

    def nodes(self) -> tuple[Node, ...] | None:
        """The nodes jobs run on, as last seen (cheap: never a network call); ``None`` for
        the server's own machine alone, whose inventory the settings and the hardware give.
        A job is placed on a node by ``LaunchSpec.allocation.node``."""
        ...

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        """Call ``callback(job_id)`` (from another thread) as soon as a job ends, so the
        scheduler can wake and ``poll`` instead of polling on a timer."""
        ...
