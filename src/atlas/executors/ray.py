"""``RayExecutor``: each job is a Ray job on a node of a Ray cluster (the Ray Jobs API).

Atlas decides what starts (its queue and policy); the executor hands each chosen job to Ray
as a Ray job named ``atlas-<job id>`` (``atlas-<job id>-<n>`` for its n-th attempt) whose
entrypoint (:mod:`atlas.executors.ray_job`) reserves the job's CPUs, GPUs and memory as Ray
resources, so Ray places it on a node with room and sets ``CUDA_VISIBLE_DEVICES`` to the GPUs
it gives. On the node the entrypoint
fetches the snapshot from the server, runs the job with the local executor's launcher and
ships its log to the server live; how the job ended comes back in the Ray job's own log.

A job the scheduler placed on a node (``Allocation.node``, a Ray node id) is submitted with
the label selector ``ray.io/node-id`` of that node, so Ray runs it there and nowhere else.
``nodes`` gives the cluster's live nodes as the executor's thread last read them (at
construction, then every :data:`NODE_READ_INTERVAL_S`), with their labels (``ray start
--labels gpu_type=a100``) but Ray's own.

``launch`` returns at once: the submission (one HTTP call to the dashboard) runs in the
executor's threads. One watcher thread follows all running Ray jobs with one ``list_jobs``
call a round (one ``get_job_info`` each while the cluster lists many more Ray jobs than
ours) and calls ``on_exit``. A cancel
is Ray's stop (SIGTERM to the job's processes on its node, which the launcher turns into
SIGTERM to the whole tree and SIGKILL after the grace). After a server restart ``adopt``
finds the Ray job by its name; a name Ray already knows is never run again: a submission
Ray answers "already exists" follows the Ray job of that name. A job whose
node dies ends ``lost``: the Jobs API may still say RUNNING long after (its supervisor's
death is noticed late), so the watcher also reads the cluster's live nodes (the state API)
and ends ``lost`` a job whose node is no longer among them.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import shlex
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.domain import JobStatus
from atlas.errors import ConflictError, NotFoundError
from atlas.executors import ray_job
from atlas.executors.base import HOST_NODE, Handle, LaunchSpec, Node, Outcome
from atlas.executors.local import outcome_from_exit
from atlas.executors.ray_cluster import (
    NODE_ID_LABEL,
    NodeNames,
    connect,
    dashboard_url,
    read_nodes,
)
from atlas.settings import Settings

if TYPE_CHECKING:
    from ray.job_submission import JobDetails, JobSubmissionClient

__all__ = ["RayExecutor", "RayHandle", "submission_id"]

logger = logging.getLogger(__name__)

WATCH_INTERVAL_S = 0.1
"""Seconds between two reads of the running Ray jobs' status (one ``list_jobs`` call)."""
NODE_READ_INTERVAL_S = 2.0
"""Seconds between two reads of the cluster's live nodes (always, jobs running or not)."""
LISTED_PER_CALL = 50
"""Ray keeps every Ray job of the cluster (everyone's, ended ones too) until deleted, and
``list_jobs`` gives them all: while it lists at most this many per job the watcher follows
(one status call costs about as much as reading that many listed jobs), one ``list_jobs``
call a round reads them all; past that, each is asked for alone (``get_job_info``) and the
list is tried again after :data:`RELIST_S`."""
RELIST_S = 30.0
INLINE_SNAPSHOT_BYTES = 48 * 1024
"""A code snapshot up to this size travels inside the Ray job's description, so the
entrypoint starts the command without fetching it from the server first; a larger one is
fetched."""
_FINISHED_KEPT = 10_000
_STUB = "import sys;sys.path.insert(0,sys.argv[1]);import ray_job;sys.exit(ray_job.main())"
_LOST_TYPES = {"JOB_SUPERVISOR_ACTOR_DIED", "JOB_SUPERVISOR_ACTOR_UNKNOWN_FAILURE"}
_EXISTS = "already exists"
"""What the Jobs API says when a submission's name is taken (Ray 2.60: HTTP 400 with
"Job with submission_id ... already exists")."""


def submission_id(job_id: str, attempt: int = 1) -> str:
    """The name of the Ray job that runs attempt ``attempt`` of Atlas job ``job_id``:
    ``atlas-<job id>``, then ``atlas-<job id>-2`` ... for retries, so that a retry never
    reuses the name of an earlier attempt's Ray job that Ray may still be ending."""
    return f"atlas-{job_id}" if attempt <= 1 else f"atlas-{job_id}-{attempt}"


@dataclass(frozen=True, slots=True)
class RayHandle(Handle):
    """A job handed to Ray: its record names the Ray job and the cluster."""

    submission: str = ""
    address: str = ""

    def record(self) -> dict[str, object]:
        """What the scheduler persists to find the Ray job again after a restart."""
        return {"executor": "ray", "submission_id": self.submission, "address": self.address}


@dataclass
class _Job:
    job_id: str
    submission: str
    log_path: Path | None = None
    submitted: bool = False
    started: bool = False
    node: str = ""
    placed_on: str = ""
    stop_asked: bool = False
    outcome: Outcome | None = None


class RayExecutor:
    """Runs jobs on the Ray cluster whose dashboard is at ``address`` (see the module).

    ``python`` is the interpreter of the entrypoint on the nodes (default: the server's; Atlas
    must be installed there at the same path); ``work_root`` the folder of jobs' working
    copies on each node (default ``$TMPDIR/atlas-ray``); ``grace``, ``keep_workdirs``,
    ``metrics_interval`` and ``uv_args`` as for the local executor. ``client`` replaces the
    Jobs API client (made from ``address`` otherwise).
    """

    runs_images = False  # the nodes run processes: see atlas.executors.container

    def __init__(
        self,
        address: str,
        *,
        python: str | None = None,
        work_root: str | None = None,
        grace: float = 10.0,
        keep_workdirs: bool = False,
        metrics_interval: float = 5.0,
        uv_args: tuple[str, ...] = (),
        client: JobSubmissionClient | None = None,
    ) -> None:
        self.address = dashboard_url(address)
        self.client = client if client is not None else connect(self.address)
        self.python = python or sys.executable
        self.work_root = work_root
        self.grace = grace
        self.keep_workdirs = keep_workdirs
        self.metrics_interval = metrics_interval
        self.uv_args = uv_args
        self._jobs: dict[str, _Job] = {}
        self._finished: OrderedDict[str, Outcome] = OrderedDict()
        self._callback: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self._list_again = 0.0  # monotonic time of the next list_jobs (the watcher's)
        self._names = NodeNames()
        self._nodes: tuple[Node, ...] = ()
        self._read_nodes()  # the server starts with the cluster's nodes
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atlas-ray-submit")
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="atlas-ray-watch", daemon=True)
        self._watcher.start()

    @classmethod
    def from_settings(cls, settings: Settings) -> RayExecutor:
        """The executor of ``settings``: ``ray_address``, ``cancel_grace``,
        ``keep_workdirs``, ``uv_args``."""
        from atlas.executors.local import _split_args

        if not settings.ray_address:
            from atlas.errors import InvalidInputError

            raise InvalidInputError(
                "executor = ray needs ray_address, the Ray dashboard's address such as "
                "http://10.0.0.5:8265 (--ray-address; docs/cluster.md)",
                detail={"setting": "ray_address"},
            )
        return cls(
            settings.ray_address,
            grace=settings.cancel_grace,
            keep_workdirs=settings.keep_workdirs,
            uv_args=tuple(_split_args(settings.uv_args or "")),
        )

    def __repr__(self) -> str:
        return f"RayExecutor({self.address!r}, {len(self._jobs)} running)"

    def close(self) -> None:
        """Stop the executor's threads (the Ray jobs go on; a new executor adopts them)."""
        self._closed.set()
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- the Executor protocol -----------------------------------------------------------------
    def launch(self, spec: LaunchSpec) -> RayHandle:
        """Hand the job to Ray in the executor's threads and return at once."""
        spec.check()
        name = submission_id(spec.job_id, spec.attempt)
        with self._lock:
            if spec.job_id in self._jobs:
                raise ConflictError(f"job {spec.job_id} is already running")
            self._finished.pop(spec.job_id, None)
            node = spec.allocation.node
            placed_on = node if node != HOST_NODE else ""
            job = _Job(spec.job_id, name, log_path=spec.log_path, placed_on=placed_on)
            self._jobs[spec.job_id] = job
        self._pool.submit(self._submit, job, spec)
        return RayHandle(spec.job_id, submission=name, address=self.address)

    def poll(self, job_id: str) -> Outcome | None:
        """``None`` while the Ray job runs, else how it ended."""
        with self._lock:
            done = self._finished.get(job_id)
            if done is not None:
                return done
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"job {job_id} is not running here", detail={"job_id": job_id})
            if job.outcome is None:
                return None
            del self._jobs[job_id]
            self._finished[job_id] = job.outcome
            while len(self._finished) > _FINISHED_KEPT:
                self._finished.popitem(last=False)
        self._pool.submit(self._forget, job.submission)
        return job.outcome

    def started(self, job_id: str) -> bool:
        """Whether Ray runs the job's entrypoint on a node (or it ended)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return job.started if job is not None else job_id in self._finished

    def cancel(self, job_id: str, *, grace: float) -> None:
        """Ask Ray to stop the job (its launcher stops the tree with the job's grace)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.outcome is not None or job.stop_asked:
                return
            job.stop_asked = True
            submitted = job.submitted
        if submitted:  # else the submitting thread stops it once submitted
            self._pool.submit(self._stop, job)

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        """Find the Ray job of ``job_id`` again after a restart (by the name in ``record``);
        ``False`` when Ray does not know it."""
        with self._lock:
            if job_id in self._jobs:
                return True
        name = str(record.get("submission_id") or submission_id(job_id))
        try:
            self.client.get_job_info(name)
        except RuntimeError:  # the Jobs API answers 404 for a name it does not know
            return False
        with self._lock:
            self._jobs[job_id] = _Job(job_id, name, submitted=True)
        self._wake.set()
        logger.info("job %s: adopted (Ray job %s)", job_id, name)
        return True

    def running(self) -> list[str]:
        """Ids of the jobs whose outcome ``poll`` has not given yet."""
        with self._lock:
            return list(self._jobs)

    def nodes(self) -> tuple[Node, ...] | None:
        """The cluster's live nodes as the executor's thread last read them (by id; the same
        tuple object while nothing changed); empty until the cluster first answers."""
        return self._nodes

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        """Call ``callback(job_id)`` from the watcher thread when a job ends."""
        self._callback = callback

    # -- submitting and stopping (the executor's threads) --------------------------------------
    def _submit(self, job: _Job, spec: LaunchSpec) -> None:
        try:
            self._hand_over(job, spec)
        except Exception as exc:
            logger.exception("job %s could not be submitted to Ray at %s", job.job_id, self.address)
            self._end(
                job,
                Outcome(
                    JobStatus.FAILED,
                    error=f"could not submit the job to the Ray cluster at {self.address}: {exc}",
                    finished_at=time.time(),
                ),
            )
            return
        with self._lock:
            job.submitted = True
            stop = job.stop_asked
        if stop:
            self._stop(job)
        self._wake.set()

    def _hand_over(self, job: _Job, spec: LaunchSpec) -> None:
        """Submit the Ray job (on the node the scheduler chose, if it chose one). A name Ray
        already knows (a server that stopped after submitting it) is followed as it is,
        never run twice: its outcome is the one Ray gives."""
        allocation = spec.allocation
        try:
            self.client.submit_job(
                entrypoint=self._entrypoint(),
                submission_id=job.submission,
                runtime_env={"env_vars": self._variables(spec)},
                entrypoint_num_cpus=allocation.cpus,
                entrypoint_num_gpus=len(allocation.gpus) or None,
                entrypoint_memory=allocation.memory or None,
                entrypoint_label_selector={NODE_ID_LABEL: job.placed_on} if job.placed_on else None,
                metadata={"atlas_job_id": spec.job_id, "atlas_project": spec.job.project},
            )
        except RuntimeError as exc:
            if _EXISTS not in str(exc):
                raise
            logger.warning("job %s: Ray already knows %s: followed", job.job_id, job.submission)

    def _entrypoint(self) -> str:
        folder = str(Path(ray_job.__file__).parent)
        return " ".join(shlex.quote(a) for a in (self.python, "-S", "-P", "-c", _STUB, folder))

    def _variables(self, spec: LaunchSpec) -> dict[str, str]:
        record: dict[str, object] = {
            "job_id": spec.job_id,
            "submission_id": submission_id(spec.job_id, spec.attempt),
            "project": spec.job.project,
            "user": spec.job.user,
            "command": spec.command,
            "params": dict(spec.job.params),
            "env_mode": spec.job.env_mode,
            "cpus": spec.allocation.cpus,
            "memory": spec.allocation.memory,
            "gpu_count": len(spec.allocation.gpus),
            "timeout": spec.job.timeout,
            "snapshot": spec.job.snapshot,
            "snapshot_inline": _inline_snapshot(spec.snapshot_path),
            "server_url": spec.server_url,
            "token": spec.token,
            "work_root": self.work_root,
            "keep_workdir": self.keep_workdirs,
            "uv_args": list(self.uv_args),
            "grace": self.grace,
            "metrics_interval": self.metrics_interval,
        }
        return {
            ray_job.SPEC_VARIABLE: json.dumps(record),
            # Ray's SIGKILL must come after the launcher's own
            "RAY_JOB_STOP_WAIT_TIME_S": str(math.ceil(self.grace) + 5),
        }

    def _stop(self, job: _Job) -> None:
        try:
            self.client.stop_job(job.submission)
        except Exception:
            logger.exception("job %s: Ray could not stop %s", job.job_id, job.submission)

    def _forget(self, name: str) -> None:
        """Delete an ended Ray job's record (and its own small log) from the cluster."""
        try:
            self.client.delete_job(name)
        except Exception as exc:
            logger.debug("Ray job %s not deleted: %s", name, exc)

    # -- watching (one thread) -----------------------------------------------------------------
    def _watch(self) -> None:
        nodes_read = time.monotonic()
        while not self._closed.is_set():
            with self._lock:
                jobs = [j for j in self._jobs.values() if j.submitted and j.outcome is None]
            if jobs:
                try:
                    self._follow(jobs)
                except Exception:
                    logger.exception(
                        "could not read the Ray jobs of the cluster at %s", self.address
                    )
            if time.monotonic() - nodes_read >= NODE_READ_INTERVAL_S:
                nodes_read = time.monotonic()
                alive = self._read_nodes()
                if alive is not None:
                    self._check_nodes([job for job in jobs if job.outcome is None], alive)
            self._wake.wait(WATCH_INTERVAL_S if jobs else NODE_READ_INTERVAL_S)
            self._wake.clear()

    def _read_nodes(self) -> set[str] | None:
        """Read the cluster's live nodes into ``nodes()`` (keeping the same tuple while they
        are the same); their ids, ``None`` when the cluster does not answer."""
        try:
            nodes = read_nodes(self.address, self._names)
        except Exception as exc:  # the cluster does not answer now: the next round tries again
            logger.warning("could not read the live nodes of the Ray cluster: %s", exc)
            return None
        if nodes != self._nodes:
            logger.info(
                "Ray cluster at %s: %d live nodes (%s)",
                self.address,
                len(nodes),
                ", ".join(node.name for node in nodes),
            )
            self._nodes = nodes
        return {node.id for node in nodes}

    def _follow(self, jobs: list[_Job]) -> None:
        """Read every running job's Ray job, note the start, end the ended: one ``list_jobs``
        call for all of them, unless the cluster lists so many other Ray jobs that asking for
        each of ours costs less (see :data:`LISTED_PER_CALL`)."""
        listed: dict[str, JobDetails] = {}
        now = time.monotonic()
        if now >= self._list_again:
            listed = {str(info.submission_id): info for info in self.client.list_jobs()}
            if len(listed) > LISTED_PER_CALL * len(jobs):
                self._list_again = now + RELIST_S
                logger.debug("Ray lists %d jobs: each of %d asked alone", len(listed), len(jobs))
        for job in jobs:
            info = listed.get(job.submission)
            if info is None:  # not listed (or not listing): ask for it alone
                try:
                    info = self.client.get_job_info(job.submission)
                except RuntimeError as exc:
                    error = f"Ray no longer knows the job: {exc}"
                    self._end(job, Outcome(JobStatus.LOST, error=error, finished_at=time.time()))
                    continue
            self._check(job, info)

    def _check_nodes(self, jobs: list[_Job], alive: set[str]) -> None:
        """End ``lost`` the jobs whose node is no longer alive (and have Ray forget them):
        the node Ray runs it on, or the one it was placed on while it waits to start."""
        for job in jobs:
            node = job.node or job.placed_on
            if not node or node in alive:
                continue
            try:  # it may have ended just before its node went
                info = self.client.get_job_info(job.submission)
            except RuntimeError:
                info = None
            except Exception:
                logger.exception("job %s: could not read the Ray job's status", job.job_id)
                continue
            if info is not None and info.status.is_terminal():
                self._end(job, self._outcome(job, info))
                continue
            logger.warning("job %s: its Ray node %s is dead", job.job_id, node)
            self._end(
                job,
                Outcome(
                    JobStatus.LOST,
                    error=f"the Ray node running the job was lost: node {node} is dead",
                    finished_at=time.time(),
                ),
            )
            if info is not None:  # Ray may still call it running: stop what is left of it
                try:
                    self._pool.submit(self._stop, job)
                except RuntimeError:  # closed meanwhile
                    logger.debug("job %s: not stopped, the executor is closed", job.job_id)

    def _check(self, job: _Job, info: JobDetails) -> None:
        if not job.started and str(info.status) in ("RUNNING", "JobStatus.RUNNING"):
            job.started = True
            job.node = str(info.driver_node_id or "")
            self._note(job, info)
        if info.status.is_terminal():
            self._end(job, self._outcome(job, info))

    def _note(self, job: _Job, info: JobDetails) -> None:
        """Say in the job's log on which node Ray runs it (when the log is on this host)."""
        if job.log_path is None:
            return
        line = f"[atlas] Ray runs the job as {job.submission} on node {info.driver_node_id}\n"
        try:
            with job.log_path.open("ab") as log:
                log.write(line.encode())
        except OSError:
            logger.debug("job %s: could not write to %s", job.job_id, job.log_path)

    def _outcome(self, job: _Job, info: JobDetails) -> Outcome:
        """How the Ray job ended: the launcher's record from its log, else Ray's word."""
        record = self._record(job)
        if record is not None:
            return outcome_from_exit(record)
        status = str(info.status).rsplit(".", 1)[-1]
        error_type = str(info.error_type or "").rsplit(".", 1)[-1]
        message = info.message or "no message"
        if status == "STOPPED" or job.stop_asked:
            return Outcome(JobStatus.CANCELLED, error="cancelled", finished_at=time.time())
        if error_type in _LOST_TYPES:
            return Outcome(
                JobStatus.LOST,
                error=f"the Ray node running the job was lost: {message}",
                finished_at=time.time(),
            )
        return Outcome(
            JobStatus.FAILED,
            exit_code=info.driver_exit_code,
            error=f"Ray could not run the job ({status}): {message}",
            finished_at=time.time(),
        )

    def _record(self, job: _Job) -> dict[str, object] | None:
        try:
            logs = self.client.get_job_logs(job.submission)
        except Exception:
            return None
        for line in reversed(logs.splitlines()):
            if line.startswith(ray_job.OUTCOME_MARK):
                try:
                    value = json.loads(line[len(ray_job.OUTCOME_MARK) :])
                except ValueError:
                    return None
                return value if isinstance(value, dict) else None
        return None

    def _end(self, job: _Job, outcome: Outcome) -> None:
        with self._lock:
            job.outcome = outcome
        callback = self._callback
        if callback is not None:
            try:
                callback(job.job_id)
            except Exception:
                logger.exception("job %s: the on_exit callback failed", job.job_id)


def _inline_snapshot(path: Path | None) -> str | None:
    """The snapshot's bytes in base64 when it is small enough to travel in the Ray job's
    description (:data:`INLINE_SNAPSHOT_BYTES`); ``None`` otherwise."""
    if path is None:
        return None
    try:
        if path.stat().st_size > INLINE_SNAPSHOT_BYTES:
            return None
        return base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return None  # the entrypoint fetches it from the server
