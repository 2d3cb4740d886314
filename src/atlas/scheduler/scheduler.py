"""The scheduler: one authority for scheduled jobs' status, stepped by ``tick(now)``.

State lives in the store (every transition is written as it happens); in memory the
scheduler keeps only a compact queue and the resource ledger, rebuilt at start by
:func:`atlas.scheduler.reconcile.reconcile`. A background thread calls ``tick`` when woken
(a submit, a cancel, a priority change, a job ending: no polling interval for dispatch) and
otherwise at the next timeout or process check. Tests call ``tick(now)`` themselves.

The executor's ``launch`` is called without the scheduler's lock: a launch that blocks (an
engine pulling an image, a cluster slow to answer) holds up that tick alone, never a submit,
a cancel or the state the API reads. The job is ``starting`` in the store and holds its
resources before the launch, and its launch record is written as soon as the launch returns.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import islice

from atlas.domain import FINAL_STATUSES, Job, JobError, JobKind, JobSpec, JobStatus, ParamValue
from atlas.errors import (
    AtlasError,
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)
from atlas.executors.base import Allocation, Executor, LaunchSpec, Outcome
from atlas.names import check_job_name
from atlas.scheduler.files import JobFiles, snapshot_relpath
from atlas.scheduler.inventory import Inventory, check_request
from atlas.scheduler.job_tokens import mint_job_token
from atlas.scheduler.lease import Lease
from atlas.scheduler.outcomes import error_message, final_status
from atlas.scheduler.policy import Free, Room, fair_order, plan, turns
from atlas.scheduler.queue import JobQueue, QueueEntry
from atlas.scheduler.reconcile import reconcile, sync_queue
from atlas.scheduler.resources import Ledger, Loan, Request, request_from
from atlas.scheduler.retries import Retry, announce_attempt, due, next_due, requeue, retry_text
from atlas.scheduler.running import RunningJob
from atlas.scheduler.standby import cancel_in_standby, standby_state
from atlas.scheduler.view import ACTIVE, STANDBY, Mode, SchedulerState, build_state
from atlas.store.api import Store

__all__ = ["RunningJob", "Scheduler", "SchedulerState", "TickReport"]

logger = logging.getLogger(__name__)

POLL_MIN = 0.005
"""Seconds between process checks right after something changed (doubling while idle)."""
POLL_MAX = 1.0
"""Longest wait between two checks of running jobs (jobs also wake the thread on exit)."""
IDLE_WAIT = 60.0
NODES_WAIT = 2.0
"""Longest wait on a cluster, whose nodes may join or leave at any time."""
"""Longest wait when no job runs: only a wake-up has anything to do then."""
UPKEEP_S = 1.0
"""Seconds between two reads of the queue from the store (jobs queued, cancelled or
reprioritised by a server in standby) and two checks that the lease is still held."""
LEASE_RETRY_S = 2.0
"""Seconds between two attempts of a server in standby to take the scheduler's lease."""


@dataclass(frozen=True, slots=True)
class _Launch:
    """A job started in the store and holding its resources, whose executor launch is to be
    made (outside the lock)."""

    run: RunningJob
    spec: LaunchSpec


@dataclass(slots=True)
class TickReport:
    """What one tick did: jobs launched, jobs whose command started, jobs that ended, and
    jobs asked to stop because they ran past their timeout."""

    launched: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything happened."""
        return bool(self.launched or self.running or self.finished or self.timed_out)


class Scheduler:
    """Starts queued jobs on ``executor`` within ``inventory``, in priority order.

    ``files`` gives the executor local paths for logs and snapshots; ``server_url`` and
    ``token`` are handed to each job (``ATLAS_URL``, ``ATLAS_TOKEN``), or with ``job_tokens``
    its own token (:mod:`atlas.scheduler.job_tokens`); ``cancel_grace`` is the time between
    SIGTERM and SIGKILL; ``clock`` gives the ``now`` of the thread's ticks.

    ``lease`` makes it one scheduler among several servers on the database
    (:mod:`atlas.scheduler.lease`): it schedules only while it holds the lease, and stands
    by otherwise: queued jobs are written for the holder to start, a cancel signals the job
    itself. Without a lease it schedules at once (call ``reconcile`` before ``start``).
    """

    def __init__(
        self,
        store: Store,
        executor: Executor,
        inventory: Inventory,
        *,
        files: JobFiles,
        server_url: str,
        token: str = "",
        job_tokens: bool = False,
        cancel_grace: float = 10.0,
        clock: Callable[[], float] = time.time,
        lease: Lease | None = None,
    ) -> None:
        self.store = store
        self.executor = executor
        self.inventory = inventory
        self.files = files
        self.server_url = server_url
        self.token = token
        self.job_tokens = job_tokens
        self.cancel_grace = cancel_grace
        self.clock = clock
        self.lease = lease
        self.active = lease is None
        self.lock = threading.RLock()
        self.queue = JobQueue()
        self._nodes_seen = executor.nodes()
        if self._nodes_seen is not None:
            self.inventory = Inventory(self._nodes_seen)
        self.ledger = Ledger(self.inventory.nodes)
        self.running: dict[str, RunningJob] = {}
        self.reserved: str | None = None
        self.retries: dict[str, Retry] = {}
        """Queued jobs waiting for their retry (:mod:`atlas.scheduler.retries`)."""
        self._dirty = True
        self.ended: list[Callable[[str], None]] = []
        """Called with the id of each job that ends here (after its final status is stored):
        the server forgets the job's token at once."""
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll = POLL_MIN
        self._next_upkeep = 0.0

    # -- submitting ---------------------------------------------------------------------
    def check(self, spec: JobSpec) -> Request:
        """Check that the job ``spec`` describes could be queued, writing nothing; return
        its resource request. ``ResourceUnavailableError`` when it can never fit the
        inventory; ``InvalidInputError`` for bad values (its name, an image on a server
        without a container engine); ``NotFoundError`` for a snapshot not uploaded."""
        check_job_name(spec.name)
        request = request_from(spec.resources)
        check_request(request, self.inventory)
        if spec.image is not None and not self.executor.runs_images:
            raise InvalidInputError(
                f"this server runs jobs as processes on its own host, not in container images "
                f"({spec.image!r} was asked for): start it with a container engine "
                "(docs/containers.md), or submit without --image",
                detail={"errors": [{"field": "image", "message": "no container engine"}]},
            )
        check_image = getattr(self.executor, "check_image", None)
        if spec.image is not None and check_image is not None:
            check_image(spec.image)  # an engine that does not answer: refused now, not queued
        if spec.snapshot is not None and not self.files.artifacts.exists(
            snapshot_relpath(spec.snapshot)
        ):
            raise NotFoundError(
                f"snapshot {spec.snapshot} was not uploaded: PUT it to "
                f"/api/v1/snapshots/{spec.snapshot} first",
                detail={"snapshot": spec.snapshot},
            )
        return request

    def submit(self, spec: JobSpec, *, write: Callable[[JobSpec], Job] | None = None) -> Job:
        """Queue the job ``spec`` describes (checked by :meth:`check`, nothing written when
        it is refused) and wake the dispatcher. ``write`` stores the checked spec (default:
        ``store.submit_job``): a recurring job fires its slot in the same transaction."""
        request = self.check(spec)
        cleaned = replace(spec, resources=request.as_resources())
        job = (write or self.store.submit_job)(cleaned)
        queued_at = job.queued_at.timestamp() if job.queued_at else job.created_at.timestamp()
        with self.lock:
            if self.active:  # in standby, the lease holder finds it in the store
                self.queue.add(
                    job.id,
                    priority=job.priority,
                    queued_at=queued_at,
                    request=request,
                    parent_id=job.parent_id,
                    user=job.user,
                )
                self._dirty = True
        self.wake()
        return job

    def rerun(
        self, job_id: str, params: dict[str, ParamValue] | None = None, *, user: str | None = None
    ) -> Job:
        """Queue job ``job_id`` again: same snapshot, command and resources, ``params``
        merged over the old ones, ``rerun_of`` set, run as ``user`` (default: the old job's
        user). ``ConflictError`` for a job that was not submitted to the scheduler (there is
        no snapshot to run)."""
        old = self.store.get_job(job_id)
        if old.sweep_id is not None:  # a rerun would add a trial its sweep never asked for
            raise ConflictError(
                f"job {job_id} is a trial of sweep {old.sweep_id}: add trials to the sweep "
                f"instead (atlas sweep add {old.sweep_id} N)",
                detail={"job_id": job_id, "sweep_id": old.sweep_id},
            )
        if old.kind != JobKind.SCHEDULED or not old.command:
            raise ConflictError(
                f"job {job_id} was not submitted to the scheduler: there is nothing to rerun",
                detail={"job_id": job_id},
            )
        params = {**old.params, **(params or {})}
        user = old.user if user is None else user
        return self.submit(replace(old.spec, params=params, rerun_of=old.id, user=user))

    @property
    def mode(self) -> Mode:
        """``active`` while this scheduler starts jobs, ``standby`` while another server
        holds the lease."""
        return ACTIVE if self.active else STANDBY

    def state(self, *, limit: int = 100) -> SchedulerState:
        """What the scheduler holds now, with the first ``limit`` queued jobs (in standby:
        what the store says the lease holder holds)."""
        if not self.active:
            return standby_state(self.store, self.inventory, limit)
        with self.lock:
            head = list(islice(fair_order(self.queue, turns(self.running.values())), limit))
            retrying = {
                entry.job_id: retry_text(self.retries[entry.job_id], self.clock())
                for entry in head
                if entry.job_id in self.retries
            }
            return build_state(
                self.inventory,
                self.ledger,
                head,
                queue_total=len(self.queue),
                running=self.running,
                reservation=self.reserved,
                waits_also=retrying,
            )

    def wake(self) -> None:
        """Make the background thread tick now."""
        self._wake.set()

    # -- queue operations ---------------------------------------------------------------
    def cancel(self, job_id: str) -> Job:
        """Cancel a job: a queued one at once, a running one by SIGTERM to its process group
        (SIGKILL after the grace period; it ends ``cancelled``), an MLflow client's run (no
        process to signal: its client may have died without ending it) marked ``cancelled``.
        ``InvalidTransitionError`` for a job that already ended, ``ConflictError`` for one
        this scheduler does not run."""
        found = self.store.get_job(job_id)
        if found.kind == JobKind.MLFLOW and found.status not in FINAL_STATUSES:
            return self.store.update_job(job_id, status=JobStatus.CANCELLED)
        if not self.active:
            return cancel_in_standby(self.store, self.executor, job_id, grace=self.cancel_grace)
        with self.lock:
            job = self.store.get_job(job_id)
            run = self.running.get(job_id)
            if run is not None:
                if run.stop is None:
                    run.stop = "cancelled"
                    if not run.launching:  # else once its launch returns (_launched)
                        self.executor.cancel(job_id, grace=self.cancel_grace)
            elif job.status == JobStatus.QUEUED:
                self.queue.discard(job_id)
                self._dirty = True
                job = self.store.update_job(job_id, status=JobStatus.CANCELLED)
            elif job.status in FINAL_STATUSES:
                raise InvalidTransitionError(
                    f"job {job_id} already ended: it is {job.status}",
                    detail={"job_id": job_id, "from": str(job.status), "to": "cancelled"},
                )
            else:
                raise ConflictError(
                    f"job {job_id} is a {job.kind} job that this server does not run: "
                    "stop its process where it runs",
                    detail={"job_id": job_id},
                )
        self.wake()
        return job

    def clear_queue(self, project: str | None = None) -> list[str]:
        """Cancel every queued job (only ``project``'s when given); return their ids."""
        with self.lock:
            cancelled = self.store.cancel_queued(project)
            for job_id in cancelled:
                self.queue.discard(job_id)
            self._dirty = True
        self.wake()
        return cancelled

    def set_priority(self, job_id: str, priority: int) -> Job:
        """Change a job's priority; a queued job moves to its new place in the queue."""
        with self.lock:
            job = self.store.set_priority(job_id, priority)
            self.queue.reprioritise(job_id, job.priority)
            self._dirty = True
        self.wake()
        return job

    def forget(self, job_id: str) -> None:
        """Before a job is deleted: take it out of the queue, or kill it (no grace) when it
        runs; its end is then not recorded."""
        if not self.active:
            # queued, ended, or not reachable from here: deleting goes on
            with contextlib.suppress(AtlasError):
                cancel_in_standby(self.store, self.executor, job_id, grace=0.0)
            return
        with self.lock:
            self.queue.discard(job_id)
            run = self.running.get(job_id)
            if run is not None:
                run.stop = "deleted"
                if not run.launching:  # else once its launch returns (_launched)
                    self.executor.cancel(job_id, grace=0.0)
            self._dirty = True
        self.wake()

    # -- the tick -----------------------------------------------------------------------
    def tick(self, now: float) -> TickReport:
        """One step: reap ended jobs, mark started ones running, stop those past their
        timeout, then start what fits. ``now`` is the scheduler clock (seconds)."""
        report = TickReport()
        with self.lock:
            if not self.active:
                return report  # the lease holder runs the jobs
            self._refresh_nodes()
            self._reap(now, report)
            self._expire(now, report)
            self._dirty = due(self, now) or self._dirty
            launches = self._dispatch(now)
        report.launched += self._launch_all(launches, now)
        return report

    def _reap(self, now: float, report: TickReport) -> None:
        for run in list(self.running.values()):
            if run.launching:
                continue  # the executor does not know it yet
            try:
                outcome = self.executor.poll(run.job_id)
            except NotFoundError:
                outcome = Outcome(JobStatus.LOST, error="the executor no longer knows this job")
            self.files.pump(run.job_id)
            if outcome is not None:
                self._finish(run, outcome, now)
                report.finished.append(run.job_id)
            elif run.since is None and self.executor.started(run.job_id):
                run.since = now
                self._update(run.job_id, status=JobStatus.RUNNING)
                report.running.append(run.job_id)

    def _finish(self, run: RunningJob, outcome: Outcome, now: float) -> None:
        del self.running[run.job_id]
        self.ledger.release(run.job_id)
        self._dirty = True
        status, error = final_status(run.stop, run.timeout, outcome)
        if run.stop != "deleted" and self._requeue(
            run.job_id, status, outcome.exit_code, error, now
        ):
            return  # the log goes on with the next attempt
        self.files.pump(run.job_id, final=True)
        if run.stop == "deleted":
            return
        if run.since is None and (status == JobStatus.COMPLETED or self._began(run.job_id)):
            # It ran and ended between two ticks: record that it ran (starting -> running).
            self._update(run.job_id, status=JobStatus.RUNNING)
        self._update(run.job_id, status=status, exit_code=outcome.exit_code, error=error)
        logger.info("job %s ended: %s (exit code %s)", run.job_id, status, outcome.exit_code)
        for listener in self.ended:
            listener(run.job_id)

    def _began(self, job_id: str) -> bool:
        try:
            return self.executor.started(job_id)
        except AtlasError:
            return False

    def _expire(self, now: float, report: TickReport) -> None:
        for run in self.running.values():
            if run.timeout is None or run.since is None or run.stop is not None:
                continue
            if now - run.since >= run.timeout:
                run.stop = "timeout"
                self.executor.cancel(run.job_id, grace=self.cancel_grace)
                report.timed_out.append(run.job_id)
                logger.info("job %s ran past its timeout of %ss", run.job_id, run.timeout)

    def _requeue(
        self,
        job_id: str,
        status: JobStatus,
        exit_code: int | None,
        error: JobError | None,
        now: float,
    ) -> bool:
        """Queue the job again when its retries allow (:func:`retries.requeue`); the
        attempt's token was revoked, so the server forgets it as for a job that ended."""
        if not requeue(self, job_id, status=status, exit_code=exit_code, error=error, now=now):
            return False
        for listener in self.ended:
            listener(job_id)
        return True

    def _dispatch(self, now: float) -> list[_Launch]:
        """Choose the queued jobs that start now and prepare their launches."""
        if not self._dirty:
            return []
        self._dirty = False
        rooms = {
            ledger.node: Room(
                free=Free(ledger.free_cpus, ledger.free_memory, len(ledger.free_gpus)),
                total=Free(ledger.total_cpus, ledger.total_memory, len(ledger.gpu_indices)),
                labels=ledger.labels,
            )
            for ledger in self.ledger
            if ledger.alive
        }
        parents = {job_id: run.parent_id for job_id, run in self.running.items()}
        placed = {job_id: run.allocation.node for job_id, run in self.running.items()}
        order = fair_order(self.queue, turns(self.running.values()))
        ready = (entry for entry in order if entry.job_id not in self.retries)
        lenders = self._lenders(parents)
        chosen = plan(ready, rooms, lenders=lenders, parents=parents, placed=placed)
        self.reserved = chosen.reserved
        launches = []
        for entry in chosen.starts:
            node = chosen.nodes[entry.job_id]
            launch = self._prepare(entry, node, chosen.loans.get(entry.job_id), now)
            if launch is not None:
                launches.append(launch)
        return launches

    def _refresh_nodes(self) -> None:
        """Take the executor's nodes when they changed (a node joined or left the cluster)."""
        nodes = self.executor.nodes()
        if nodes is None or nodes is self._nodes_seen:
            return
        self._nodes_seen = nodes
        self.inventory = Inventory(nodes)
        self.ledger.update(nodes)
        self._dirty = True
        logger.info("scheduler: the nodes changed: %s", self.inventory.describe())

    def _lenders(self, parents: dict[str, str | None]) -> dict[str, Free]:
        """The running jobs whose queued descendants may borrow from them, with what each
        can still lend: the parents of queued jobs and their running ancestors."""
        lenders: set[str] = set()
        for parent in self.queue.parents():
            ancestor: str | None = parent
            while ancestor is not None and ancestor in self.running and ancestor not in lenders:
                lenders.add(ancestor)
                ancestor = parents.get(ancestor)
        spare = self.ledger.lendable(lenders)
        return {job_id: Free(cpus, memory, 0) for job_id, (cpus, memory) in spare.items()}

    def _prepare(
        self, entry: QueueEntry, node: str, loan: Loan | None, now: float
    ) -> _Launch | None:
        """Under the lock: take the job's resources, move it to ``starting`` and count it
        as running (``launching``); ``None`` when it cannot start."""
        job_id = entry.job_id
        self.queue.discard(job_id)
        allocation = self.ledger.take(job_id, entry.request, node, loan=loan)
        resources = entry.request.as_resources(allocation.gpus, allocation.node)
        try:
            job = self.store.start_job(job_id, resources=resources)
        except (NotFoundError, InvalidTransitionError):
            self.ledger.release(job_id)  # deleted or cancelled meanwhile
            return None
        run = RunningJob(
            job_id,
            allocation,
            timeout=job.timeout,
            parent_id=entry.parent_id,
            user=entry.user,
            launching=True,
        )
        try:
            token = mint_job_token(self.store, job) if self.job_tokens else self.token
            if job.attempts:
                announce_attempt(self, job_id, attempt=len(job.attempts) + 1, of=job.retries + 1)
            spec = self._spec(job, allocation, token)
        except Exception as exc:  # a job that cannot launch fails; the scheduler goes on
            self._launch_failed(run, exc, now)
            return None
        self.running[job_id] = run
        return _Launch(run, spec)

    def _launch_all(self, launches: list[_Launch], now: float) -> list[str]:
        """Launch each prepared job, without the lock; the ids of those launched. A failure
        to record one (the store down) is logged and the others go on: each job prepared
        is already ``starting``, and from now on ``_reap`` asks the executor about it (lost
        when the executor never heard of it)."""
        launched = []
        for launch in launches:
            try:
                if self._launch(launch, now):
                    launched.append(launch.run.job_id)
            except Exception:
                logger.exception("job %s: its launch could not be recorded", launch.run.job_id)
                with self.lock:
                    launch.run.launching = False
        return launched

    def _launch(self, launch: _Launch, now: float) -> bool:
        """Without the lock: hand the job to the executor, then record the launch (or the
        failure). ``True`` when the job was launched."""
        try:
            record = self.executor.launch(launch.spec).record()
        except Exception as exc:  # a job that cannot launch fails; the scheduler goes on
            with self.lock:
                self._launch_failed(launch.run, exc, now)
            return False
        with self.lock:
            return self._launched(launch.run, record, now)

    def _launched(self, run: RunningJob, record: dict[str, object], now: float) -> bool:
        """Under the lock: keep the launch record (a restarted server adopts the job from
        it), then send the stop asked while it launched."""
        run.launching = False
        try:
            self.store.record_launch(run.job_id, launch=record)
        except NotFoundError as exc:
            if run.stop != "deleted":  # deleted while it launched: killed below
                self._launch_failed(run, exc, now)
                return False
        except Exception as exc:  # as a launch that failed (the scheduler goes on)
            self._launch_failed(run, exc, now)
            return False
        if run.stop is not None:
            grace = 0.0 if run.stop == "deleted" else self.cancel_grace
            self.executor.cancel(run.job_id, grace=grace)
        return True

    def _launch_failed(self, run: RunningJob, exc: Exception, now: float) -> None:
        """Under the lock: free what the job held; it fails (or is queued again for its
        retry), or ends as the stop asked while it launched says."""
        job_id = run.job_id
        logger.error("job %s could not be launched", job_id, exc_info=exc)
        self.running.pop(job_id, None)
        self.ledger.release(job_id)
        self._dirty = True
        if run.stop == "deleted":
            return
        if run.stop == "cancelled":
            self._update(job_id, status=JobStatus.CANCELLED)
            return
        error = JobError(type=type(exc).__name__, message=error_message(exc))
        if not self._requeue(job_id, JobStatus.FAILED, None, error, now):
            self._update(job_id, status=JobStatus.FAILED, error=error)

    def _spec(self, job: Job, allocation: Allocation, token: str) -> LaunchSpec:
        return LaunchSpec(
            job_id=job.id,
            job=job.spec,
            allocation=allocation,
            snapshot_path=None if job.snapshot is None else self.files.snapshot_path(job.snapshot),
            server_url=self.server_url,
            token=token,
            log_path=self.files.log_path(job.id),
            attempt=len(job.attempts) + 1,
        )

    def _update(
        self,
        job_id: str,
        *,
        status: JobStatus,
        exit_code: int | None = None,
        error: JobError | None = None,
    ) -> None:
        """Write a status change; a job deleted or changed meanwhile is logged, not raised."""
        try:
            self.store.set_status(job_id, status, exit_code=exit_code, error=error)
        except (NotFoundError, InvalidTransitionError) as exc:
            logger.warning("job %s: status not recorded: %s", job_id, exc.message)

    # -- the thread ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the background thread. Without a lease, call ``reconcile`` first. With
        one, it is tried at once: the holder reconciles and schedules; otherwise the
        scheduler stands by and tries again every :data:`LEASE_RETRY_S` seconds."""
        self.executor.on_exit(lambda _job_id: self._wake.set())
        self._stopping.clear()
        if self.lease is not None and not self.active and not self.take_over():
            logger.warning(
                "scheduler: standby: another Atlas server on this database holds %s and "
                "runs the jobs; this server serves the API and takes over scheduling if that "
                "server stops",
                self.lease.where,
            )
        self._thread = threading.Thread(target=self._loop, name="atlas-scheduler", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the background thread. Running jobs go on; the next start adopts them."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.executor.on_exit(None)
        if self.lease is not None:
            self.lease.release()
            self.active = False

    def take_over(self) -> bool:
        """Try the lease; once held, rebuild the queue and adopt running jobs from the
        store (:func:`reconcile`) and schedule. ``True`` when this scheduler is active."""
        if self.active:
            return True
        if self.lease is None or not self.lease.acquire():
            return False
        with self.lock:
            self._reset()
            reconcile(self)
            self.active = True
        logger.info("scheduler: active: this server holds %s and runs the jobs", self.lease.where)
        return True

    def _step_down(self) -> None:
        """The lease was lost (its database session was cut): stop scheduling at once;
        running jobs go on and are adopted by whichever server takes the lease."""
        with self.lock:
            self.active = False
            self._reset()
        logger.warning("scheduler: standby: lost the scheduler's lease; trying to take it again")

    def _reset(self) -> None:
        self.queue = JobQueue()
        self.ledger = Ledger(self.inventory.nodes)
        self.running = {}
        self.reserved = None
        self._dirty = True

    def sync_queue(self) -> bool:
        """Read the queue from the store (see :func:`atlas.scheduler.reconcile.sync_queue`);
        ``True`` when it changed. Nothing in standby."""
        with self.lock:
            if not self.active:
                return False
            changed = sync_queue(self)
            self._dirty = self._dirty or changed
            return changed

    def _upkeep(self) -> None:
        """Every :data:`UPKEEP_S` seconds with a lease: check it is still held, and pick up
        what other servers on the database queued, cancelled or reprioritised."""
        now = time.monotonic()
        if self.lease is None or now < self._next_upkeep:
            return
        self._next_upkeep = now + UPKEEP_S
        if not self.lease.check():
            self._step_down()
            return
        self.sync_queue()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if not self.take_over():
                    self._stopping.wait(LEASE_RETRY_S)
                    continue
                self._upkeep()
                report = self.tick(self.clock())
            except Exception:
                logger.exception("a scheduler tick failed; trying again")
                report = TickReport()
            self._wake.wait(self._next_wait(report))

    def _next_wait(self, report: TickReport) -> float:
        upkeep = IDLE_WAIT
        if self.lease is not None:
            upkeep = max(0.0, self._next_upkeep - time.monotonic())
        nodes = IDLE_WAIT if self._nodes_seen is None else NODES_WAIT
        return min(upkeep, nodes, self._ticking_wait(report), self._retry_wait())

    def _retry_wait(self) -> float:
        """Seconds until the next job waiting for its retry may start (``IDLE_WAIT``: none
        waits)."""
        with self.lock:
            at = next_due(self)
            return IDLE_WAIT if at is None else max(0.0, at - self.clock())

    def _ticking_wait(self, report: TickReport) -> float:
        with self.lock:
            if not self.running:
                return IDLE_WAIT
            self._poll = POLL_MIN if report.changed else min(self._poll * 2, POLL_MAX)
            wait = self._poll
            now = self.clock()
            for run in self.running.values():
                if run.timeout is not None and run.since is not None and run.stop is None:
                    wait = min(wait, max(0.0, run.since + run.timeout - now))
            return wait
