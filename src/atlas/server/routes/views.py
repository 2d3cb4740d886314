"""Saved views of the GUI workspace: ``/api/v1/projects/{name}/views`` and
``/api/v1/views/{view_id}`` (docs/rest-api.md, "Saved views"). A project's members read
them; its editors save, change and delete them (each change in the audit trail)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from starlette.concurrency import run_in_threadpool

from atlas.errors import ViewNotFoundError
from atlas.names import is_job_id, shown
from atlas.server.auth.access import (
    Caller,
    ProjectEditor,
    ProjectViewer,
    ViewEditor,
    ViewViewer,
)
from atlas.server.deps import ProjectPath, StoreDep
from atlas.server.workspace_schemas import ViewCreate, ViewListOut, ViewOut, ViewUpdate

__all__ = ["router"]

router = APIRouter(tags=["views"])


def _view_id(
    view_id: Annotated[str, Path(description="A saved view's id: 16 characters of 0-9a-z.")],
) -> str:
    if not is_job_id(view_id):
        raise ViewNotFoundError(
            f"view {shown(view_id)!r} not found", detail={"view_id": shown(view_id)}
        )
    return view_id


ViewIdPath = Annotated[str, Depends(_view_id)]


def _author(caller: Caller) -> str:
    """Who the view records as its author: the caller, or ``local`` with auth off."""
    return caller.principal.actor if caller.auth else "local"


@router.get("/projects/{name}/views")
async def list_views(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> ViewListOut:
    """The project's saved views: the default first, then by name."""
    found = await run_in_threadpool(store.list_views, name)
    return ViewListOut(items=[ViewOut.from_domain(view) for view in found])


@router.post("/projects/{name}/views", status_code=201)
async def create_view(
    caller: ProjectEditor, name: ProjectPath, body: ViewCreate, store: StoreDep
) -> ViewOut:
    """Save a view of the project: 409 ``view_exists`` when the name is taken, 413
    ``view_too_large`` past 64 KiB of state; a new default replaces the project's other."""
    view = await run_in_threadpool(
        lambda: store.create_view(
            name,
            name=body.name,
            state=body.state,
            is_default=body.is_default,
            user=_author(caller),
        )
    )
    return ViewOut.from_domain(view)


@router.get("/views/{view_id}")
async def get_view(caller: ViewViewer, view_id: ViewIdPath, store: StoreDep) -> ViewOut:
    """The saved view; 404 ``view_not_found``."""
    return ViewOut.from_domain(await run_in_threadpool(store.get_view, view_id))


@router.patch("/views/{view_id}")
async def update_view(
    caller: ViewEditor, view_id: ViewIdPath, body: ViewUpdate, store: StoreDep
) -> ViewOut:
    """Rename the view, replace its state or make it (not) the project's default."""
    view = await run_in_threadpool(
        lambda: store.update_view(
            view_id,
            user=_author(caller),
            name=body.name,
            state=body.state,
            is_default=body.is_default,
        )
    )
    return ViewOut.from_domain(view)


@router.delete("/views/{view_id}", status_code=204)
async def delete_view(caller: ViewEditor, view_id: ViewIdPath, store: StoreDep) -> Response:
    """Delete the saved view."""
    await run_in_threadpool(store.delete_view, view_id)
    return Response(status_code=204)
