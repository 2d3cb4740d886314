"""Hugging Face Transformers: ``AtlasCallback``, a ``TrainerCallback`` for
``Trainer(..., callbacks=[AtlasCallback()])``; docs/integrations.md.

Logged when training begins: the ``TrainingArguments`` (``learning_rate``,
``per_device_train_batch_size``, ...; Hugging Face masks its tokens), the model's
configuration under ``model.`` (``model.hidden_size``, ...) and the caller's ``params``; every
``Trainer`` log (``loss``, ``learning_rate``, ``grad_norm``, ``eval_loss``, ...) with the
trainer's global step. With ``log_model=True``, the trained model (and its tokenizer or
processor) saved with ``save_pretrained`` as the artifact folder ``model/`` when training ends;
with ``log_model="checkpoint"``, also each checkpoint folder the ``Trainer`` saves, under
``checkpoints/``. Only the main process (``state.is_world_process_zero``) logs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any, Literal

import transformers

import atlas
from atlas.integrations.runs import AdapterRun

__all__ = ["AtlasCallback"]

MODEL = "model"
"""The artifact folder of the trained model."""
CHECKPOINTS = "checkpoints"
"""The artifact folder of the checkpoints stored."""


class AtlasCallback(transformers.TrainerCallback):  # type: ignore[misc]
    """Log a ``Trainer``'s training into the active Atlas job (or a job it starts).

    ``params`` are more params to record; ``log_model`` stores the trained model (``True``)
    and also every checkpoint (``"checkpoint"``); ``project``, ``name`` and ``tags`` are those
    of a job the callback starts; ``run`` is the job to log into instead of the active one.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, object] | None = None,
        log_model: bool | Literal["checkpoint"] = False,
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
        run: atlas.Run | None = None,
    ) -> None:
        if log_model not in (True, False, "checkpoint"):
            raise ValueError(f"log_model is True, False or 'checkpoint', not {log_model!r}")
        self._params = dict(params or {})
        self._log_model = log_model
        self.atlas = AdapterRun(run=run, project=project, name=name, tags=tags)

    def on_train_begin(
        self,
        args: transformers.TrainingArguments,
        state: transformers.TrainerState,
        control: transformers.TrainerControl,
        model: Any = None,
        **kwargs: Any,
    ) -> None:
        """Record the training arguments, the model's configuration and ``params``."""
        if not state.is_world_process_zero:
            return
        self.atlas.log_params({**args.to_dict(), **self._params})
        config = getattr(model, "config", None)
        if config is not None and hasattr(config, "to_dict"):
            self.atlas.log_params(config.to_dict(), prefix=MODEL)

    def on_log(
        self,
        args: transformers.TrainingArguments,
        state: transformers.TrainerState,
        control: transformers.TrainerControl,
        logs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Record the numbers of ``logs`` at the trainer's global step."""
        if state.is_world_process_zero and logs:
            self.atlas.log_metrics(logs, state.global_step)

    def on_save(
        self,
        args: transformers.TrainingArguments,
        state: transformers.TrainerState,
        control: transformers.TrainerControl,
        **kwargs: Any,
    ) -> None:
        """With ``log_model="checkpoint"``, store the checkpoint folder just saved."""
        if not state.is_world_process_zero or self._log_model != "checkpoint":
            return
        folder = f"{transformers.trainer_utils.PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        path = os.path.join(args.output_dir, folder)
        if os.path.isdir(path):
            self.atlas.save_artifact(path, f"{CHECKPOINTS}/{folder}")

    def on_train_end(
        self,
        args: transformers.TrainingArguments,
        state: transformers.TrainerState,
        control: transformers.TrainerControl,
        model: Any = None,
        **kwargs: Any,
    ) -> None:
        """Store the trained model when asked, and wait until the server has everything."""
        if not state.is_world_process_zero:
            return
        if self._log_model and model is not None:
            with tempfile.TemporaryDirectory(prefix="atlas-transformers-") as folder:
                model.save_pretrained(folder)
                processor = kwargs.get("processing_class") or kwargs.get("tokenizer")
                if processor is not None and hasattr(processor, "save_pretrained"):
                    processor.save_pretrained(folder)
                self.atlas.save_artifact(folder, MODEL)
        self.atlas.flush()
