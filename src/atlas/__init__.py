"""Atlas: track, compare and reproduce machine-learning jobs.

``import atlas`` loads nothing but this file and the version: every public name is imported on
first use (and then cached here), so a plain ``import atlas`` — and every process that imports
a submodule, such as a job's launcher — stays fast. The first tracking call in a process with no
job starts one; see docs/sdk.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from atlas.version import __version__

if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.sdk.handle import Job
    from atlas.sdk.run import Run
    from atlas.sdk.submit import submit
    from atlas.sdk.sweeps import Sweep, get_sweep, sweep
    from atlas.sdk.tensorboard import set_tensorboard_logdir
    from atlas.sdk.tracking import (
        configure,
        current_job,
        finish,
        get_metrics_for_all_jobs,
        init,
        load_parameters,
        log_audio,
        log_histogram,
        log_image,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        log_table,
        log_video,
        save_artifact,
        set_tag,
    )

__all__ = [
    "Client",
    "Job",
    "Run",
    "Sweep",
    "__version__",
    "configure",
    "current_job",
    "finish",
    "get_metrics_for_all_jobs",
    "get_sweep",
    "init",
    "load_parameters",
    "log_audio",
    "log_histogram",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_video",
    "save_artifact",
    "set_tag",
    "set_tensorboard_logdir",
    "submit",
    "sweep",
]

_MODULES = {
    "Client": "atlas.sdk.client",
    "Job": "atlas.sdk.handle",
    "Run": "atlas.sdk.run",
    "submit": "atlas.sdk.submit",
    "Sweep": "atlas.sdk.sweeps",
    "get_sweep": "atlas.sdk.sweeps",
    "sweep": "atlas.sdk.sweeps",
    "set_tensorboard_logdir": "atlas.sdk.tensorboard",
}
"""Where each public name lives; the rest of ``__all__`` is in ``atlas.sdk.tracking``."""


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it, so later lookups cost a dict hit."""
    if name not in __all__:
        raise AttributeError(f"module 'atlas' has no attribute {name!r}")
    module = _MODULES.get(name, "atlas.sdk.tracking")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
