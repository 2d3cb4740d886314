"""The MLflow tracking REST API served by ``atlas server`` (docs/mlflow.md).

``MLFLOW_TRACKING_URI=http://<atlas server>`` makes the ``mlflow`` client's calls
(``mlflow.start_run``, ``mlflow.log_*``, ``MlflowClient``, ``mlflow.<flavor>.autolog()``)
write into Atlas: experiments are projects, runs are jobs of kind ``mlflow``, artifacts go
through the ``mlflow-artifacts`` proxy into the job's artifacts. ``install_mlflow(app)``
adds the routes and answers their errors in MLflow's shape.
"""

from __future__ import annotations

from fastapi import FastAPI

from atlas.server.mlflow.errors import install_mlflow_errors
from atlas.server.mlflow.gate import PrefixGate
from atlas.server.mlflow.routes import (
    ARTIFACTS_PREFIX,
    TRACKING_PREFIXES,
    artifact_router,
    tracking_router,
)

__all__ = ["install_mlflow"]


def install_mlflow(app: FastAPI) -> None:
    """Serve the MLflow routes on ``app`` (after ``install_error_handlers``), reached first
    through a :class:`PrefixGate`."""
    before = len(app.router.routes)
    app.include_router(tracking_router)
    app.include_router(artifact_router)
    gate = PrefixGate((*TRACKING_PREFIXES, ARTIFACTS_PREFIX), app.router.routes[before:])
    app.router.routes.insert(0, gate)
    install_mlflow_errors(app)
