"""Atlas's projects and jobs as MLflow's experiments and runs, in MLflow's JSON.

The mapping (docs/mlflow.md): an experiment is a project, its id the project's name when
MLflow's id rule allows it (``[A-Za-z0-9][\\w-]{0,63}``), else ``x`` and 16 hex digits of the
name's SHA-256; experiment ``0`` is the project ``Default``. A run is a job (run id = job id).
MLflow's times are milliseconds since the epoch; Atlas's are datetimes and seconds. MLflow's
params are strings: one that reads back exactly as an int or a float is kept as that number
(so the GUI plots and sorts it), and given back as the same text.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import Final

from atlas.domain import Job, JobStatus, ParamValue, Project

__all__ = [
    "DEFAULT_EXPERIMENT",
    "DEFAULT_PROJECT",
    "MODEL_INDEX_TAG",
    "MODEL_TAG_PREFIX",
    "RUN_STATUSES",
    "STATUS_OF_RUN",
    "artifact_uri",
    "experiment_id",
    "experiment_json",
    "from_ms",
    "hashed_id",
    "is_model_tag",
    "json_number",
    "ms",
    "param_text",
    "param_value",
    "run_json",
    "run_status",
    "statuses_of_run",
]

DEFAULT_EXPERIMENT: Final = "0"
DEFAULT_PROJECT: Final = "Default"
_EXPERIMENT_ID = re.compile(r"[A-Za-z0-9][\w\-]{0,63}")

STATUS_OF_RUN: dict[str, JobStatus] = {
    "RUNNING": JobStatus.RUNNING,
    "SCHEDULED": JobStatus.RUNNING,
    "FINISHED": JobStatus.COMPLETED,
    "FAILED": JobStatus.FAILED,
    "KILLED": JobStatus.CANCELLED,
}
"""MLflow's run statuses as Atlas job statuses."""

RUN_STATUSES: Final = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
"""MLflow's run statuses."""

MODEL_TAG_PREFIX: Final = "mlflow.model."
"""A logged model's record is the tag ``mlflow.model.<model_id>`` of its run (``models``)."""
MODEL_INDEX_TAG: Final = "mlflow.models"
"""The run's model ids, space-separated: what a search of logged models finds."""

_RUN_OF_STATUS: dict[JobStatus, str] = {
    JobStatus.COMPLETED: "FINISHED",
    JobStatus.FAILED: "FAILED",
    JobStatus.LOST: "FAILED",
    JobStatus.CANCELLED: "KILLED",
    JobStatus.QUEUED: "SCHEDULED",
    JobStatus.STARTING: "SCHEDULED",
}


def hashed_id(name: str) -> str:
    """The experiment id of a project whose name MLflow's id rule refuses."""
    return "x" + hashlib.sha256(name.encode()).hexdigest()[:16]


def experiment_id(project: str) -> str:
    """The MLflow experiment id of ``project`` (see the module docstring)."""
    if project == DEFAULT_PROJECT:
        return DEFAULT_EXPERIMENT
    if project != DEFAULT_EXPERIMENT and _EXPERIMENT_ID.fullmatch(project):
        return project
    return hashed_id(project)


def ms(when: datetime | None) -> int | None:
    """``when`` in milliseconds since the epoch."""
    return None if when is None else int(when.timestamp() * 1000)


def from_ms(value: object, field: str) -> datetime:
    """A datetime from MLflow's milliseconds (an int or its text); ``ValueError`` naming
    ``field`` when it is not one or lies outside the years datetimes hold (1 to 9999)."""
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        shown_value = str(value)[:40]
        raise ValueError(
            f"{field} must be milliseconds since the epoch within the years 1 to 9999, "
            f"not {shown_value!r}"
        ) from None


def run_status(status: JobStatus) -> str:
    """The MLflow status of a job in ``status``."""
    return _RUN_OF_STATUS.get(status, "RUNNING")


def statuses_of_run(run_status_name: str) -> list[JobStatus]:
    """The job statuses that read back as MLflow status ``run_status_name`` (``FAILED``:
    failed and lost), in a stable order; empty for a name that is not a run status."""
    return [status for status in JobStatus if run_status(status) == run_status_name]


def is_model_tag(key: str) -> bool:
    """Whether tag ``key`` is one the logged models keep their records in: written by the
    ``logged-models`` routes only."""
    return key == MODEL_INDEX_TAG or key.startswith(MODEL_TAG_PREFIX)


def param_value(text: str) -> ParamValue:
    """What Atlas keeps of MLflow param ``text``: a number when it reads back as exactly the
    same text, else the text."""
    if re.fullmatch(r"-?[0-9]{1,18}", text) and str(int(text)) == text:
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) and repr(number) == text else text


def param_text(value: ParamValue) -> str:
    """An Atlas param as MLflow's text (the inverse of :func:`param_value` for MLflow's)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return repr(value)
    import json

    return json.dumps(value)


def artifact_uri(job: Job) -> str:
    """Where the MLflow client uploads the run's artifacts: the server's artifact proxy."""
    return f"mlflow-artifacts:/{experiment_id(job.project)}/{job.id}/artifacts"


def run_json(job: Job) -> dict[str, object]:
    """The MLflow ``Run`` of ``job``: info, and data with the latest value of each metric."""
    name = job.name or job.id
    info: dict[str, object] = {
        "run_id": job.id,
        "run_uuid": job.id,
        "run_name": name,
        "experiment_id": experiment_id(job.project),
        "user_id": job.user,
        "status": run_status(job.status),
        "start_time": ms(job.started_at or job.created_at),
        "artifact_uri": artifact_uri(job),
        "lifecycle_stage": "active",
    }
    if job.finished_at is not None:
        info["end_time"] = ms(job.finished_at)
    metrics = [
        {
            "key": key,
            "value": json_number(summary.last),
            "timestamp": ms(summary.updated_at),
            "step": summary.last_step,
        }
        for key, summary in sorted(job.metrics.items())
    ]
    params = [{"key": k, "value": param_text(v)} for k, v in sorted(job.params.items())]
    tags = [{"key": k, "value": v} for k, v in sorted(job.tags.items())]
    if "mlflow.runName" not in job.tags:
        tags.append({"key": "mlflow.runName", "value": name})
    data = {"metrics": metrics, "params": params, "tags": tags}
    return {"info": info, "data": data, "inputs": {}}


def json_number(value: float) -> float | str:
    """A float as MLflow's JSON writes it: NaN and infinities as their names."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def experiment_json(project: Project) -> dict[str, object]:
    """The MLflow ``Experiment`` of ``project``."""
    exp_id = experiment_id(project.name)
    created = ms(project.created_at)
    tags = [{"key": "mlflow.note.content", "value": project.description}]
    return {
        "experiment_id": exp_id,
        "name": project.name,
        "artifact_location": f"mlflow-artifacts:/{exp_id}",
        "lifecycle_stage": "active",
        "creation_time": created,
        "last_update_time": ms(project.last_activity) or created,
        "tags": tags if project.description else [],
    }
