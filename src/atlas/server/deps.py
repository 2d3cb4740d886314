"""Typed FastAPI dependencies: the app's store, artifact store and settings, and path
parameters that name a job, a project or a key.

A path value that cannot name anything (a job id that is not 16 characters of ``0-9a-z``, a
project name with characters names may not hold, a key with control characters) answers
404 at once: no such thing exists, and the store never sees the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, cast

import anyio
from fastapi import Depends, Path, Request

from atlas.errors import NotFoundError
from atlas.names import (
    MAX_TOKEN_ID_LENGTH,
    MAX_USER_NAME_LENGTH,
    is_job_id,
    is_key,
    is_project_name,
    shown,
)
from atlas.scheduler.scheduler import Scheduler
from atlas.server.auth.credentials import Lookups
from atlas.server.auth.throttle import LoginThrottle
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore

__all__ = [
    "ArtifactsDep",
    "JobIdPath",
    "KeyPath",
    "LISTING_THREADS",
    "LookupsDep",
    "ProjectPath",
    "SchedulerDep",
    "SettingsDep",
    "StoreDep",
    "ThrottleDep",
    "TokenPath",
    "UserPath",
    "get_artifacts",
    "get_login_throttle",
    "get_lookups",
    "get_scheduler",
    "get_settings",
    "get_store",
    "listing_threads",
    "open_listing_threads",
    "path_id",
]


def get_store(request: Request) -> Store:
    """The metadata store the app serves."""
    return cast(Store, request.app.state.store)


def get_artifacts(request: Request) -> ArtifactStore:
    """The artifact store the app serves."""
    return cast(ArtifactStore, request.app.state.artifacts)


def get_scheduler(request: Request) -> Scheduler:
    """The scheduler the app runs (started by its lifespan)."""
    return cast(Scheduler, request.app.state.scheduler)


LISTING_THREADS = 8
"""Threads that job listings run in, apart from the threads every other route shares: however
many slow listings arrive at once, ingest, /healthz and the rest keep their threads."""


def open_listing_threads() -> anyio.CapacityLimiter:
    """The limiter of the listing threads (the app's lifespan makes one per run)."""
    return anyio.CapacityLimiter(LISTING_THREADS)


def listing_threads(request: Request) -> anyio.CapacityLimiter:
    """The app's listing threads (``LISTING_THREADS`` of them)."""
    return cast(anyio.CapacityLimiter, request.app.state.listing_threads)


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return cast(Settings, request.app.state.settings)


def get_lookups(request: Request) -> Lookups:
    """The app's cached answers about tokens, sessions and roles (``atlas.server.auth``)."""
    return cast(Lookups, request.app.state.lookups)


def get_login_throttle(request: Request) -> LoginThrottle:
    """The app's count of failed logins."""
    return cast(LoginThrottle, request.app.state.login_throttle)


def _job_id(
    job_id: Annotated[str, Path(description="A job id: 16 characters of 0-9a-z.")],
) -> str:
    if not is_job_id(job_id):
        raise NotFoundError(f"job {shown(job_id)!r} not found", detail={"job_id": shown(job_id)})
    return job_id


def path_id(param: str, what: str) -> Callable[[str], str]:
    """The dependency of the path parameter ``param`` holding the id of a ``what``
    (``"schedule"``, ``"notification rule"``): 16 characters of ``0-9a-z``, else 404
    ``not_found`` naming it (use ``Annotated[str, Depends(path_id(...))]``)."""

    described = Path(alias=param, description=f"A {what}'s id: 16 characters of 0-9a-z.")

    def checked(value: str = described) -> str:  # a default: annotations here are text
        if not is_job_id(value):
            raise NotFoundError(f"{what} {shown(value)!r} not found", detail={param: shown(value)})
        return value

    return checked


def _project(name: Annotated[str, Path(description="A project name.")]) -> str:
    if not is_project_name(name):
        raise NotFoundError(f"project {shown(name)!r} not found", detail={"project": shown(name)})
    return name


def _key(key: Annotated[str, Path(description="A param, tag or metric key; may hold '/'.")]) -> str:
    if not is_key(key):
        raise NotFoundError(f"key {shown(key)!r} not found", detail={"key": shown(key)})
    return key


StoreDep = Annotated[Store, Depends(get_store)]
ArtifactsDep = Annotated[ArtifactStore, Depends(get_artifacts)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SchedulerDep = Annotated[Scheduler, Depends(get_scheduler)]
LookupsDep = Annotated[Lookups, Depends(get_lookups)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
JobIdPath = Annotated[str, Depends(_job_id)]
ProjectPath = Annotated[str, Depends(_project)]
KeyPath = Annotated[str, Depends(_key)]
UserPath = Annotated[
    str, Path(max_length=MAX_USER_NAME_LENGTH, description="A user account's name.")
]
TokenPath = Annotated[str, Path(max_length=MAX_TOKEN_ID_LENGTH, description="A token's id.")]
