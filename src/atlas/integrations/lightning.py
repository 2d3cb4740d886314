"""Lightning: ``AtlasLogger``, a logger for ``Trainer(logger=AtlasLogger())``, for
``lightning.pytorch`` (``pip install lightning``) or, without it, the older
``pytorch_lightning`` package; docs/integrations.md.

Logged: the hyperparameters Lightning hands its loggers (``save_hyperparameters()`` of the
module and the data module) and the caller's ``params``; every metric Lightning logs
(``self.log(...)``: ``train_loss``, ``val_loss``, ``epoch``...) with the trainer's global step;
with ``log_model=True``, the best and the last checkpoint of the ``ModelCheckpoint``
callback when training ends, and with ``log_model="all"`` every checkpoint when it is saved,
as artifacts under ``checkpoints/``. Only the process of global rank 0 logs.

``finalize`` does not end the job: its status is its owner's (see ``atlas.integrations.runs``),
so ``trainer.test()`` after ``trainer.fit()`` logs into the same job.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from typing import Any, Literal

import atlas
from atlas.integrations.runs import AdapterRun

try:
    from lightning.pytorch.callbacks import ModelCheckpoint
    from lightning.pytorch.loggers import Logger
    from lightning.pytorch.utilities import rank_zero_only
except ModuleNotFoundError:  # only the package's older name is installed
    from pytorch_lightning.callbacks import ModelCheckpoint
    from pytorch_lightning.loggers import Logger
    from pytorch_lightning.utilities import rank_zero_only

__all__ = ["AtlasLogger"]

CHECKPOINTS = "checkpoints"
"""The artifact folder of the checkpoints stored."""


class AtlasLogger(Logger):  # type: ignore[misc]
    """A Lightning logger that records into the active Atlas job (or a job it starts).

    ``params`` are more params to record; ``log_model`` stores checkpoints (``True``: the
    best and the last when training ends; ``"all"``: each when it is saved); ``project``,
    ``name`` and ``tags`` are those of a job the logger starts; ``run`` is the job to log
    into instead of the active one.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, object] | None = None,
        log_model: bool | Literal["all"] = False,
        project: str | None = None,
        name: str | None = None,
        tags: Mapping[str, object] | list[str] | None = None,
        run: atlas.Run | None = None,
    ) -> None:
        super().__init__()
        if log_model not in (True, False, "all"):
            raise ValueError(f"log_model is True, False or 'all', not {log_model!r}")
        self._params = dict(params or {})
        self._log_model = log_model
        self._project = project
        self._checkpoints: list[Any] = []
        self._stored: dict[str, float] = {}  # checkpoint path -> its mtime when stored
        self.atlas = AdapterRun(run=run, project=project, name=name, tags=tags)

    @property
    def name(self) -> str | None:
        """The job's project (Lightning names its checkpoint folder after it)."""
        if rank_zero_only.rank != 0:
            return self._project
        return self.atlas.run.project

    @property
    def version(self) -> str | None:
        """The job's id (Lightning names its checkpoint folder after it)."""
        if rank_zero_only.rank != 0:
            return None
        return self.atlas.run.id

    @property
    def experiment(self) -> atlas.Run:
        """The Atlas job this logger records into."""
        return self.atlas.run

    @rank_zero_only  # type: ignore[untyped-decorator]
    def log_hyperparams(
        self, params: Mapping[str, Any] | Namespace, *args: Any, **kwargs: Any
    ) -> None:
        """Record the hyperparameters (and the logger's ``params``)."""
        found = vars(params) if isinstance(params, Namespace) else dict(params)
        self.atlas.log_params({**found, **self._params})

    @rank_zero_only  # type: ignore[untyped-decorator]
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Record ``metrics`` at ``step`` (Lightning's global step)."""
        self.atlas.log_metrics(metrics, step if step is not None else 0)

    @rank_zero_only  # type: ignore[untyped-decorator]
    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        """Keep the checkpoint callback; with ``log_model="all"``, store what it saved."""
        if checkpoint_callback not in self._checkpoints:
            self._checkpoints.append(checkpoint_callback)
        if self._log_model == "all":
            paths = [*checkpoint_callback.best_k_models, checkpoint_callback.last_model_path]
            self._store(paths)

    @rank_zero_only  # type: ignore[untyped-decorator]
    def finalize(self, status: str) -> None:
        """Training ended (``status``: ``success``, ``failed``...): store the best and last
        checkpoints when asked, and wait until the server has everything. The job goes on."""
        if self._log_model:
            for callback in self._checkpoints:
                if isinstance(callback, ModelCheckpoint):
                    self._store([callback.best_model_path, callback.last_model_path])
        self.atlas.flush()

    def _store(self, paths: list[str]) -> None:
        """Store the checkpoint files not stored yet (or changed since) under
        ``checkpoints/``."""
        for path in dict.fromkeys(str(p) for p in paths if p):
            if not os.path.isfile(path):
                continue
            mtime = os.path.getmtime(path)
            if self._stored.get(path) == mtime:
                continue
            self.atlas.save_artifact(path, f"{CHECKPOINTS}/{os.path.basename(path)}")
            self._stored[path] = mtime
