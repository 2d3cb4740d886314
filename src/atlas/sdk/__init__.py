"""The Atlas SDK: tracking from Python (``import atlas``), the REST ``Client``, the spool.

Importing it is light: the HTTP client (httpx) loads when a ``Client`` is first made, in the
sender thread of a run or by the caller.
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

if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.sdk.spool import SyncReport, upload_spool

__all__ = [
    "Client",
    "Run",
    "SyncReport",
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
    "upload_spool",
]

_LAZY = {
    "Client": "atlas.sdk.client",
    "SyncReport": "atlas.sdk.spool",
    "upload_spool": "atlas.sdk.spool",
}


def __getattr__(name: str) -> object:
    """``Client`` and the spool's names, imported on first use (they load httpx)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'atlas.sdk' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
