"""Optuna: ``AtlasOptunaCallback``, which records every trial of a study the user runs
(``study.optimize(objective, callbacks=[AtlasOptunaCallback()])``) as an Atlas job of its
own; docs/integrations.md. (Sweeps that Atlas runs itself are ``atlas sweep``: docs/sweeps.md.)

Each finished trial becomes one job, named ``<study>-<trial number>``, with the trial's
params, its objective value(s) as metrics (``value``, or ``value_0``, ``value_1``... for
several objectives; names of your own with ``metric_name``), its reported intermediate values
as the series ``intermediate_value`` with their steps, the tags ``optuna.study``,
``optuna.trial`` and ``optuna.state`` (and ``optuna.parent``: the job running the study,
when there is one), and the trial's start and end times. A complete trial's job completed, a
failed one's failed, a pruned one's cancelled with the error ``pruned`` (as an Atlas sweep's
pruned trials).

The jobs are written with ``atlas.Client`` when each trial ends (not through the active
run), so a study run inside an Atlas job or under ``atlas.init`` leaves that job alone. A
server that cannot take a trial is logged as a warning and the study goes on.
"""

from __future__ import annotations

import logging
import os
import time
from array import array
from collections.abc import Sequence
from datetime import datetime

import optuna

import atlas
from atlas.domain import JobError, JobKind, JobStatus
from atlas.errors import AtlasError
from atlas.integrations.runs import metric_values, plain_params
from atlas.sdk.buffer import MetricColumns

__all__ = ["AtlasOptunaCallback"]

logger = logging.getLogger(__name__)

INTERMEDIATE_KEY = "intermediate_value"
"""The metric key of a trial's reported intermediate values (Optuna's own name)."""

_STATUSES = {
    optuna.trial.TrialState.COMPLETE: JobStatus.COMPLETED,
    optuna.trial.TrialState.FAIL: JobStatus.FAILED,
    optuna.trial.TrialState.PRUNED: JobStatus.CANCELLED,
}


class AtlasOptunaCallback:
    """Record each finished trial of an Optuna study as an Atlas job.

    ``project`` defaults to the active job's project, else the study's name;
    ``metric_name`` names the objective(s) (a name, or one per objective); ``tags`` are
    added to every trial's job; ``client`` is the ``atlas.Client`` to write with (default:
    one made from the SDK's settings: ``ATLAS_URL``, ``atlas.configure``...).
    """

    def __init__(
        self,
        *,
        project: str | None = None,
        metric_name: str | Sequence[str] | None = None,
        tags: dict[str, str] | None = None,
        client: atlas.Client | None = None,
    ) -> None:
        self._project = project
        self._metric_names = [metric_name] if isinstance(metric_name, str) else metric_name
        self._tags = dict(tags or {})
        self._client = client

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        """Record ``trial`` (Optuna calls this when a trial ends)."""
        status = _STATUSES.get(trial.state)
        if status is None:  # a trial still running or waiting: nothing ended
            return
        columns = self._columns(trial)  # first: a wrong metric_name is the caller's error
        client = self._client if self._client is not None else atlas.Client()
        try:
            self._record(client, study, trial, status, columns)
        except AtlasError as exc:
            logger.warning(
                "trial %s of study %r not recorded: %s", trial.number, study.study_name, exc
            )
        finally:
            if client is not self._client:
                client.close()

    def _record(
        self,
        client: atlas.Client,
        study: optuna.Study,
        trial: optuna.trial.FrozenTrial,
        status: JobStatus,
        columns: list[MetricColumns],
    ) -> None:
        active = atlas.current_job()
        project = self._project or (active.project if active else None) or study.study_name
        tags = {
            **self._tags,
            "optuna.study": study.study_name,
            "optuna.trial": str(trial.number),
            "optuna.state": trial.state.name.lower(),
        }
        if active is not None:
            tags["optuna.parent"] = active.id
        job = client.create_job(
            project,
            name=f"{study.study_name}-{trial.number}",
            kind=JobKind.LOCAL,
            params=plain_params(trial.params),  # type: ignore[arg-type]
            tags=tags,
            started_at=_aware(trial.datetime_start),
        )
        if columns:
            client.send_metrics(job.id, columns, batch_id=f"optuna-{os.urandom(6).hex()}")
        client.update_job(
            job.id,
            status=status,
            exit_code=0 if status == JobStatus.COMPLETED else 1,
            error=_error(trial),
            at=_aware(trial.datetime_complete),
        )

    def _columns(self, trial: optuna.trial.FrozenTrial) -> list[MetricColumns]:
        """The trial's objective values at step 0 and its intermediate values by step."""
        now = time.time()
        values = trial.values or []
        names = self._metric_names or (
            ["value"] if len(values) == 1 else [f"value_{i}" for i in range(len(values))]
        )
        if values and len(names) != len(values):
            raise ValueError(
                f"metric_name names {len(names)} objectives, the study has {len(values)}"
            )
        columns = [
            _column(key, [0], [value], now)
            for key, value in metric_values(dict(zip(names, values, strict=True))).items()
        ]
        steps = sorted(trial.intermediate_values)
        if steps:
            points = [trial.intermediate_values[step] for step in steps]
            columns.append(_column(INTERMEDIATE_KEY, steps, points, now))
        return columns


def _column(key: str, steps: list[int], values: list[float], at: float) -> MetricColumns:
    return MetricColumns(
        key, array("q", steps), array("d", [at] * len(steps)), array("d", map(float, values))
    )


def _aware(moment: datetime | None) -> datetime | None:
    """Optuna's times are naive, in local time: the same instants with their zone."""
    return None if moment is None else moment.astimezone()


def _error(trial: optuna.trial.FrozenTrial) -> JobError | None:
    """Why a trial did not complete, as a job error."""
    if trial.state == optuna.trial.TrialState.PRUNED:
        step = trial.last_step
        return JobError(type="pruned", message=f"pruned by Optuna at step {step}", traceback="")
    if trial.state == optuna.trial.TrialState.FAIL:
        # Optuna logs the objective's exception but keeps it nowhere a callback can read.
        reason = str(trial.system_attrs.get("fail_reason", "the trial failed (see Optuna's log)"))
        return JobError(type="failed", message=reason, traceback="")
    return None
