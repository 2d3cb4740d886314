"""``DeploymentWrapper``: what ``foundations.submit`` answers, over Atlas's ``atlas.Job``.

Statuses: ``get_job_status()`` answers the old words (``queued``, ``running``,
``completed``: a job that ended, however it ended, as before), ``get_true_job_status()``
Atlas's (``queued``, ``starting``, ``running``, ``completed``, ``failed``, ``cancelled``,
``lost``); both answer ``None`` for a job the server does not know. ``get_metric``,
``get_param`` and ``get_job_details`` wait for the job to end first, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.errors import NotFoundError

if TYPE_CHECKING:
    from atlas import domain
    from atlas.sdk.client import Client

__all__ = ["DeploymentWrapper", "old_status"]

logger = logging.getLogger("foundations")

_OLD_STATUS = {JobStatus.QUEUED: "queued", JobStatus.STARTING: "queued"}


def old_status(status: JobStatus) -> str:
    """The old SDK's word for ``status``: ``queued``, ``running`` or ``completed``."""
    if status in FINAL_STATUSES:
        return "completed"
    return _OLD_STATUS.get(status, "running")


class DeploymentWrapper:
    """A submitted job, by id, with the old SDK's methods. ``client`` is used for every
    request (not closed here); without one, each call uses the SDK's client."""

    def __init__(self, job_id: str, *, client: Client | None = None) -> None:
        from atlas.sdk.handle import Job

        self._job = Job(job_id, client=client)

    def __repr__(self) -> str:
        return f"DeploymentWrapper({self._job.id!r})"

    def job_name(self) -> str:
        """The job's id."""
        return self._job.id

    def _status(self) -> JobStatus | None:
        try:
            return self._job.status()
        except NotFoundError:
            return None

    def is_job_complete(self) -> bool:
        """Whether the job has ended (completed, failed, cancelled or lost)."""
        return self._status() in FINAL_STATUSES

    def get_job_status(self) -> str | None:
        """``queued``, ``running`` or ``completed`` (any end); ``None`` for an unknown job."""
        status = self._status()
        return None if status is None else old_status(status)

    def get_true_job_status(self) -> str | None:
        """Atlas's status of the job; ``None`` for an unknown job."""
        status = self._status()
        return None if status is None else str(status)

    def wait_for_deployment_to_complete(
        self, wait_seconds: float = 5, log_output: bool = True
    ) -> None:
        """Block until the job has ended (the job is polled more often than
        ``wait_seconds``, which is kept for old calls)."""
        if log_output:
            logger.info("waiting for job `%s` to finish", self._job.id)
        self._job.wait()
        if log_output:
            logger.info("job `%s` completed", self._job.id)

    def _ended(self, wait_seconds: float) -> domain.Job:
        self.wait_for_deployment_to_complete(wait_seconds=wait_seconds, log_output=False)
        return self._job.info()

    def get_job_details(self, wait_seconds: float = 5) -> dict[str, object]:
        """Once the job has ended: its project, id, user, status (Atlas's), times (naive UTC
        datetimes), tag names, metrics (each one's last value) and parameters."""
        job = self._ended(wait_seconds)
        return {
            "project_name": job.project,
            "job_id": job.id,
            "user": job.user,
            "status": str(job.status),
            "start_time": _utc(job.started_at),
            "completed_time": _utc(job.finished_at),
            "creation_time": _utc(job.created_at),
            "tags": list(job.tags),
            "metrics": {key: summary.last for key, summary in job.metrics.items()},
            "parameters": dict(job.params),
        }

    def get_metric(self, metric_name: str, wait_seconds: float = 5) -> object:
        """Once the job has ended: the metric's last value (a string metric's value);
        ``KeyError`` when the job has none."""
        job = self._ended(wait_seconds)
        if metric_name in job.metrics:
            return job.metrics[metric_name].last
        if metric_name in job.tags:
            return job.tags[metric_name]
        raise KeyError(f"Metric '{metric_name}' does not exist.")

    def get_param(self, param_name: str, wait_seconds: float = 5) -> object:
        """Once the job has ended: the param's value; ``KeyError`` when the job has none."""
        job = self._ended(wait_seconds)
        if param_name not in job.params:
            raise KeyError(f"Parameter '{param_name}' does not exist.")
        return job.params[param_name]

    def get_job_logs(self) -> str:
        """The job's log (its stdout and stderr) so far."""
        return self._job.logs()

    def stream_job_logs(self, strip_new_line: bool = True) -> Iterator[str]:
        """The job's log line by line as it is written, until the job ends."""
        pending = ""
        for text in self._job.logs(follow=True):
            pending += text
            *lines, pending = pending.split("\n")
            for line in lines:
                yield line if strip_new_line else line + "\n"
        if pending:
            yield pending


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None)
