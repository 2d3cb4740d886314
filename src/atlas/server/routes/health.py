"""``/healthz`` and ``/api/v1/info``: is the server up, and what is it serving."""

from __future__ import annotations

from fastapi import APIRouter

from atlas.server.auth.access import Public
from atlas.server.deps import SchedulerDep, SettingsDep
from atlas.server.metrics_codec import MAX_POINTS
from atlas.server.redaction import db_kind, public_location
from atlas.server.schemas import HealthOut, InfoOut
from atlas.version import __version__

__all__ = ["health_router", "info_router"]

health_router = APIRouter(tags=["server"])
info_router = APIRouter(tags=["server"])


@health_router.get("/healthz")
def health(
    caller: Public,
) -> HealthOut:
    """Answer while the server runs (for load balancers and `atlas server` start-up)."""
    return HealthOut(status="ok", version=__version__)


@info_router.get("/info")
def info(caller: Public, settings: SettingsDep, scheduler: SchedulerDep) -> InfoOut:
    """The server's version, database kind and artifact location (never a password), and
    whether its scheduler runs the jobs (``active``) or another server on the same database
    does (``standby``)."""
    return InfoOut(
        version=__version__,
        db=db_kind(settings.resolved_db_url),
        artifacts=public_location(settings.resolved_artifacts),
        max_upload_mb=settings.max_upload_mb,
        max_metric_points=MAX_POINTS,
        scheduler=scheduler.mode,
    )
