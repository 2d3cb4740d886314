"""The scheduler's start: its queue rebuilt from the store, and the jobs that were starting
or running when the server stopped reconciled with what is really there.

A job whose launcher is still alive is adopted (it keeps its CPUs, memory and GPUs); one
that ended while the server was away is adopted too, and the executor reports the exit code
its launcher wrote (``<workdir>/.atlas/exit.json``) at the next tick; any other is ``lost``.
A queued job that can no longer fit the machine (its GPUs were removed) is cancelled with
the reason, so it cannot hold the reservation forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from atlas.domain import JobError, JobStatus
from atlas.errors import AtlasError
from atlas.executors.base import Allocation
from atlas.scheduler.inventory import check_request
from atlas.scheduler.resources import request_from
from atlas.scheduler.scheduler import RunningJob, Scheduler
from atlas.store.api import ActiveJob, QueuedJob

__all__ = ["ReconcileReport", "allocation_from", "reconcile"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ReconcileReport:
    """What the start found: jobs queued again, adopted, lost, and cancelled because they
    can no longer fit."""

    queued: int = 0
    adopted: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def reconcile(scheduler: Scheduler) -> ReconcileReport:
    """Load the queue and reconcile active jobs (call once, before ``start``)."""
    report = ReconcileReport()
    with scheduler.lock:
        for queued in scheduler.store.list_queued():
            _requeue(scheduler, queued, report)
        for active in scheduler.store.list_active():
            _reconcile_active(scheduler, active, report)
        scheduler.wake()
    logger.info(
        "scheduler: %d jobs queued, %d adopted, %d lost, %d cancelled",
        report.queued,
        len(report.adopted),
        len(report.lost),
        len(report.cancelled),
    )
    return report


def allocation_from(resources: Mapping[str, object]) -> Allocation:
    """The allocation recorded in a started job's ``resources`` (with ``gpu_indices``)."""
    request = request_from(resources)
    indices = resources.get("gpu_indices") or []
    gpus = tuple(int(i) for i in indices) if isinstance(indices, list) else ()
    return Allocation(cpus=request.cpus, memory=request.memory or None, gpus=gpus)


def _requeue(scheduler: Scheduler, queued: QueuedJob, report: ReconcileReport) -> None:
    try:
        request = request_from(queued.resources)
        check_request(request, scheduler.inventory)
    except AtlasError as exc:
        error = JobError(type="ResourceUnavailable", message=exc.message)
        scheduler.store.update_job(queued.id, status=JobStatus.CANCELLED, error=error)
        report.cancelled.append(queued.id)
        return
    scheduler.queue.add(
        queued.id, priority=queued.priority, queued_at=queued.queued_at, request=request
    )
    report.queued += 1


def _reconcile_active(scheduler: Scheduler, active: ActiveJob, report: ReconcileReport) -> None:
    adopted = False
    if active.launch is not None:
        try:
            adopted = scheduler.executor.adopt(active.id, dict(active.launch))
        except Exception:
            logger.exception("job %s could not be adopted", active.id)
    if not adopted:
        why = "the server stopped and the job's process was gone when it started again"
        if active.launch is None:
            why = "the server stopped before the job's process was started"
        scheduler.store.update_job(
            active.id, status=JobStatus.LOST, error=JobError(type="Lost", message=why)
        )
        report.lost.append(active.id)
        return
    allocation = allocation_from(active.resources)
    scheduler.ledger.hold(active.id, allocation)
    since = None
    if active.status == JobStatus.RUNNING and active.started_at is not None:
        since = active.started_at.timestamp()
    scheduler.running[active.id] = RunningJob(
        active.id, allocation, timeout=active.timeout, since=since
    )
    report.adopted.append(active.id)
