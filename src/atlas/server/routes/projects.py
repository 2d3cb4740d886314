"""``/api/v1/projects``: projects, their descriptions, notes, job listings and keys."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response

from atlas.server import removal
from atlas.server.deps import ArtifactsDep, ProjectPath, StoreDep, listing_threads
from atlas.server.markdown import render_markdown
from atlas.server.schemas import (
    DescriptionIn,
    DescriptionOut,
    ItemsOut,
    JobOut,
    KeysOut,
    NoteCreate,
    NoteOut,
    PageOut,
    ProjectCreate,
    ProjectOut,
    ProjectRename,
)
from atlas.store.api import JobQuery, Store
from atlas.store.query.lexer import MAX_QUERY_LENGTH

__all__ = ["router"]

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create_project(body: ProjectCreate, store: StoreDep) -> ProjectOut:
    """Create a project; 409 when the name is taken."""
    return ProjectOut.from_domain(store.create_project(body.name, description=body.description))


@router.get("")
def list_projects(store: StoreDep) -> ItemsOut[ProjectOut]:
    """Every project, most recently active first."""
    return ItemsOut[ProjectOut](items=[ProjectOut.from_domain(p) for p in store.list_projects()])


@router.get("/{name}")
def get_project(name: ProjectPath, store: StoreDep) -> ProjectOut:
    """One project with its job counts by status."""
    return ProjectOut.from_domain(store.get_project(name))


@router.patch("/{name}")
def rename_project(name: ProjectPath, body: ProjectRename, store: StoreDep) -> ProjectOut:
    """Rename a project; 409 when the new name is taken."""
    return ProjectOut.from_domain(store.rename_project(name, body.name))


@router.delete("/{name}", status_code=204)
def delete_project(name: ProjectPath, store: StoreDep, artifacts: ArtifactsDep) -> Response:
    """Delete a project, its jobs and their files."""
    removal.delete_project(store, artifacts, name)
    return Response(status_code=204)


@router.get("/{name}/description")
def get_description(name: ProjectPath, store: StoreDep) -> DescriptionOut:
    """The project's markdown description and its sanitised HTML."""
    markdown = store.get_project(name).description
    return DescriptionOut(markdown=markdown, html=render_markdown(markdown))


@router.put("/{name}/description")
def set_description(name: ProjectPath, body: DescriptionIn, store: StoreDep) -> DescriptionOut:
    """Replace the project's markdown description."""
    markdown = store.set_description(name, body.markdown).description
    return DescriptionOut(markdown=markdown, html=render_markdown(markdown))


@router.get("/{name}/notes")
def list_notes(name: ProjectPath, store: StoreDep) -> ItemsOut[NoteOut]:
    """The project's notes, newest first."""
    return ItemsOut[NoteOut](items=[NoteOut.from_domain(n) for n in store.list_notes(name)])


@router.post("/{name}/notes", status_code=201)
def add_note(name: ProjectPath, body: NoteCreate, store: StoreDep) -> NoteOut:
    """Add a dated note to the project."""
    return NoteOut.from_domain(store.add_note(name, author=body.author, text=body.text))


@router.get("/{name}/jobs", response_model=PageOut[JobOut])
async def list_jobs(
    request: Request,
    name: ProjectPath,
    store: StoreDep,
    filter: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    sort: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    """A page of the project's jobs, filtered and sorted (docs/rest-api.md#filters)."""
    # The listing runs, and its page is serialised, in the listing threads: never on the
    # event loop, nor in the threads that ingest, /healthz and the other routes share.
    # One string, so a QuerySyntaxError's position points into what the client sent.
    fields = (sort,) if sort.strip() else ("-created_at",)
    query = JobQuery(filter=filter, sort=fields, limit=limit, offset=offset)
    limiter = listing_threads(request)
    body = await anyio.to_thread.run_sync(_page_json, store, name, query, limiter=limiter)
    return Response(body, media_type="application/json")


def _page_json(store: Store, name: str, query: JobQuery) -> bytes:
    page = store.list_jobs(name, query)
    out = PageOut[JobOut](
        items=[JobOut.from_domain(job) for job in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )
    return out.model_dump_json().encode()


@router.get("/{name}/keys")
def list_keys(name: ProjectPath, store: StoreDep) -> KeysOut:
    """Every param, metric and tag key the project's jobs use (for completion)."""
    return KeysOut(
        params=store.list_param_keys(name),
        metrics=store.list_metric_keys(name),
        tags=store.list_tag_keys(name),
    )
