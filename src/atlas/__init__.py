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
    from atlas.sdk.handle import Job
    from atlas.sdk.submit import submit

__all__ = [
    "Client",
    "Job",
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
    "submit",
]

_LAZY = {
    "Client": "atlas.sdk.client",
    "Job": "atlas.sdk.handle",
    "submit": "atlas.sdk.submit",
}


def __getattr__(name: str) -> object:
    """``atlas.Client``, ``atlas.Job`` and ``atlas.submit``, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'atlas' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
