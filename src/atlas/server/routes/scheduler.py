"""``/api/v1/scheduler`` and ``/api/v1/queue``: what the scheduler holds, and clearing the
queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from atlas.executors.base import GpuInfo
from atlas.scheduler.scheduler import Scheduler, SchedulerState
from atlas.server.auth.access import Caller, Need, Of, SignedIn, access
from atlas.server.deps import SchedulerDep, StoreDep
from atlas.server.schemas import (
    CapacityOut,
    GpuOut,
    JobOut,
    NodeOut,
    QueueClearOut,
    SchedulerOut,
    SchedulerResourcesOut,
)
from atlas.store.api import Store

__all__ = ["router"]

router = APIRouter(tags=["scheduler"])


@router.get("/scheduler")
async def scheduler_state(
    caller: SignedIn,
    scheduler: SchedulerDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=0, le=10_000)] = 100,
) -> SchedulerOut:
    """Resources in use, GPUs and their jobs, the first ``limit`` queued jobs in dispatch
    order with what each waits for, the running jobs, the job holding the reservation, and
    whether this server runs the jobs (``active``) or another server on the same database
    does (``standby``). Queued and running jobs are listed from the projects the caller may
    read; resources and the queue's length count every job."""
    return await run_in_threadpool(_state, scheduler, store, limit, caller)


@router.delete("/queue")
async def clear_queue(
    caller: Annotated[Caller, access(Need.EDITOR, Of.QUERY)],
    scheduler: SchedulerDep,
    project: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> QueueClearOut:
    """Cancel every queued job (admins), or only ``project``'s (its editors; never another
    project's)."""
    if project is None:
        caller.require_admin()
    else:
        await run_in_threadpool(caller.require, project)
    return QueueClearOut(cancelled=await run_in_threadpool(scheduler.clear_queue, project))


def _state(scheduler: Scheduler, store: Store, limit: int, caller: Caller) -> SchedulerOut:
    state: SchedulerState = scheduler.state(limit=limit)
    readable = caller.readable()
    every = store.get_jobs([*state.queue, *state.running, *_holders(state)])
    jobs = {job.id: job for job in every if readable is None or job.project in readable}

    def shown(job_id: str | None) -> str | None:
        return job_id if job_id in jobs else None  # another project's job: held, not named

    def gpu_out(gpu: GpuInfo, holder: str | None) -> GpuOut:
        return GpuOut(
            index=gpu.index,
            name=gpu.name,
            memory_total=gpu.memory_total,
            job_id=shown(holder),
            held=holder is not None,
        )

    gpus = [gpu_out(gpu, holder) for gpu, holder in state.gpus]
    nodes = [
        NodeOut(
            id=node.node.id,
            name=node.node.name,
            address=node.node.address,
            alive=node.alive,
            labels=dict(node.node.labels),
            cpus=CapacityOut(total=node.node.cpus, used=node.cpus_used),
            memory=CapacityOut(total=node.node.memory, used=node.memory_used),
            gpus=[gpu_out(gpu, holder) for gpu, holder in node.gpus],
            running=[job_id for job_id in node.running if job_id in jobs],
        )
        for node in state.nodes
    ]
    return SchedulerOut(
        resources=SchedulerResourcesOut(
            cpus=CapacityOut(total=state.cpus_total, used=state.cpus_used),
            memory=CapacityOut(total=state.memory_total, used=state.memory_used),
            gpus=gpus,
        ),
        queue=[JobOut.from_domain(jobs[i]) for i in state.queue if i in jobs],
        queue_total=state.queue_total,
        running=[JobOut.from_domain(jobs[i]) for i in state.running if i in jobs],
        reservation=shown(state.reservation),
        mode=state.mode,
        waiting_for={job_id: why for job_id, why in state.waiting_for.items() if job_id in jobs},
        nodes=nodes,
    )


def _holders(state: SchedulerState) -> list[str]:
    """The jobs that hold a GPU or the reservation, besides the queue and the running."""
    held = [holder for _gpu, holder in state.gpus if holder is not None]
    return held + ([state.reservation] if state.reservation else [])
