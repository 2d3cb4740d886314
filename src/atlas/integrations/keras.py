"""Keras 3: ``AtlasCallback``, a callback for ``model.fit(..., callbacks=[AtlasCallback()])``
on any backend (JAX, TensorFlow, PyTorch); docs/integrations.md.

Logged when training begins: the caller's ``params``, ``epochs`` and ``steps`` (per epoch),
the optimizer's configuration under ``optimizer.`` (``optimizer.name``,
``optimizer.learning_rate``...), the loss's name as ``loss``, and the model's name and number
of parameters as ``model.name`` and ``model.params``. At the end of every epoch each metric
of the epoch's logs (``loss``, ``accuracy``, ``val_loss``...) with the epoch as the step; with
``log_batches=N``, every Nth batch's logs as ``batch/<metric>`` with the batch's number counted
from the start of training as the step. With ``log_model=True``, the trained model as the
artifact ``model.keras`` (Keras's own format) when training ends.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras

import atlas
from atlas.integrations.runs import AdapterRun

__all__ = ["AtlasCallback"]

BATCH_PREFIX = "batch/"
"""What the keys of per-batch metrics start with (the epoch's metrics keep Keras's names)."""


class AtlasCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """Log a Keras training into the active Atlas job (or a job it starts).

    ``params`` are more params to record; ``log_batches`` logs the metrics of every so many
    batches too (0: only epochs); ``log_model`` stores the trained model; ``project``,
    ``name`` and ``tags`` are those of a job the callback starts; ``run`` is the job to log
    into instead of the active one.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, object] | None = None,
        log_batches: int = 0,
        log_model: bool = False,
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
        run: atlas.Run | None = None,
    ) -> None:
        super().__init__()
        if isinstance(log_batches, bool) or not isinstance(log_batches, int) or log_batches < 0:
            raise ValueError(f"log_batches is a number of batches (0: none), not {log_batches!r}")
        self._user_params = dict(params or {})
        self._log_batches = log_batches
        self._log_model = log_model
        self._batches = 0
        self.atlas = AdapterRun(run=run, project=project, name=name, tags=tags)

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        """Record the training's params (see the module's docstring)."""
        self._batches = 0
        self.atlas.log_params({**self._training_params(), **self._user_params})

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Record every ``log_batches``-th batch's metrics as ``batch/<metric>``."""
        step = self._batches
        self._batches += 1
        if self._log_batches and logs and step % self._log_batches == 0:
            self.atlas.log_metrics({f"{BATCH_PREFIX}{k}": v for k, v in logs.items()}, step)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Record the epoch's metrics at step ``epoch``."""
        if logs:
            self.atlas.log_metrics(logs, epoch)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        """Store the model when asked, and wait until the server has everything."""
        if self._log_model and self.model is not None:
            with tempfile.TemporaryDirectory(prefix="atlas-keras-") as folder:
                path = Path(folder) / "model.keras"
                self.model.save(path)
                self.atlas.save_artifact(path, path.name)
        self.atlas.flush()

    def _training_params(self) -> dict[str, object]:
        """What Keras tells of the training: epochs, steps, optimizer, loss and model."""
        found: dict[str, object] = {
            key: self.params[key] for key in ("epochs", "steps") if self.params.get(key)
        }
        model = self.model
        if model is None:
            return found
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            found["optimizer"] = optimizer.get_config()
        loss = getattr(model, "loss", None)
        if loss is not None:
            found["loss"] = loss if isinstance(loss, str) else getattr(loss, "name", str(loss))
        found["model"] = {"name": model.name, "params": model.count_params()}
        return found
