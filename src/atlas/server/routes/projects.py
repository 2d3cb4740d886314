"""``/api/v1/projects``: projects, their descriptions, notes, job listings and keys."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response

from atlas.domain import Role
from atlas.server import removal
from atlas.server.auth.access import Person, ProjectEditor, ProjectOwner, ProjectViewer, SignedIn
from atlas.server.deps import ArtifactsDep, LookupsDep, ProjectPath, StoreDep, listing_threads
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
def create_project(
    caller: Person, body: ProjectCreate, store: StoreDep, lookups: LookupsDep
) -> ProjectOut:
    """Create a project, owned by its creator; 409 when the name is taken."""
    project = store.create_project(body.name, description=body.description, owner=caller.job_user)
    lookups.forget_everything()  # roles cached under this name belonged to no project
    return ProjectOut.from_domain(project, role=Role.OWNER)


@router.get("")
def list_projects(caller: SignedIn, store: StoreDep) -> ItemsOut[ProjectOut]:
    """Every project the caller has a role in (admins: every project), most recently active
    first, each with the caller's role."""
    readable = caller.readable()
    items = [
        ProjectOut.from_domain(p, role=Role.OWNER if readable is None else readable[p.name])
        for p in store.list_projects()
        if readable is None or p.name in readable
    ]
    return ItemsOut[ProjectOut](items=items)


@router.get("/{name}")
def get_project(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> ProjectOut:
    """One project with its job counts by status and the caller's role."""
    return ProjectOut.from_domain(store.get_project(name), role=caller.role)


@router.patch("/{name}")
def rename_project(
    caller: ProjectOwner,
    name: ProjectPath,
    body: ProjectRename,
    store: StoreDep,
    lookups: LookupsDep,
) -> ProjectOut:
    """Rename a project; 409 when the new name is taken."""
    project = store.rename_project(name, body.name)
    lookups.forget_everything()  # roles are cached by project name
    return ProjectOut.from_domain(project, role=caller.role)


@router.delete("/{name}", status_code=204)
def delete_project(
    caller: ProjectOwner,
    name: ProjectPath,
    store: StoreDep,
    artifacts: ArtifactsDep,
    lookups: LookupsDep,
) -> Response:
    """Delete a project, its jobs and their files."""
    removal.delete_project(store, artifacts, name)
    lookups.forget_everything()  # its members' roles and its tokens went with it
    return Response(status_code=204)


@router.get("/{name}/description")
def get_description(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> DescriptionOut:
    """The project's markdown description and its sanitised HTML."""
    markdown = store.get_project(name).description
    return DescriptionOut(markdown=markdown, html=render_markdown(markdown))


@router.put("/{name}/description")
def set_description(
    caller: ProjectEditor, name: ProjectPath, body: DescriptionIn, store: StoreDep
) -> DescriptionOut:
    """Replace the project's markdown description."""
    markdown = store.set_description(name, body.markdown).description
    return DescriptionOut(markdown=markdown, html=render_markdown(markdown))


@router.get("/{name}/notes")
def list_notes(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> ItemsOut[NoteOut]:
    """The project's notes, newest first."""
    return ItemsOut[NoteOut](items=[NoteOut.from_domain(n) for n in store.list_notes(name)])


@router.post("/{name}/notes", status_code=201)
def add_note(
    caller: ProjectEditor, name: ProjectPath, body: NoteCreate, store: StoreDep
) -> NoteOut:
    """Add a dated note to the project (with authentication on, its author is the caller)."""
    author = caller.job_user or body.author
    return NoteOut.from_domain(store.add_note(name, author=author, text=body.text))


@router.get("/{name}/jobs", response_model=PageOut[JobOut])
async def list_jobs(
    caller: ProjectViewer,
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
def list_keys(caller: ProjectViewer, name: ProjectPath, store: StoreDep) -> KeysOut:
    """Every param, metric and tag key the project's jobs use (for completion)."""
    return KeysOut(
        params=store.list_param_keys(name),
        metrics=store.list_metric_keys(name),
        tags=store.list_tag_keys(name),
    )
