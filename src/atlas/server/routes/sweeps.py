"""``/api/v1/sweeps``: create a sweep, read it and its trials, stop, resume, add trials
(docs/sweeps.md, "REST API"). The work is the sweep controller's (``atlas.hpo``)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from atlas.errors import InvalidInputError, NotFoundError
from atlas.hpo.controller import SweepController
from atlas.hpo.results import best_trials
from atlas.hpo.spec import parse_spec
from atlas.hpo.study import check_tools, importances
from atlas.names import MAX_SWEEP_OBJECTIVES, is_job_id, shown
from atlas.server.auth.access import BodyProjectEditor, ProjectViewer, SweepEditor, SweepViewer
from atlas.server.deps import ProjectPath, StoreDep
from atlas.server.sweep_schemas import (
    ImportanceOut,
    ImportancesOut,
    SweepCreate,
    SweepListOut,
    SweepOut,
    TrialListOut,
    TrialOut,
    TrialsAdd,
)
from atlas.store.api import Store

__all__ = ["router"]

router = APIRouter(tags=["sweeps"])


def _controller(request: Request) -> SweepController:
    return cast(SweepController, request.app.state.sweeps)


def _sweep_id(
    sweep_id: Annotated[str, Path(description="A sweep id: 16 characters of 0-9a-z.")],
) -> str:
    if not is_job_id(sweep_id):
        raise NotFoundError(
            f"sweep {shown(sweep_id)!r} not found", detail={"sweep_id": shown(sweep_id)}
        )
    return sweep_id


ControllerDep = Annotated[SweepController, Depends(_controller)]
SweepIdPath = Annotated[str, Depends(_sweep_id)]


def _out(store: Store, sweep_id: str) -> SweepOut:
    """The sweep as answered, with its best trials (blocking: run in a thread)."""
    sweep = store.get_sweep(sweep_id)
    try:
        objectives = parse_spec(sweep.spec).objectives
    except InvalidInputError:  # a spec stored by an older Atlas that this one refuses
        objectives = ()
    return SweepOut.from_domain(sweep, best_trials(objectives, store.list_trials(sweep_id)))


@router.post("/sweeps", status_code=201)
async def create_sweep(
    caller: BodyProjectEditor, body: SweepCreate, controller: ControllerDep, store: StoreDep
) -> SweepOut:
    """Create a sweep and start its trials (its project is created when missing, owned by
    the caller). 422 ``invalid_input`` lists every problem of the spec with its path; 422
    ``missing_extra`` when the sampler needs what the server lacks (``gp``: torch)."""
    # Bad input is answered before the project is created for the caller.
    await run_in_threadpool(lambda: check_tools(parse_spec(body.spec, project=body.project)))
    await run_in_threadpool(caller.require, body.project, create=True)
    user = caller.job_user or body.user
    sweep = await run_in_threadpool(
        lambda: controller.create(
            body.spec, project=body.project, user=user, snapshot=body.snapshot
        )
    )
    return await run_in_threadpool(_out, store, sweep.id)


@router.get("/projects/{name}/sweeps")
async def list_sweeps(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> SweepListOut:
    """The project's sweeps, newest first."""

    def listing() -> SweepListOut:
        return SweepListOut(items=[_out(store, sweep.id) for sweep in store.list_sweeps(name)])

    return await run_in_threadpool(listing)


@router.get("/sweeps/{sweep_id}")
async def get_sweep(caller: SweepViewer, sweep_id: SweepIdPath, store: StoreDep) -> SweepOut:
    """The sweep: status, spec, budget, trial counts, error and best trials."""
    return await run_in_threadpool(_out, store, sweep_id)


@router.get("/sweeps/{sweep_id}/trials")
async def list_trials(caller: SweepViewer, sweep_id: SweepIdPath, store: StoreDep) -> TrialListOut:
    """The sweep's trials by number."""
    trials = await run_in_threadpool(store.list_trials, sweep_id)
    return TrialListOut(items=[TrialOut.from_domain(trial) for trial in trials])


@router.get("/sweeps/{sweep_id}/importances")
async def get_importances(
    caller: SweepViewer,
    sweep_id: SweepIdPath,
    store: StoreDep,
    objective: Annotated[int, Query(ge=0, lt=MAX_SWEEP_OBJECTIVES)] = 0,
) -> ImportancesOut:
    """Each parameter's importance for objective ``objective`` (Optuna's default
    evaluator), most important first; empty with a ``reason`` before 2 complete trials."""

    def compute() -> ImportancesOut:
        sweep = store.get_sweep(sweep_id)
        spec = parse_spec(sweep.spec)
        if objective >= len(spec.objectives):
            message = f"objective: this sweep has {len(spec.objectives)} objective(s)"
            raise InvalidInputError(
                message, detail={"errors": [{"field": "objective", "message": message}]}
            )
        trials = store.list_trials(sweep_id)
        try:
            found = importances(spec, trials, objective)
        except (ValueError, RuntimeError) as exc:
            return ImportancesOut(items=[], reason=f"Optuna could not compute them: {exc}")
        if not found:
            return ImportancesOut(items=[], reason="fewer than 2 complete trials")
        items = [ImportanceOut(param=key, importance=value) for key, value in found.items()]
        return ImportancesOut(items=items)

    return await run_in_threadpool(compute)


@router.post("/sweeps/{sweep_id}/stop")
async def stop_sweep(
    caller: SweepEditor, sweep_id: SweepIdPath, controller: ControllerDep, store: StoreDep
) -> SweepOut:
    """Stop the sweep: no new trials; its running trials are cancelled."""
    await run_in_threadpool(controller.stop, sweep_id)
    return await run_in_threadpool(_out, store, sweep_id)


@router.post("/sweeps/{sweep_id}/resume")
async def resume_sweep(
    caller: SweepEditor, sweep_id: SweepIdPath, controller: ControllerDep, store: StoreDep
) -> SweepOut:
    """Run a stopped or failed sweep again."""
    await run_in_threadpool(controller.resume, sweep_id)
    return await run_in_threadpool(_out, store, sweep_id)


@router.post("/sweeps/{sweep_id}/trials")
async def add_trials(
    caller: SweepEditor,
    sweep_id: SweepIdPath,
    body: TrialsAdd,
    controller: ControllerDep,
    store: StoreDep,
) -> SweepOut:
    """Raise the sweep's budget by ``count`` trials (a completed sweep runs again)."""
    await run_in_threadpool(controller.add_trials, sweep_id, body.count)
    return await run_in_threadpool(_out, store, sweep_id)
