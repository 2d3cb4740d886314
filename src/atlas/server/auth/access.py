"""The access each route declares, in one place: ``access(Need.EDITOR, Of.JOB)``.

Every API route takes exactly one ``Caller`` parameter made by :func:`access`; the app
refuses to start with a route that has none (:func:`check_declared`), and the OpenAPI
schema shows each declaration as ``x-atlas-access``, which the role-matrix test walks.

A declaration names what the caller needs (:class:`Need`) and where the project it is
checked against comes from (:class:`Of`): the path's project or job, or, for ``Of.BODY``
and ``Of.QUERY``, a project the route names by calling :meth:`Caller.require` (a route that
forgets to fails loudly). Successful changes are written to the audit trail unless the
declaration says ``audit=False`` (job-data ingest).

With authentication off every caller is the local admin and every check passes.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Annotated, Any, get_type_hints

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool

from atlas.domain import JobSpec, Role
from atlas.errors import (
    AtlasError,
    CsrfError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from atlas.names import is_job_id, is_project_name, shown
from atlas.server.auth.credentials import SERVER, Credentials, Lookups
from atlas.server.auth.principal import Principal, PrincipalKind
from atlas.store.api import Store

__all__ = [
    "CSRF_HEADER",
    "Admin",
    "BodyProjectEditor",
    "Caller",
    "Declaration",
    "JobData",
    "JobEditor",
    "JobViewer",
    "Need",
    "NotificationEditor",
    "NotificationViewer",
    "Of",
    "OwnJobEditor",
    "Person",
    "ProjectEditor",
    "ProjectOwner",
    "ProjectViewer",
    "Public",
    "ScheduleEditor",
    "ScheduleViewer",
    "SignedIn",
    "SweepEditor",
    "SweepViewer",
    "ViewEditor",
    "ViewViewer",
    "access",
    "api_routes",
    "check_csrf",
    "check_declared",
    "declaration_of",
]

logger = logging.getLogger(__name__)

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ROLE_OF_NEED: dict[str, Role] = {"viewer": Role.VIEWER, "editor": Role.EDITOR, "owner": Role.OWNER}


class Need(StrEnum):
    """What a caller must be."""

    PUBLIC = "public"  # anyone, even without credentials
    SIGNED_IN = "signed_in"  # anyone with valid credentials, jobs included
    PERSON = "person"  # a user (a session or an unlimited user token), not a job
    VIEWER = "viewer"  # a role in the project, at least viewer
    EDITOR = "editor"
    OWNER = "owner"
    ADMIN = "admin"  # an instance admin


class Of(StrEnum):
    """Where the project a role is checked in comes from."""

    NOTHING = "nothing"
    PROJECT = "path.name"  # the path's project name
    JOB = "path.job_id"  # the project of the path's job
    SWEEP = "path.sweep_id"  # the project of the path's sweep
    VIEW = "path.view_id"  # the project of the path's saved view
    SCHEDULE = "path.schedule_id"  # the project of the path's recurring job
    NOTIFICATION = "path.notification_id"  # the project of the path's notification rule
    BODY = "body.project"  # a project in the body: the route calls Caller.require
    QUERY = "query.project"  # a project in the query: the route calls Caller.require


@dataclass(frozen=True, slots=True)
class Declaration:
    """One route's access rule. ``own_job``: a job's own token may do this to its job even
    without the role; ``audit``: record successful calls (default: every change); ``csrf``:
    a change made with a browser session needs its CSRF token (off only for the TensorBoard
    proxy, whose pages post their data queries without it; the Guard still refuses any
    change a page of another site sends)."""

    need: Need
    of: Of = Of.NOTHING
    own_job: bool = False
    audit: bool | None = None
    csrf: bool = True

    def __post_init__(self) -> None:
        project_need = self.need in _ROLE_OF_NEED
        if project_need != (self.of is not Of.NOTHING):
            raise ValueError(f"{self.need} needs a project source exactly when it is a role")

    def openapi(self) -> dict[str, object]:
        """The ``x-atlas-access`` value of the route's operation."""
        return {"need": str(self.need), "of": str(self.of), "own_job": self.own_job}


@dataclass(slots=True)
class Caller:
    """The caller of one request, after its route's check: who (``principal``), and for a
    route about a project, which (``project``) and with what role (``role``)."""

    principal: Principal
    auth: bool
    lookups: Lookups | None = None
    store: Store | None = None
    project: str | None = None
    role: Role | None = None
    needed: Role | None = None
    checked: bool = field(default=False)

    @property
    def job_user(self) -> str | None:
        """The user to record on jobs this caller creates; ``None`` with auth off and for
        the server itself (the client's own account name is kept)."""
        if not self.auth or self.principal.kind is PrincipalKind.LOCAL:
            return None
        return self.principal.user

    def require(self, project: str, *, create: bool = False) -> Role:
        """Check the caller's role in ``project`` against the route's need (blocking).
        ``create``: a person may name a project that does not exist yet; it is created
        with them as its owner."""
        self.checked = True
        needed = self.needed or Role.VIEWER
        if not self.auth:
            self.project, self.role = project, Role.OWNER
            return Role.OWNER
        assert self.lookups is not None
        assert self.store is not None
        role = _role_in(self.principal, self.lookups, project)
        if role is None and create and self._may_create(project):
            self.store.ensure_project(project, owner=self.principal.user)
            self.lookups.forget_everything()
            role = _role_in(self.principal, self.lookups, project)
        _check_role(role, needed, project)
        assert role is not None
        self.project, self.role = project, role
        return role

    def _may_create(self, project: str) -> bool:
        """Whether naming the missing ``project`` creates it: for a person, not for a job's
        token nor a token limited to another project (which would be refused the project it
        made)."""
        principal = self.principal
        return principal.is_person and principal.project is None and is_project_name(project)

    def require_related(self, spec: JobSpec) -> None:
        """Check the jobs ``spec`` points at (blocking): its parent must be in a project the
        caller edits, the job it reruns in one the caller reads. Without this a child could
        borrow the resources of another team's running job."""
        if not self.auth:
            return
        assert self.lookups is not None
        for job_id, needed in ((spec.parent_id, Role.EDITOR), (spec.rerun_of, Role.VIEWER)):
            if job_id is None:
                continue
            project = self.lookups.job_project(job_id)
            if not _allows(_role_in(self.principal, self.lookups, project), needed):
                raise PermissionDeniedError(
                    f"you may not attach a job to job {job_id} of another project",
                    detail={"job_id": job_id},
                )

    def own(self, spec: JobSpec) -> JobSpec:
        """``spec`` with this caller as its user (with auth on; a job's token: the job's
        user), as the store will record it."""
        user = self.job_user
        return spec if user is None else replace(spec, user=user)

    def child_of_own_job(self, project: str, parent_id: str | None) -> bool:
        """Whether this is a job's token naming its own job as ``parent_id`` in its own
        project: a job may submit children (then the route's check is done)."""
        principal = self.principal
        if principal.kind is not PrincipalKind.JOB or parent_id is None:
            return False
        if parent_id != principal.job_id or project != principal.project:
            return False
        self.checked, self.project, self.role = True, project, Role.EDITOR
        return True

    def require_admin(self) -> None:
        """Check that the caller is an instance admin."""
        self.checked = True
        if not self.principal.admin:
            raise PermissionDeniedError("only an instance admin may do this")

    def readable(self) -> dict[str, Role] | None:
        """The projects this caller may read, with its role in each; ``None``: all of
        them, as owner (admins, and everyone with auth off). Blocking."""
        if not self.auth or (self.principal.admin and self.principal.project is None):
            return None
        assert self.store is not None
        user = self.principal.user
        own = self.store.roles_of(user) if user is not None else {}
        names = [self.principal.project] if self.principal.project is not None else list(own)
        bounded = {name: self.principal.bound(name, own.get(name)) for name in names}
        return {name: role for name, role in bounded.items() if role is not None}


def access(
    need: Need,
    of: Of = Of.NOTHING,
    *,
    own_job: bool = False,
    audit: bool | None = None,
    csrf: bool = True,
) -> Any:
    """The dependency that checks ``need`` (see the module docstring) and gives the route
    its :class:`Caller`: ``caller: Annotated[Caller, access(Need.EDITOR, Of.JOB)]``."""
    declaration = Declaration(need, of, own_job=own_job, audit=audit, csrf=csrf)

    async def check(request: Request) -> AsyncIterator[Caller]:
        caller = await _caller(request, declaration)
        yield caller
        if declaration.of in (Of.BODY, Of.QUERY) and not caller.checked:
            logger.error("route %s never checked its project", request.url.path)
            raise PermissionDeniedError("this route did not check your access")
        audited = declaration.audit
        if audited is None:
            audited = request.method not in SAFE_METHODS
        if audited and caller.auth:
            await run_in_threadpool(_record, request, caller)

    check.__atlas_access__ = declaration  # type: ignore[attr-defined]
    return Depends(check, scope="function")


def declaration_of(endpoint: Callable[..., object]) -> Declaration | None:
    """The access declaration of a route's ``endpoint`` (the parameter made by
    :func:`access`); ``None`` when it has none or several."""
    found: list[Declaration] = []
    for hint in get_type_hints(endpoint, include_extras=True).values():
        for extra in getattr(hint, "__metadata__", ()):
            declared = getattr(getattr(extra, "dependency", None), "__atlas_access__", None)
            if isinstance(declared, Declaration):
                found.append(declared)
    return found[0] if len(found) == 1 else None


def api_routes(app: FastAPI) -> Iterator[tuple[str, frozenset[str], Declaration | None]]:
    """Each API route of ``app``: its path, its methods and its access declaration."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.endpoint is not None:
            methods = frozenset(context.methods or ())
            yield str(context.path_format), methods, declaration_of(context.endpoint)


def check_declared(app: FastAPI) -> None:
    """Refuse an app with an API route that declares no access (or more than one)."""
    missing = [
        f"{sorted(methods)} {path}"
        for path, methods, declaration in api_routes(app)
        if declaration is None
    ]
    if missing:
        raise RuntimeError(f"routes without one access declaration: {', '.join(missing)}")


# -- the check ----------------------------------------------------------------------------
async def _caller(request: Request, declaration: Declaration) -> Caller:
    state = request.app.state
    needed = _ROLE_OF_NEED.get(str(declaration.need))
    if not state.auth_enabled:
        return Caller(SERVER, auth=False, needed=needed, role=Role.OWNER)
    lookups: Lookups = state.lookups
    principal = await _principal(request, lookups, lenient=declaration.need is Need.PUBLIC)
    caller = Caller(principal, auth=True, lookups=lookups, store=state.store, needed=needed)
    if declaration.need is Need.PUBLIC:
        return caller
    if not principal.signed_in:
        raise UnauthenticatedError("log in, or send an API token (docs/auth.md)")
    if declaration.csrf:
        check_csrf(request, principal)
    if declaration.need is Need.ADMIN:
        caller.require_admin()
    elif declaration.need is Need.PERSON and not principal.is_person:
        raise PermissionDeniedError("a job's token may not do this")
    elif declaration.need is Need.PERSON and principal.project is not None:
        raise PermissionDeniedError(
            f"this token reaches only project {principal.project!r}: use a session or an "
            "unlimited token"
        )
    elif declaration.of is Of.PROJECT:
        await _check_project(caller, str(request.path_params.get("name", "")))
    elif declaration.of is Of.JOB:
        await _check_job(caller, declaration, str(request.path_params.get("job_id", "")))
    elif declaration.of is Of.SWEEP:
        await _check_sweep(caller, str(request.path_params.get("sweep_id", "")))
    elif declaration.of is Of.VIEW:
        await _check_view(caller, str(request.path_params.get("view_id", "")))
    elif declaration.of is Of.SCHEDULE:
        await _check_schedule(caller, str(request.path_params.get("schedule_id", "")))
    elif declaration.of is Of.NOTIFICATION:
        rule_id = str(request.path_params.get("notification_id", ""))
        await _check_notification(caller, rule_id)
    return caller


async def _principal(request: Request, lookups: Lookups, *, lenient: bool) -> Principal:
    try:
        credentials = Credentials.of(request)
        found = lookups.cached_principal(credentials)
        if found is None:
            found = await run_in_threadpool(lookups.principal, credentials)
    except UnauthenticatedError:
        if lenient:
            return Principal(PrincipalKind.ANONYMOUS)
        raise
    return found


def check_csrf(request: Request, principal: Principal) -> None:
    """``CsrfError`` for a change made with a session cookie but not its CSRF token."""
    if principal.kind is not PrincipalKind.SESSION or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not principal.csrf or not hmac.compare_digest(sent.encode(), principal.csrf.encode()):
        raise CsrfError(
            f"a change made with a browser session must carry the {CSRF_HEADER} header "
            "(reload the page)"
        )


async def _check_project(caller: Caller, project: str) -> None:
    if not is_project_name(project):
        raise NotFoundError(
            f"project {shown(project)!r} not found", detail={"project": shown(project)}
        )
    assert caller.lookups is not None
    known, role = caller.lookups.cached_role(caller.principal.user, project)
    if known:
        needed = caller.needed or Role.VIEWER
        bounded = caller.principal.bound(project, role)
        _check_role(bounded, needed, project)
        caller.project, caller.role, caller.checked = project, bounded, True
    else:
        await run_in_threadpool(caller.require, project)


async def _check_job(caller: Caller, declaration: Declaration, job_id: str) -> None:
    if not is_job_id(job_id):
        raise NotFoundError(f"job {shown(job_id)!r} not found", detail={"job_id": shown(job_id)})
    principal = caller.principal
    if declaration.own_job and principal.kind is PrincipalKind.JOB and principal.job_id == job_id:
        caller.project, caller.role, caller.checked = principal.project, Role.EDITOR, True
        return
    lookups = caller.lookups
    assert lookups is not None
    project = await run_in_threadpool(lookups.job_project, job_id)
    await _check_project(caller, project)


async def _check_sweep(caller: Caller, sweep_id: str) -> None:
    store = caller.store
    assert store is not None
    sweep = await run_in_threadpool(store.get_sweep, sweep_id)  # NotFoundError when unknown
    await _check_project(caller, sweep.project)


async def _check_view(caller: Caller, view_id: str) -> None:
    store = caller.store
    assert store is not None
    view = await run_in_threadpool(store.get_view, view_id)  # ViewNotFoundError when unknown
    await _check_project(caller, view.project)


async def _check_notification(caller: Caller, rule_id: str) -> None:
    store = caller.store
    assert store is not None
    rule = await run_in_threadpool(store.get_notification_rule, rule_id)  # 404 when unknown
    await _check_project(caller, rule.project)


async def _check_schedule(caller: Caller, schedule_id: str) -> None:
    store = caller.store
    assert store is not None
    schedule = await run_in_threadpool(store.get_schedule, schedule_id)  # NotFoundError
    await _check_project(caller, schedule.project)


def _role_in(principal: Principal, lookups: Lookups, project: str) -> Role | None:
    own = None if principal.kind is PrincipalKind.JOB else lookups.role(principal.user, project)
    return principal.bound(project, own)


def _allows(role: Role | None, needed: Role) -> bool:
    return role is not None and role.allows(needed)


def _check_role(role: Role | None, needed: Role, project: str) -> None:
    if role is None:
        raise PermissionDeniedError(
            f"you have no access to project {shown(project)!r}",
            detail={"project": shown(project)},
        )
    if not role.allows(needed):
        raise PermissionDeniedError(
            f"you are a {role} of project {shown(project)!r}; this needs {needed}",
            detail={"project": shown(project), "role": str(role), "needs": str(needed)},
        )


def _record(request: Request, caller: Caller) -> None:
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    store: Store = request.app.state.store
    try:
        store.record_audit(
            actor=caller.principal.actor,
            action=f"{request.method} {template}",
            target=request.url.path[:1000],
            address=request.client.host if request.client else "",
        )
    except AtlasError:
        logger.exception("could not record %s %s in the audit trail", request.method, template)


# -- the declarations routes use ------------------------------------------------------------
Public = Annotated[Caller, access(Need.PUBLIC)]
"""Anyone, even without credentials."""
SignedIn = Annotated[Caller, access(Need.SIGNED_IN)]
"""Anyone with valid credentials, a job's token included."""
Person = Annotated[Caller, access(Need.PERSON)]
"""A user: a browser session or a user's API token."""
Admin = Annotated[Caller, access(Need.ADMIN)]
"""An instance admin."""
ProjectViewer = Annotated[Caller, access(Need.VIEWER, Of.PROJECT)]
ProjectEditor = Annotated[Caller, access(Need.EDITOR, Of.PROJECT)]
ProjectOwner = Annotated[Caller, access(Need.OWNER, Of.PROJECT)]
JobViewer = Annotated[Caller, access(Need.VIEWER, Of.JOB)]
"""A viewer of the path's job's project (a job's token reads its own project)."""
JobEditor = Annotated[Caller, access(Need.EDITOR, Of.JOB)]
"""An editor of the path's job's project."""
OwnJobEditor = Annotated[Caller, access(Need.EDITOR, Of.JOB, own_job=True)]
"""An editor of the path's job's project, or the job itself (its token)."""
JobData = Annotated[Caller, access(Need.EDITOR, Of.JOB, own_job=True, audit=False)]
"""What a job records about itself (metrics, logs, artifacts, params, heartbeats): an editor
of its project or the job's own token; not in the audit trail."""
BodyProjectEditor = Annotated[Caller, access(Need.EDITOR, Of.BODY)]
"""An editor of the project the body names (the route calls ``Caller.require``)."""
SweepViewer = Annotated[Caller, access(Need.VIEWER, Of.SWEEP)]
"""A viewer of the path's sweep's project."""
SweepEditor = Annotated[Caller, access(Need.EDITOR, Of.SWEEP)]
"""An editor of the path's sweep's project."""
ViewViewer = Annotated[Caller, access(Need.VIEWER, Of.VIEW)]
"""A viewer of the project of the path's saved view."""
ViewEditor = Annotated[Caller, access(Need.EDITOR, Of.VIEW)]
"""An editor of the project of the path's saved view."""
ScheduleViewer = Annotated[Caller, access(Need.VIEWER, Of.SCHEDULE)]
"""A viewer of the project of the path's recurring job."""
ScheduleEditor = Annotated[Caller, access(Need.EDITOR, Of.SCHEDULE)]
"""An editor of the project of the path's recurring job."""
NotificationViewer = Annotated[Caller, access(Need.VIEWER, Of.NOTIFICATION)]
"""A viewer of the project of the path's notification rule."""
NotificationEditor = Annotated[Caller, access(Need.EDITOR, Of.NOTIFICATION)]
"""An editor of the project of the path's notification rule."""
