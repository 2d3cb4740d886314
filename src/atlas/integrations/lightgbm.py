"""LightGBM: ``AtlasCallback``, a callback for ``lightgbm.train``, ``lightgbm.cv`` and the
scikit-learn estimators' ``fit(..., callbacks=[AtlasCallback()])``, and ``log_model(booster)``
for the trained model; docs/integrations.md.

Logged: the training parameters (LightGBM's ``params`` as it runs with them) and the caller's
``params`` at the first iteration; every evaluation result at every iteration as
``<data>-<metric>`` (``training-l2``, ``valid_0-auc``; ``lightgbm.cv``'s standard deviations
as ``<data>-<metric>-std``) with the iteration as the step. LightGBM tells a callback nothing
when training ends (early stopping ends it early), so the model is stored by
``log_model(booster)`` after training, into the same job.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import lightgbm

import atlas
from atlas.integrations.runs import AdapterRun

__all__ = ["AtlasCallback", "log_model"]


class AtlasCallback:
    """Log a LightGBM training into the active Atlas job (or a job it starts).

    ``params`` are more params to record; ``project``, ``name`` and ``tags`` are those of
    a job the callback starts; ``run`` is the job to log into instead of the active one.
    Runs after the iteration, before early stopping (``order`` 20, as LightGBM's
    ``record_evaluation``), so the last iteration evaluated is logged too.
    """

    order = 20
    before_iteration = False

    def __init__(
        self,
        *,
        params: Mapping[str, object] | None = None,
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
        run: atlas.Run | None = None,
    ) -> None:
        self._params = dict(params or {})
        self.atlas = AdapterRun(run=run, project=project, name=name, tags=tags)

    def __call__(self, env: lightgbm.callback.CallbackEnv) -> None:
        """Record the params at the first iteration, then the iteration's evaluation."""
        if env.iteration == env.begin_iteration:
            self.atlas.log_params({**env.params, **self._params})
        metrics: dict[str, object] = {}
        for result in env.evaluation_result_list or []:
            data, metric, value = result[0], result[1], result[2]
            metrics[f"{data}-{metric}"] = value
            if len(result) > 4:  # the standard deviation of lightgbm.cv (None in train)
                metrics[f"{data}-{metric}-std"] = result[4]
        self.atlas.log_metrics(metrics, env.iteration)


def log_model(
    booster: lightgbm.Booster | lightgbm.LGBMModel,
    key: str = "model.txt",
    *,
    run: atlas.Run | None = None,
) -> list[str]:
    """Store ``booster`` (or a fitted scikit-learn estimator's booster) in LightGBM's text
    format as the artifact ``key`` of ``run``, else of the active job (started when there
    is none); its best iteration when early stopping found one. Returns the artifact paths."""
    if isinstance(booster, lightgbm.LGBMModel):
        booster = booster.booster_
    target = run if run is not None else AdapterRun().run
    with tempfile.TemporaryDirectory(prefix="atlas-lightgbm-") as folder:
        path = Path(folder) / Path(key).name
        booster.save_model(path)
        return target.save_artifact(path, key)
