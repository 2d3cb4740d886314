"""``create_app(settings)``: the Atlas API as a FastAPI app (docs/rest-api.md).

Nothing happens at import time. ``create_app`` declares the routes; the app's lifespan opens
what it serves: the metadata store at ``settings.resolved_db_url`` (migrated with
``upgrade()``), the artifact store at ``settings.resolved_artifacts``, and then, in the
background, imports the local spool (``atlas sync``) through the app itself and watches
tracked scripts' heartbeats (``atlas.server.liveness``). A store or
artifact store passed to ``create_app`` is used as it is: its owner set it up and closes it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
from fastapi import FastAPI

from atlas.executors.base import Executor
from atlas.server.api_docs import install_api_docs
from atlas.server.artifact_appends import RunningHashes
from atlas.server.auth.access import check_declared
from atlas.server.auth.credentials import Lookups
from atlas.server.auth.sessions import session_lifetime
from atlas.server.auth.sso import SingleSignOn
from atlas.server.auth.throttle import LoginThrottle
from atlas.server.deps import open_listing_threads
from atlas.server.errors import install_error_handlers
from atlas.server.guard import Guard, HostPolicy
from atlas.server.head import HeadAsGet
from atlas.server.limits import BodyLimit, BodyLimitRule
from atlas.server.liveness import LivenessWatcher, watch
from atlas.server.loopback import LOOPBACK_URL, LoopbackTransport
from atlas.server.metrics_codec import MAX_BATCH_BYTES
from atlas.server.mlflow import install_mlflow
from atlas.server.openapi import build_openapi
from atlas.server.redaction import db_kind, public_location
from atlas.server.routes import accounts, health, jobs, log_stream, logs, members, metrics, projects
from atlas.server.routes import artifacts as artifact_routes
from atlas.server.routes import auth as auth_routes
from atlas.server.routes import code as code_routes
from atlas.server.routes import notifications as notification_routes
from atlas.server.routes import oidc as oidc_routes
from atlas.server.routes import scheduler as scheduler_routes
from atlas.server.routes import schedules as schedule_routes
from atlas.server.routes import submissions as submission_routes
from atlas.server.routes import sweeps as sweep_routes
from atlas.server.routes import tensorboards as tensorboard_routes
from atlas.server.routes import views as view_routes
from atlas.server.routes import workspace as workspace_routes
from atlas.server.services import BackgroundServices
from atlas.server.static import GUI_FOLDER, install_gui
from atlas.server.tensorboards import TensorBoards, keep
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore, S3Options, open_artifact_store
from atlas.tokens import new_secret
from atlas.version import __version__

__all__ = ["API_PREFIX", "JSON_BODY_LIMIT", "create_app", "sync_spool_at_start"]

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
JSON_BODY_LIMIT = 16 * 1024 * 1024
"""Largest JSON request body (metric batches and uploads have their own limits)."""

_BODY_RULES = (
    BodyLimitRule("POST", re.compile(f"{API_PREFIX}/jobs/[^/]+/metrics"), MAX_BATCH_BYTES),
    # Uploads stream into the artifact store and enforce settings.max_upload_mb themselves.
    BodyLimitRule("PUT", re.compile(f"{API_PREFIX}/jobs/[^/]+/artifacts/.*"), None),
    BodyLimitRule("POST", re.compile(f"{API_PREFIX}/jobs/[^/]+/log"), None),
    # Snapshots stream into the artifact store and enforce settings.max_snapshot_mb.
    BodyLimitRule("PUT", re.compile(f"{API_PREFIX}/snapshots/[^/]+"), None),
    # MLflow's artifact uploads enforce settings.max_upload_mb as /jobs/{id}/artifacts does.
    BodyLimitRule("PUT", re.compile("/api/2.0/mlflow-artifacts/artifacts/.*"), None),
)


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    artifacts: ArtifactStore | None = None,
    gui: Path = GUI_FOLDER,
    executor: Executor | None = None,
) -> FastAPI:
    """The Atlas API for ``settings``; ``store`` and ``artifacts`` replace the ones the
    settings name (their owner upgrades and closes them); ``gui`` is the built web GUI
    served at ``/`` (atlas.server.static); ``executor`` runs the scheduler's jobs (default:
    the local executor the settings describe)."""
    app = FastAPI(
        title="Atlas",
        version=__version__,
        summary="Run, track, compare and reproduce machine-learning jobs.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # atlas.server.api_docs serves it, with no CDN
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.artifacts = artifacts
    app.state.executor = executor
    app.state.scheduler = None
    app.state.sweeps = None
    app.state.recurring = None
    app.state.notifier = None
    app.state.auth_enabled = settings.auth_enabled
    app.state.internal_token = new_secret().secret
    app.state.login_throttle = LoginThrottle()
    app.state.running_hashes = RunningHashes()
    session_lifetime(settings)  # a bad value stops the server before it serves
    # Single sign-on; a bad issuer or role map stops the server before it serves.
    app.state.sso = SingleSignOn.from_settings(settings)
    install_error_handlers(app)
    install_api_docs(app, API_PREFIX)
    app.include_router(health.health_router)
    app.include_router(health.info_router, prefix=API_PREFIX)
    for router in (projects.router, jobs.router, metrics.router, artifact_routes.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(logs.router, prefix=API_PREFIX)
    for router in (log_stream.router, submission_routes.router, scheduler_routes.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(code_routes.router, prefix=API_PREFIX)
    app.include_router(sweep_routes.router, prefix=API_PREFIX)
    app.include_router(schedule_routes.router, prefix=API_PREFIX)
    for router in (view_routes.router, workspace_routes.router, notification_routes.router):
        app.include_router(router, prefix=API_PREFIX)
    for router in (auth_routes.router, accounts.router, members.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(oidc_routes.router, prefix=API_PREFIX)
    app.include_router(tensorboard_routes.router, prefix=API_PREFIX)
    app.include_router(tensorboard_routes.proxy_router)
    install_mlflow(app)  # MLflow clients log here (docs/mlflow.md)
    check_declared(app)
    app.add_middleware(BodyLimit, default_bytes=JSON_BODY_LIMIT, rules=_BODY_RULES)
    app.add_middleware(HeadAsGet, routes=app.router.routes)
    # Outermost: a request from a web page of another site reaches nothing.
    policy = HostPolicy.build(settings.allowed_hosts, bind=settings.host)
    app.add_middleware(Guard, policy=policy)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    install_gui(app, gui)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.listing_threads = open_listing_threads()
    owned: Store | None = None
    if app.state.store is None:
        owned = await anyio.to_thread.run_sync(_open_store, settings)
        app.state.store = owned
    if app.state.artifacts is None:
        app.state.artifacts = await anyio.to_thread.run_sync(
            lambda: open_artifact_store(
                settings.resolved_artifacts, s3=S3Options.from_settings(settings)
            )
        )
    app.state.lookups = Lookups(
        app.state.store,
        session_lifetime=session_lifetime(settings),
        internal=app.state.internal_token,
    )
    if owned is not None:  # an owner that passed its store in announces it itself
        logger.info(
            "Atlas %s serving a %s database, artifacts at %s",
            __version__,
            db_kind(settings.resolved_db_url),
            public_location(settings.resolved_artifacts),
        )
    services = BackgroundServices(app.state)  # scheduler, sweeps, recurring jobs, notifier
    try:
        spool_imported = await services.start(settings)
        app.state.tensorboards = TensorBoards(settings, app.state.store, app.state.artifacts)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(keep, app.state.tensorboards)
            tasks.start_soon(_sync_in_background, app, spool_imported)
            tasks.start_soon(_clean_in_background, app)
            if settings.lost_after > 0:
                tasks.start_soon(watch, _liveness_watcher(app))
            yield
            tasks.cancel_scope.cancel()
    finally:
        await services.stop()  # the last started first
        if owned is not None:
            owned.close()
            app.state.store = None


def _liveness_watcher(app: FastAPI) -> LivenessWatcher:
    settings: Settings = app.state.settings
    return LivenessWatcher(app.state.store, lost_after=settings.lost_after, started=time.time())


def _open_store(settings: Settings) -> Store:
    from atlas.store.sql_store import SqlStore  # SQLAlchemy loads when a server starts

    store = SqlStore(settings.resolved_db_url, query_timeout=settings.query_timeout)
    try:
        store.upgrade()
    except BaseException:
        store.close()
        raise
    return store


async def _clean_in_background(app: FastAPI) -> None:
    # Temporary files of uploads cut by a server killed mid-write; abandoned at shutdown
    # (the next start finishes the job).
    await anyio.to_thread.run_sync(_remove_stale_uploads, app, abandon_on_cancel=True)


def _remove_stale_uploads(app: FastAPI) -> None:
    """Remove what writes that never finished left in the artifact store (see
    ``ArtifactStore.remove_stale_temp_files``); problems are logged, never raised."""
    artifacts: ArtifactStore = app.state.artifacts
    try:
        removed = artifacts.remove_stale_temp_files()
    except Exception:
        logger.exception("cleaning the artifact store's unfinished uploads failed")
        return
    if removed:
        logger.info("removed %d temporary files of unfinished uploads", removed)


async def _sync_in_background(app: FastAPI, done: threading.Event) -> None:
    # Abandoned at shutdown: every spooled record is safe to send again, and the spool file
    # is deleted only once all of it is stored.
    try:
        await anyio.to_thread.run_sync(sync_spool_at_start, app, abandon_on_cancel=True)
    finally:
        done.set()


def sync_spool_at_start(app: FastAPI) -> None:
    """Upload what SDK processes on this machine spooled while no server answered
    (``settings.spool_path``, as ``atlas sync`` does), through ``app`` itself.

    Runs on a worker thread started by anyio while the app serves. Problems are logged,
    never raised: the server runs whatever the spool holds, and what was not stored stays
    in the spool for the next start or ``atlas sync``.
    """
    settings: Settings = app.state.settings
    folder = settings.spool_path
    if not folder.is_dir() or not any(folder.glob("*.spool")):
        return
    from atlas.sdk.client import Client
    from atlas.sdk.spool import upload_spool

    http = httpx.Client(base_url=LOOPBACK_URL, transport=LoopbackTransport(app))
    try:
        token = app.state.internal_token
        with http, Client(http=http, token=token, timeout=settings.timeout) as client:
            report = upload_spool(client, folder)
    except Exception:
        logger.exception("importing the spool at %s failed; it is kept for `atlas sync`", folder)
        return
    if report.records or report.uploaded:
        logger.info(
            "imported the spool at %s: %d records (%d points) of jobs %s",
            folder,
            report.records,
            report.points,
            ", ".join(report.uploaded) or "-",
        )
    for message in report.rejected + report.errors:
        logger.warning("spool at %s: %s", folder, message)
