"""Old Atlas (Dessa "foundations") scripts, unchanged, on Atlas (docs/migrating.md).

``import foundations`` gives the old SDK's names, each mapped onto Atlas's own (``import
atlas``): ``log_metric``, ``log_param``, ``log_params``, ``set_tag``, ``save_artifact``,
``load_parameters``, ``submit`` (answering a ``DeploymentWrapper``) and the rest of
``__all__``. Like ``import atlas``, importing this package loads nothing but this file and
Atlas's version: each name is imported on first use and then kept here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from atlas.version import __version__

if TYPE_CHECKING:
    from foundations import artifacts, parameters
    from foundations.artifacts import SyncableDirectory, create_syncable_directory
    from foundations.deployment import DeploymentWrapper
    from foundations.job import (
        FoundationsJob,
        JobResources,
        current_foundations_job,
        set_job_resources,
        set_project_name,
    )
    from foundations.projects import get_metrics_for_all_jobs
    from foundations.submission import submit
    from foundations.tracking import (
        flatten_parameter_dictionary,
        load_parameters,
        log_metric,
        log_param,
        log_params,
        save_artifact,
        set_tag,
        set_tensorboard_logdir,
    )

__all__ = [
    "DeploymentWrapper",
    "FoundationsJob",
    "JobResources",
    "SyncableDirectory",
    "__version__",
    "artifacts",
    "create_syncable_directory",
    "current_foundations_job",
    "flatten_parameter_dictionary",
    "get_metrics_for_all_jobs",
    "load_parameters",
    "log_metric",
    "log_param",
    "log_params",
    "parameters",
    "save_artifact",
    "set_job_resources",
    "set_project_name",
    "set_tag",
    "set_tensorboard_logdir",
    "submit",
]

_MODULES = {
    "DeploymentWrapper": "foundations.deployment",
    "FoundationsJob": "foundations.job",
    "JobResources": "foundations.job",
    "SyncableDirectory": "foundations.artifacts",
    "create_syncable_directory": "foundations.artifacts",
    "current_foundations_job": "foundations.job",
    "get_metrics_for_all_jobs": "foundations.projects",
    "set_job_resources": "foundations.job",
    "set_project_name": "foundations.job",
    "submit": "foundations.submission",
}
"""Where each public name lives; the other functions are in ``foundations.tracking``."""

_SUBMODULES = {"artifacts", "parameters"}
"""Old submodules reached as attributes (``foundations.parameters.generate_random_parameters``)."""


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it, so later lookups cost a dict hit."""
    if name not in __all__:
        raise AttributeError(f"module 'foundations' has no attribute {name!r}")
    if name in _SUBMODULES:
        value: object = importlib.import_module(f"foundations.{name}")
    else:
        value = getattr(importlib.import_module(_MODULES.get(name, "foundations.tracking")), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
