"""Framework integrations: thin adapters that log a training loop's params, metrics and final
model into an Atlas job (docs/integrations.md).

Each framework has its own module, imported only by name, so ``import atlas`` and ``import
atlas.integrations`` never load a framework:

- ``atlas.integrations.lightning``: ``AtlasLogger``, a Lightning logger;
- ``atlas.integrations.keras``: ``AtlasCallback``, a Keras 3 callback;
- ``atlas.integrations.transformers``: ``AtlasCallback``, a Hugging Face ``TrainerCallback``;
- ``atlas.integrations.xgboost``: ``AtlasCallback``, an XGBoost ``TrainingCallback``;
- ``atlas.integrations.lightgbm``: ``AtlasCallback`` and ``log_model``, for LightGBM;
- ``atlas.integrations.optuna``: ``AtlasOptunaCallback``, one Atlas job per Optuna trial.

Every adapter logs into the job the process tracks (the one Atlas started, or the user's
``atlas.init``), else starts one, which ends with the script or at ``atlas.finish()``; none
sets a job's status (see ``atlas.integrations.runs``).

An adapter uses what a user's script may: ``atlas`` and the names docs/sdk.md documents for
its ``Client`` (the types of ``atlas.domain``, the errors of ``atlas.errors``, and
``atlas.sdk.buffer.MetricColumns``, what ``Client.send_metrics`` takes); never the SDK's
internals (tests/integrations/test_package.py checks it).
"""

from __future__ import annotations

__all__: list[str] = []
