"""XGBoost: ``AtlasCallback``, a training callback for ``xgboost.train``, ``xgboost.cv`` and
the scikit-learn estimators (``callbacks=[AtlasCallback()]``); docs/integrations.md.

Logged: the booster's training parameters (read from its configuration when training
starts) and the caller's ``params``; every evaluation metric at every iteration, as
``<data>-<metric>`` (``train-rmse``, ``validation-logloss``: XGBoost's own names) with the
iteration as the step (``xgboost.cv``'s standard deviations as ``<data>-<metric>-std``);
with ``log_model=True``, the trained model as the artifact ``model.json`` (or ``model.ubj``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import xgboost

import atlas
from atlas.integrations.runs import AdapterRun

__all__ = ["AtlasCallback"]


class AtlasCallback(xgboost.callback.TrainingCallback):
    """Log an XGBoost training into the active Atlas job (or a job it starts).

    ``params`` are more params to record (the booster's own are read from it);
    ``log_model`` saves the final model in ``model_format`` (``"json"`` or ``"ubj"``);
    ``project``, ``name`` and ``tags`` are those of a job the callback starts; ``run`` is
    the job to log into instead of the active one.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, object] | None = None,
        log_model: bool = False,
        model_format: Literal["json", "ubj"] = "json",
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
        run: atlas.Run | None = None,
    ) -> None:
        super().__init__()
        if model_format not in ("json", "ubj"):
            raise ValueError(f"model_format is 'json' or 'ubj', not {model_format!r}")
        self._params = dict(params or {})
        self._log_model = log_model
        self._model_format = model_format
        self.atlas = AdapterRun(run=run, project=project, name=name, tags=tags)

    def before_training(self, model: xgboost.Booster) -> xgboost.Booster:
        """Record the booster's parameters and the caller's ``params``."""
        found = booster_params(model) if isinstance(model, xgboost.Booster) else {}
        self.atlas.log_params({**found, **self._params})
        return model

    def after_iteration(
        self,
        model: xgboost.Booster,
        epoch: int,
        evals_log: xgboost.callback.TrainingCallback.EvalsLog,
    ) -> bool:
        """Record the newest value of every evaluation metric at step ``epoch``; never
        stops training."""
        metrics: dict[str, object] = {}
        for data, by_metric in evals_log.items():
            for metric, history in by_metric.items():
                if not history:
                    continue
                last = history[-1]
                if isinstance(last, tuple):  # xgboost.cv: (mean, standard deviation)
                    metrics[f"{data}-{metric}"], metrics[f"{data}-{metric}-std"] = last
                else:
                    metrics[f"{data}-{metric}"] = last
        self.atlas.log_metrics(metrics, epoch)
        return False

    def after_training(self, model: xgboost.Booster) -> xgboost.Booster:
        """Store the model when asked, and wait until the server has everything."""
        if self._log_model and isinstance(model, xgboost.Booster):
            with tempfile.TemporaryDirectory(prefix="atlas-xgboost-") as folder:
                path = Path(folder) / f"model.{self._model_format}"
                model.save_model(path)
                self.atlas.save_artifact(path, path.name)
        self.atlas.flush()
        return model


def booster_params(booster: xgboost.Booster) -> dict[str, object]:
    """The training parameters in ``booster``'s configuration (learner, objective, booster
    and tree parameters, number of features and classes), as numbers where they are."""
    learner = json.loads(booster.save_config()).get("learner", {})
    sections: list[Mapping[str, object]] = [
        learner.get("learner_train_param", {}),
        learner.get("generic_param", {}),
    ]
    gradient_booster = learner.get("gradient_booster", {})
    sections += [
        value
        for key, value in gradient_booster.items()
        if key.endswith("_train_param") and isinstance(value, Mapping)
    ]
    model = learner.get("learner_model_param", {})
    sections.append({key: model[key] for key in ("num_feature", "num_class") if key in model})
    params: dict[str, object] = {}
    for section in sections:
        params.update({key: _number_or_text(value) for key, value in section.items()})
    return params


def _number_or_text(value: object) -> object:
    """XGBoost's configuration holds text: ``"2"`` as 2, ``"0.300000012"`` (a float32) as
    0.3, anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(f"{float(value):.7g}")
    except ValueError:
        return value
