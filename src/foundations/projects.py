"""``get_metrics_for_all_jobs(project_name)``: a project's jobs as a pandas DataFrame.

Columns as the old SDK named them: ``project_name``, ``job_id``, ``user``, ``status``
(Atlas's), ``start_time`` and ``completed_time`` (ISO 8601 text), then one column per param,
one per metric (its last value) and ``tag_<key>`` per tag. It needs pandas
(``pip install 'atlas-ml[pandas]'``): without it the call says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from atlas import domain

__all__ = ["get_metrics_for_all_jobs"]


def get_metrics_for_all_jobs(project_name: str) -> pd.DataFrame:
    """One row per job of ``project_name`` (see the module docstring); ``ValueError`` when
    the project does not exist, ``ImportError`` naming the extra when pandas is missing."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "foundations.get_metrics_for_all_jobs returns a pandas DataFrame: install pandas "
            "(pip install 'atlas-ml[pandas]')"
        ) from None
    from atlas.errors import NotFoundError
    from atlas.sdk.client import sdk_client

    with sdk_client() as client:
        try:
            client.get_project(project_name)
        except NotFoundError:
            raise ValueError(f"Project `{project_name}` does not exist!") from None
        jobs = list(client.iter_jobs(project_name))
    jobs.sort(key=lambda job: (job.created_at, job.id))
    return pd.DataFrame([_row(job) for job in jobs])


def _row(job: domain.Job) -> dict[str, object]:
    row: dict[str, object] = {
        "project_name": job.project,
        "job_id": job.id,
        "user": job.user,
        "status": str(job.status),
        "start_time": None if job.started_at is None else job.started_at.isoformat(),
        "completed_time": None if job.finished_at is None else job.finished_at.isoformat(),
    }
    for key, value in job.params.items():
        row.setdefault(key, value)
    for key, summary in job.metrics.items():
        row.setdefault(key, summary.last)
    for key, text in job.tags.items():
        row[f"tag_{key}"] = text
    return row
