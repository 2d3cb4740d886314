"""Atlas: track, compare and reproduce machine-learning jobs.

``import atlas`` is light (standard library only; the HTTP client loads in the background
sender). The first tracking call in a process with no job starts one; see docs/sdk.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas.sdk.run import Run
from atlas.sdk.tracking import (
    configure,
    current_job,
    finish,
    get_metrics_for_all_jobs,
    init,
    load_parameters,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    save_artifact,
    set_tag,
)
from atlas.version import __version__

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = [
    "Client",
    "Run",
    "__version__",
    "configure",
    "current_job",
    "finish",
    "get_metrics_for_all_jobs",
    "init",
    "load_parameters",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "save_artifact",
    "set_tag",
]


def __getattr__(name: str) -> object:
    """``atlas.Client``, imported on first use (it loads httpx)."""
    if name == "Client":
        from atlas.sdk.client import Client

        return Client
    raise AttributeError(f"module 'atlas' has no attribute {name!r}")
