"""Wire models of the TensorBoards the server runs (docs/tensorboard.md)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pydantic import Field

from atlas.names import MAX_TENSORBOARD_JOBS
from atlas.server.schemas import JobId, UtcDatetime, WireModel
from atlas.server.tensorboards import TensorBoard

__all__ = ["TensorBoardCreate", "TensorBoardOut", "TensorBoardRunOut"]


class TensorBoardCreate(WireModel):
    """The jobs to show side by side (their order does not matter)."""

    jobs: list[JobId] = Field(min_length=1, max_length=MAX_TENSORBOARD_JOBS)


class TensorBoardRunOut(WireModel):
    job_id: str
    run: str
    """The run TensorBoard shows the job's event files as (its runs below it, if several)."""


class TensorBoardOut(WireModel):
    id: str
    path: str
    """Where the server serves it: ``/tensorboard/<id>/``."""
    runs: list[TensorBoardRunOut]
    started_at: UtcDatetime
    idle_seconds: float
    """Seconds since it last served a request."""
    started: bool = False
    """Whether this request started it (``false``: it was running already)."""

    @classmethod
    def of(cls, instance: TensorBoard, *, started: bool = False) -> TensorBoardOut:
        return cls(
            id=instance.id,
            path=instance.path,
            runs=[TensorBoardRunOut(job_id=j, run=r) for j, r in instance.jobs.items()],
            started_at=datetime.fromtimestamp(instance.started_at, UTC),
            idle_seconds=round(max(0.0, time.monotonic() - instance.used_at), 3),
            started=started,
        )
