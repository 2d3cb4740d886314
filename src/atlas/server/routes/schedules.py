"""Recurring jobs: ``/api/v1/projects/{name}/schedules`` and ``/api/v1/schedules/{id}``
(docs/rest-api.md, "Recurring jobs"). A project's members read them; its editors create,
pause, resume, change and delete them (each change in the audit trail). The work is the
server's :class:`atlas.scheduler.recurring.Recurring`."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from atlas.names import invalid
from atlas.scheduler.recurring import Recurring
from atlas.server.auth.access import (
    Caller,
    ProjectEditor,
    ProjectViewer,
    ScheduleEditor,
    ScheduleViewer,
    SignedIn,
)
from atlas.server.deps import ProjectPath, StoreDep, path_id
from atlas.server.schedule_schemas import (
    ScheduleCreate,
    ScheduleListOut,
    ScheduleOut,
    ScheduleUpdate,
)

__all__ = ["router"]

router = APIRouter(tags=["schedules"])


def _recurring(request: Request) -> Recurring:
    return cast(Recurring, request.app.state.recurring)


ScheduleIdPath = Annotated[str, Depends(path_id("schedule_id", "schedule"))]
RecurringDep = Annotated[Recurring, Depends(_recurring)]


def _author(caller: Caller) -> str:
    """Who the schedule records as its maker: the caller, or ``local`` with auth off."""
    return caller.principal.actor if caller.auth else "local"


@router.get("/projects/{name}/schedules")
async def list_schedules(
    caller: ProjectViewer, name: ProjectPath, store: StoreDep
) -> ScheduleListOut:
    """The project's recurring jobs by name, each with its next run time."""
    found = await run_in_threadpool(store.list_schedules, name)
    return ScheduleListOut(items=[ScheduleOut.from_domain(each) for each in found])


@router.get("/schedules")
async def list_all_schedules(caller: SignedIn, store: StoreDep) -> ScheduleListOut:
    """The recurring jobs of every project the caller reads (the GUI's scheduler page), by
    project, then name."""
    readable = await run_in_threadpool(caller.readable)
    found = await run_in_threadpool(store.list_schedules)
    return ScheduleListOut(
        items=[
            ScheduleOut.from_domain(each)
            for each in found
            if readable is None or each.project in readable
        ]
    )


@router.post("/projects/{name}/schedules", status_code=201)
async def create_schedule(
    caller: ProjectEditor, name: ProjectPath, body: ScheduleCreate, recurring: RecurringDep
) -> ScheduleOut:
    """Submit ``job`` (a submission's body) on the cron expression: 422 ``invalid_input``
    for an expression that is wrong or never fires, or an unknown time zone; 422
    ``resource_unavailable`` for a job that can never fit; 404 for a snapshot not
    uploaded."""
    if body.job.project != name:
        raise invalid("job.project", f"the job's project must be the schedule's ({name!r})")
    spec = caller.own(replace(body.job.to_spec(), project=name))
    await run_in_threadpool(caller.require_related, spec)
    schedule = await run_in_threadpool(
        lambda: recurring.create(
            spec,
            cron_expr=body.cron,
            timezone=body.timezone,
            name=body.name,
            user=_author(caller),
            paused=body.paused,
        )
    )
    return ScheduleOut.from_domain(schedule)


@router.get("/schedules/{schedule_id}")
async def get_schedule(
    caller: ScheduleViewer, schedule_id: ScheduleIdPath, store: StoreDep
) -> ScheduleOut:
    """The recurring job; 404 when there is none of this id."""
    return ScheduleOut.from_domain(await run_in_threadpool(store.get_schedule, schedule_id))


@router.patch("/schedules/{schedule_id}")
async def update_schedule(
    caller: ScheduleEditor,
    schedule_id: ScheduleIdPath,
    body: ScheduleUpdate,
    recurring: RecurringDep,
) -> ScheduleOut:
    """Pause (``paused: true``), resume (next run: its first slot from now), rename, or
    change the cron expression or time zone."""
    schedule = await run_in_threadpool(
        lambda: recurring.update(
            schedule_id,
            name=body.name,
            cron_expr=body.cron,
            timezone=body.timezone,
            paused=body.paused,
        )
    )
    return ScheduleOut.from_domain(schedule)


@router.delete("/schedules/{schedule_id}", status_code=204)
async def delete_schedule(
    caller: ScheduleEditor, schedule_id: ScheduleIdPath, store: StoreDep
) -> Response:
    """Delete the recurring job; the jobs it submitted stay."""
    await run_in_threadpool(store.delete_schedule, schedule_id)
    return Response(status_code=204)
