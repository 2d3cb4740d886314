"""Jobs as a table, one row per job (``get_metrics_for_all_jobs``).

Columns, in order: ``job_id``, ``name``, ``status``, ``user``, ``created_at``, ``started_at``,
``finished_at``, ``duration`` (seconds), then one column per param, one per metric (its last
value) and one per tag, each group sorted by key. A key already used by an earlier column
gets its group's prefix: ``param:``, ``metric:`` or ``tag:`` (a metric ``loss`` and a param
``loss`` give the columns ``loss`` and ``metric:loss``). A job without a value has ``None``
(``NaN``/``NaT`` in pandas). Rows are in creation order, oldest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas.domain import Job

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FIXED_COLUMNS", "jobs_table", "rows_of"]

FIXED_COLUMNS = (
    "job_id",
    "name",
    "status",
    "user",
    "created_at",
    "started_at",
    "finished_at",
    "duration",
)


def _column_names(jobs: list[Job]) -> dict[tuple[str, str], str]:
    """``(group, key) -> column name`` for every param, metric and tag key."""
    taken = set(FIXED_COLUMNS)
    names: dict[tuple[str, str], str] = {}
    groups = (
        ("param", sorted({k for job in jobs for k in job.params})),
        ("metric", sorted({k for job in jobs for k in job.metrics})),
        ("tag", sorted({k for job in jobs for k in job.tags})),
    )
    for group, keys in groups:
        for key in keys:
            name = key if key not in taken else f"{group}:{key}"
            names[(group, key)] = name
            taken.add(name)
    return names


def rows_of(jobs: list[Job]) -> tuple[list[str], list[dict[str, object]]]:
    """The column names and one dict per job, as described in the module docstring."""
    jobs = sorted(jobs, key=lambda job: (job.created_at, job.id))
    names = _column_names(jobs)
    columns = [*FIXED_COLUMNS, *names.values()]
    rows = []
    for job in jobs:
        duration = None
        if job.started_at is not None and job.finished_at is not None:
            duration = (job.finished_at - job.started_at).total_seconds()
        row: dict[str, object] = dict.fromkeys(columns)
        row.update(
            job_id=job.id,
            name=job.name,
            status=str(job.status),
            user=job.user,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            duration=duration,
        )
        for key, value in job.params.items():
            row[names[("param", key)]] = value
        for key, summary in job.metrics.items():
            row[names[("metric", key)]] = summary.last
        for key, text in job.tags.items():
            row[names[("tag", key)]] = text
        rows.append(row)
    return columns, rows


def jobs_table(jobs: list[Job]) -> pd.DataFrame | list[dict[str, object]]:
    """The table of ``jobs``: a pandas DataFrame when pandas is installed, else the rows."""
    columns, rows = rows_of(jobs)
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows, columns=columns)
