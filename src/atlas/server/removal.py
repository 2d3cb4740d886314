"""Deleting jobs and projects: their rows in the store, then their files.

Rows go first: once they are gone the job no longer exists for anyone, and files left behind
by a failed delete (logged) are only wasted space, never a job with missing data.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, job_prefix

if TYPE_CHECKING:
    from atlas.scheduler.scheduler import Scheduler
    from atlas.server.auth.credentials import Lookups

__all__ = ["delete_job", "delete_project", "remove_job"]

logger = logging.getLogger(__name__)


def delete_job(store: Store, artifacts: ArtifactStore, job_id: str) -> None:
    """Delete job ``job_id`` with its rows and files; ``NotFoundError`` when unknown."""
    store.delete_job(job_id)
    _delete_files(artifacts, job_id)


def remove_job(
    store: Store,
    artifacts: ArtifactStore,
    job_id: str,
    *,
    scheduler: Scheduler,
    lookups: Lookups,
) -> None:
    """What deleting a job through any API does: the scheduler forgets it (a queued job
    leaves the queue, a running one is killed first), its rows and files go, and cached
    answers about its tokens and project are dropped. ``NotFoundError`` when unknown."""
    store.get_job(job_id)
    scheduler.forget(job_id)
    delete_job(store, artifacts, job_id)
    lookups.forget_everything()  # its tokens went with it, and its project is no more known


def delete_project(store: Store, artifacts: ArtifactStore, name: str) -> list[str]:
    """Delete project ``name``, its jobs, their rows and files; return the job ids."""
    job_ids = store.delete_project(name)
    for job_id in job_ids:
        _delete_files(artifacts, job_id)
    return job_ids


def _delete_files(artifacts: ArtifactStore, job_id: str) -> None:
    try:
        artifacts.delete_prefix(job_prefix(job_id))
    except OSError:
        logger.exception("job %s is deleted but its files could not be removed", job_id)
