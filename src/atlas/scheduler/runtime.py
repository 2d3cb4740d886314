"""The scheduler inside ``atlas server``: built from the settings, reconciled with the store
and started by the app's lifespan, stopped at shutdown (running jobs go on and are adopted
by the next start)."""

from __future__ import annotations

import logging

from atlas.executors.base import Executor
from atlas.scheduler.files import JobFiles
from atlas.scheduler.inventory import Inventory, detect_inventory
from atlas.scheduler.lease import lease_for
from atlas.scheduler.scheduler import Scheduler
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore

__all__ = ["job_server_url", "open_scheduler", "ray_executor", "with_containers"]

logger = logging.getLogger(__name__)

_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def job_server_url(settings: Settings) -> str:
    """The URL a job on this machine uses to reach the server (``ATLAS_URL``)."""
    host = settings.host
    if host in _ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def with_containers(settings: Settings, executor: Executor) -> Executor:
    """``executor``, with jobs that name an image sent to the container engine when the
    settings name one (``container_engine``, else ``DOCKER_HOST``). A named engine that does
    not answer stops the server's start with an error naming it (``ResourceUnavailableError``)."""
    url = settings.container_engine_url
    if url is None or executor.runs_images:
        return executor
    from atlas.executors.container import ContainerExecutor
    from atlas.executors.routing import RoutingExecutor

    images = ContainerExecutor.from_settings(settings, url)
    logger.info("jobs with an image run on %s", images.engine.describe())
    return RoutingExecutor(executor, images)


def ray_executor(settings: Settings) -> tuple[Executor, Inventory]:
    """The Ray executor of ``settings`` and the inventory of its cluster: its live nodes
    (the executor follows them as they join and leave).
    ``ResourceUnavailableError`` naming the address when the cluster does not answer."""
    from atlas.executors.ray import RayExecutor

    executor = RayExecutor.from_settings(settings)
    nodes = executor.nodes() or ()
    inventory = Inventory(nodes)
    logger.info("jobs run on the Ray cluster at %s: %d live nodes", executor.address, len(nodes))
    return executor, inventory


def open_scheduler(
    settings: Settings,
    store: Store,
    artifacts: ArtifactStore,
    *,
    executor: Executor | None = None,
) -> Scheduler:
    """Build the scheduler for ``settings`` (the local executor unless ``executor`` is
    given) and start its thread: with the database's lease it reconciles with the store and
    schedules; without it (another server schedules) it stands by (see ``Scheduler``)."""
    inventory = detect_inventory(settings)
    if executor is None and settings.executor == "ray":
        executor, inventory = ray_executor(settings)
    elif executor is None:
        from atlas.executors.local import LocalExecutor

        executor = LocalExecutor.from_settings(settings)
    executor = with_containers(settings, executor)
    # jobs on other hosts reach the server at its advertised address
    remote_url = (settings.public_url or job_server_url(settings)).rstrip("/")
    scheduler = Scheduler(
        store,
        executor,
        inventory,
        files=JobFiles(artifacts, settings.work_path),
        server_url=remote_url if settings.executor == "ray" else job_server_url(settings),
        token=settings.token or "",
        job_tokens=settings.auth_enabled,
        cancel_grace=settings.cancel_grace,
        lease=lease_for(settings.resolved_db_url),
    )
    scheduler.start()
    logger.info("scheduler started (%s) with %s", scheduler.mode, inventory.describe())
    return scheduler
