"""``/api/v1/sweeps``: create a sweep, read it and its trials, stop, resume, add trials
(docs/sweeps.md, "REST API"). The work is the sweep controller's (``atlas.hpo``)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from atlas.domain import Sweep, Trial, TrialState
from atlas.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from atlas.hpo.controller import SweepController
from atlas.hpo.results import best_trials
from atlas.hpo.spec import SweepSpec, can_grow, parse_spec
from atlas.hpo.study import importances
from atlas.names import MAX_SWEEP_OBJECTIVES, MAX_SWEEP_TRIALS, invalid, is_job_id, shown
from atlas.server.auth.access import (
    BodyProjectEditor,
    Caller,
    ProjectViewer,
    SweepEditor,
    SweepViewer,
)
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


def _spec(sweep: Sweep) -> SweepSpec | None:
    """The sweep's parsed spec (``None``: a spec stored by an older Atlas that this one
    refuses)."""
    try:
        return parse_spec(sweep.spec)
    except InvalidInputError:
        return None


def _answer(sweep: Sweep, trials: list[Trial] | None) -> SweepOut:
    """The sweep as answered, with its best trials among ``trials`` (none: no best)."""
    spec = _spec(sweep)
    objectives = spec.objectives if spec is not None else ()
    best = best_trials(objectives, trials) if trials else []
    addable = spec is not None and can_grow(spec) and sweep.trials < MAX_SWEEP_TRIALS
    return SweepOut.from_domain(sweep, best, addable=addable)


def _out(store: Store, sweep_id: str) -> SweepOut:
    """The sweep as answered, with its best trials (blocking: run in a thread)."""
    return _answer(store.get_sweep(sweep_id), store.list_trials(sweep_id))


def _authorise(caller: Caller, store: Store, project: str) -> None:
    """Refuse a caller who may not edit ``project`` before its spec is checked, without
    creating the project (blocking). A missing project is left to ``require(create=True)``
    after the checks: it creates it for a person and refuses a job's token."""
    try:
        caller.require(project)
    except PermissionDeniedError:
        try:
            store.get_project(project)
        except NotFoundError:
            return
        raise


@router.post("/sweeps", status_code=201)
async def create_sweep(
    caller: BodyProjectEditor, body: SweepCreate, controller: ControllerDep, store: StoreDep
) -> SweepOut:
    """Create a sweep and start its trials (its project is created when missing, owned by
    the caller). 422 ``invalid_input`` lists every problem of the spec with its path; 422
    ``missing_extra`` when the sampler needs what the server lacks (``gp``: torch)."""
    # The caller's role first, then every check, and only then the project is created:
    # bad input leaves nothing behind.
    await run_in_threadpool(_authorise, caller, store, body.project)
    user = caller.job_user or body.user
    spec = await run_in_threadpool(
        lambda: controller.check(body.spec, project=body.project, snapshot=body.snapshot)
    )
    await run_in_threadpool(caller.require, body.project, create=True)
    sweep = await run_in_threadpool(
        lambda: controller.create(spec, project=body.project, user=user, snapshot=body.snapshot)
    )
    return _answer(sweep, [])


@router.get("/projects/{name}/sweeps")
async def list_sweeps(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> SweepListOut:
    """The project's sweeps, newest first; each with its best trials."""

    def listing() -> SweepListOut:
        items = []
        for sweep in store.list_sweeps(name):
            # only a sweep with a complete trial has a best one to read
            complete = sweep.counts.get(TrialState.COMPLETE, 0) > 0
            items.append(_answer(sweep, store.list_trials(sweep.id) if complete else None))
        return SweepListOut(items=items)

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
            raise invalid("objective", message)
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
