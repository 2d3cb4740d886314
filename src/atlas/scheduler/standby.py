"""What a server in standby does (another server on the same database holds the scheduler's
lease, :mod:`atlas.scheduler.lease`): it shows what the store says the holder holds, and
cancels a job through the store or by signalling its process on this machine."""

from __future__ import annotations

import math
import time
from itertools import islice

from atlas.domain import FINAL_STATUSES, Job, JobStatus
from atlas.errors import ConflictError, InvalidTransitionError
from atlas.executors.base import Executor
from atlas.scheduler.inventory import Inventory
from atlas.scheduler.policy import fair_order, turns
from atlas.scheduler.queue import JobQueue
from atlas.scheduler.reconcile import allocation_from
from atlas.scheduler.resources import Ledger, request_from
from atlas.scheduler.view import STANDBY, SchedulerState, build_state
from atlas.store.api import Store

__all__ = ["cancel_in_standby", "standby_state"]


def standby_state(store: Store, inventory: Inventory, limit: int) -> SchedulerState:
    """The view a server in standby gives: what the store says the lease holder holds."""
    queue = JobQueue()
    for queued in store.list_queued():
        queue.add(
            queued.id,
            priority=queued.priority,
            queued_at=queued.queued_at,
            request=request_from(queued.resources),
            parent_id=queued.parent_id,
            user=queued.user,
        )
    ledger = Ledger(inventory.nodes)
    active = store.list_active()
    for job in active:
        ledger.hold(job.id, allocation_from(job.resources))
    head = list(islice(fair_order(queue, turns(active)), limit))
    now = time.time()
    retrying = {
        entry.job_id: f"its retry, in {math.ceil(entry.queued_at - now)} s"
        for entry in head
        if entry.queued_at > now
    }
    return build_state(
        inventory,
        ledger,
        head,
        queue_total=len(queue),
        running=[job.id for job in active],
        reservation=None,
        mode=STANDBY,
        waits_also=retrying,
    )


def cancel_in_standby(store: Store, executor: Executor, job_id: str, *, grace: float) -> Job:
    """Cancel for a server in standby: a queued job in the store (the lease holder drops
    it from its queue), a running one by signalling its launcher on this machine (the
    holder records how it ended)."""
    job = store.get_job(job_id)
    if job.status == JobStatus.QUEUED:
        try:
            return store.update_job(job_id, status=JobStatus.CANCELLED)
        except InvalidTransitionError:
            job = store.get_job(job_id)  # the holder started it meanwhile
    if job.status in FINAL_STATUSES:
        raise InvalidTransitionError(
            f"job {job_id} already ended: it is {job.status}",
            detail={"job_id": job_id, "from": str(job.status), "to": "cancelled"},
        )
    launch = next((a.launch for a in store.list_active() if a.id == job_id), None)
    if launch is None or not executor.adopt(job_id, dict(launch)):
        raise ConflictError(
            f"job {job_id} is {job.status} on the server that schedules for this "
            "database, and cannot be reached from here: stop it through that server, or "
            "try again in a moment",
            detail={"job_id": job_id},
        )
    executor.cancel(job_id, grace=grace)
    return job
