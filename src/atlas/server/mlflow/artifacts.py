"""The ``mlflow-artifacts`` proxy onto a job's Atlas artifacts.

A run's ``artifact_uri`` is ``mlflow-artifacts:/<experiment_id>/<run_id>/artifacts``; the
client turns it into ``/api/2.0/mlflow-artifacts/artifacts/<experiment_id>/<run_id>/
artifacts/<path>`` on the tracking server, and PUTs, GETs or lists there. Those paths map
onto job ``<run_id>``'s artifact ``<path>``, stored and served as ``/api/v1/jobs/<id>/
artifacts`` stores and serves them, so the GUI shows them like any job's files.
"""

from __future__ import annotations

import re

from atlas.domain import Artifact
from atlas.names import shown
from atlas.server.mlflow.errors import DOES_NOT_EXIST, INVALID_VALUE, MlflowError

__all__ = ["file_infos", "split_artifact_path"]

_RUN_PATH = re.compile(r"([^/]+)/([0-9a-z]{16})/artifacts(?:/(.*))?")


def split_artifact_path(path: str) -> tuple[str, str]:
    """``(run_id, artifact path)`` of a proxy path ``<exp>/<run_id>/artifacts/<path>``
    (the artifact path ``""`` for the run's root); ``RESOURCE_DOES_NOT_EXIST`` for a path
    that names no run's artifacts."""
    match = _RUN_PATH.fullmatch(path.strip("/"))
    if match is None:
        raise MlflowError(
            DOES_NOT_EXIST,
            f"'{shown(path)}' is not a run's artifact path (<experiment>/<run>/artifacts/...)",
        )
    inner = (match.group(3) or "").strip("/")
    if any(part in ("", ".", "..") for part in inner.split("/")) and inner:
        raise MlflowError(INVALID_VALUE, f"Invalid artifact path '{shown(path)}'")
    return match.group(2), inner


def file_infos(artifacts: list[Artifact], folder: str) -> list[dict[str, object]]:
    """MLflow's ``FileInfo`` of each file and folder right under ``folder`` (paths relative
    to it); a ``folder`` that is a file lists that file, as MLflow's server does."""
    prefix = f"{folder}/" if folder else ""
    files: dict[str, dict[str, object]] = {}
    for artifact in artifacts:
        if artifact.path == folder:
            name = folder.rsplit("/", 1)[-1]
            files[name] = {"path": name, "is_dir": False, "file_size": artifact.size}
            continue
        if not artifact.path.startswith(prefix):
            continue
        head, slash, _ = artifact.path[len(prefix) :].partition("/")
        if slash:
            files.setdefault(head, {"path": head, "is_dir": True})
        else:
            files[head] = {"path": head, "is_dir": False, "file_size": artifact.size}
    return [files[name] for name in sorted(files)]
