"""TensorBoard over selected jobs: ``/api/v1/tensorboards`` opens, lists and stops them;
``/tensorboard/<id>/...`` serves one through the server (docs/tensorboard.md).

Everyone who may read every job of an instance may use it; to anyone else it does not exist
(404), so its id reveals nothing. The proxy route checks that on every request, with the
same credentials as the API (a browser session's cookie, a token).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from atlas.errors import NotFoundError
from atlas.server.auth.access import Caller, Need, Of, SignedIn, access
from atlas.server.deps import StoreDep
from atlas.server.schemas import ItemsOut
from atlas.server.tensorboard_proxy import forward
from atlas.server.tensorboard_schemas import TensorBoardCreate, TensorBoardOut
from atlas.server.tensorboards import PATH_PREFIX, TensorBoard, TensorBoards

__all__ = ["proxy_router", "router"]

router = APIRouter(tags=["tensorboard"])
proxy_router = APIRouter(include_in_schema=False)

JobsViewer = Annotated[Caller, access(Need.VIEWER, Of.BODY)]
"""A viewer of the project of every job the body names."""
TensorBoardUser = Annotated[Caller, access(Need.SIGNED_IN, audit=False, csrf=False)]
"""Anyone signed in; the route checks that they may read every job of the instance.
TensorBoard's pages post their data queries without Atlas's CSRF token."""

_METHODS = ["GET", "POST", "HEAD"]


def _tensorboards(request: Request) -> TensorBoards:
    found: TensorBoards = request.app.state.tensorboards
    return found


@router.post("/tensorboards")
async def open_tensorboard(
    caller: JobsViewer, body: TensorBoardCreate, request: Request, store: StoreDep
) -> TensorBoardOut:
    """The TensorBoard over exactly these jobs, started when none runs (this waits until
    it answers): open its ``path`` on this server. 422 ``missing_extra`` when the server
    lacks the ``tensorboard`` package; 409 ``at_capacity`` when ``max_tensorboards`` are
    in use."""
    projects = await run_in_threadpool(lambda: [store.job_project(j) for j in body.jobs])
    for project in sorted(set(projects)):
        await run_in_threadpool(caller.require, project)
    instance, started = await _tensorboards(request).open(body.jobs)
    return TensorBoardOut.of(instance, started=started)


@router.get("/tensorboards")
async def list_tensorboards(caller: SignedIn, request: Request) -> ItemsOut[TensorBoardOut]:
    """The TensorBoards running over jobs the caller may all read."""
    readable = await run_in_threadpool(caller.readable)
    found = list(_tensorboards(request).instances.values())
    items = [
        TensorBoardOut.of(i)
        for i in found
        if i.running and (readable is None or i.projects <= readable.keys())
    ]
    return ItemsOut[TensorBoardOut](items=items)


@router.delete("/tensorboards/{tensorboard_id}", status_code=204)
async def stop_tensorboard(caller: SignedIn, tensorboard_id: str, request: Request) -> Response:
    """Stop a TensorBoard the caller may use (any of them may: it is shared)."""
    tensorboards = _tensorboards(request)
    await _usable(caller, tensorboards, tensorboard_id)
    await run_in_threadpool(tensorboards.stop, tensorboard_id)
    return Response(status_code=204)


@proxy_router.api_route(PATH_PREFIX + "/{tensorboard_id}", methods=_METHODS)
async def tensorboard_root(
    caller: TensorBoardUser, tensorboard_id: str, request: Request
) -> Response:
    """``/tensorboard/<id>`` -> ``/tensorboard/<id>/`` (TensorBoard's pages are relative)."""
    await _usable(caller, _tensorboards(request), tensorboard_id)
    return RedirectResponse(f"{PATH_PREFIX}/{tensorboard_id}/", status_code=308)


@proxy_router.api_route(PATH_PREFIX + "/{tensorboard_id}/{path:path}", methods=_METHODS)
async def tensorboard_page(
    caller: TensorBoardUser, tensorboard_id: str, path: str, request: Request
) -> Response:
    """A page or data request of TensorBoard ``tensorboard_id``, forwarded to it."""
    tensorboards = _tensorboards(request)
    instance = await _usable(caller, tensorboards, tensorboard_id)
    instance.touch()
    return await forward(tensorboards.http, instance, path, request)


async def _usable(caller: Caller, tensorboards: TensorBoards, tensorboard_id: str) -> TensorBoard:
    """The running instance, if the caller may read every one of its jobs; else 404."""
    instance = tensorboards.find(tensorboard_id)
    if instance is not None and caller.auth:
        readable = await run_in_threadpool(caller.readable)
        if readable is not None and not instance.projects <= readable.keys():
            instance = None
    if instance is None:
        raise NotFoundError(
            f"no TensorBoard {tensorboard_id[:40]} runs that you may open",
            detail={"tensorboard_id": tensorboard_id[:40]},
        )
    return instance
