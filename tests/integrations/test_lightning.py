"""The Lightning logger with the real Lightning on torch (``make test-integrations``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client

pytestmark = [
    pytest.mark.integrations,
    # a tiny CPU run: Lightning's advice on workers and batches does not apply
    pytest.mark.filterwarnings("ignore:.*(num_workers|smaller than the logging interval).*"),
    # Lightning 2.6 on torch 2.10+ (its code, not ours)
    pytest.mark.filterwarnings(
        "ignore:`isinstance.treespec, LeafSpec.` is deprecated:FutureWarning"
    ),
]


def tiny_module(lr: float) -> Any:
    import lightning.pytorch as pl
    import torch

    class Regression(pl.LightningModule):
        def __init__(self, lr: float, width: int = 3) -> None:
            super().__init__()
            self.save_hyperparameters()
            self.layer = torch.nn.Linear(width, 1)

        def training_step(self, batch: Any, batch_idx: int) -> Any:
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.layer(x), y)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch: Any, batch_idx: int) -> None:
            x, y = batch
            self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y))

        def test_step(self, batch: Any, batch_idx: int) -> None:
            x, y = batch
            self.log("test_loss", torch.nn.functional.mse_loss(self.layer(x), y))

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    return Regression(lr)


def loader() -> Any:
    import torch

    generator = torch.Generator().manual_seed(0)
    x = torch.rand(32, 3, generator=generator)
    y = x @ torch.tensor([[1.0], [2.0], [-1.0]])
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)


def trainer(logger: Any, root: Path, **options: Any) -> Any:
    import lightning.pytorch as pl

    return pl.Trainer(
        max_epochs=2,
        logger=logger,
        default_root_dir=root,
        log_every_n_steps=1,
        accelerator="cpu",
        enable_progress_bar=False,
        enable_model_summary=False,
        **options,
    )


def test_hyperparameters_metrics_by_step_and_the_checkpoint(
    client: Client, project: str, tmp_path: Path
) -> None:
    import torch

    from atlas.integrations.lightning import AtlasLogger

    logger = AtlasLogger(params={"data": "toy"}, log_model=True, project=project, name="pl")
    fit = trainer(logger, tmp_path)
    fit.fit(tiny_module(0.05), loader(), loader())
    fit.test(ckpt_path="best", dataloaders=loader())

    run = atlas.current_job()
    assert run is not None
    assert logger.version == run.id
    assert logger.name == project
    job = client.get_job(run.id)
    assert (job.name, job.status) == ("pl", JobStatus.RUNNING)  # the script's to end
    assert job.params == {"lr": 0.05, "width": 3, "data": "toy"}
    train_loss = client.get_metric(run.id, "train_loss")
    assert train_loss.steps == list(range(8))  # 4 batches a epoch, 2 epochs
    assert client.get_metric(run.id, "val_loss").steps == [3, 7]
    assert {0.0, 1.0} <= set(client.get_metric(run.id, "epoch").values)
    assert "test_loss" in client.get_job(run.id).metrics  # trainer.test() logs into it too
    [artifact] = client.list_artifacts(run.id)
    assert artifact.path == "checkpoints/epoch=1-step=8.ckpt"
    stored = tmp_path / "stored.ckpt"
    stored.write_bytes(client.read_artifact(run.id, artifact.path))
    checkpoint = torch.load(stored, weights_only=False)
    assert checkpoint["global_step"] == 8
    assert checkpoint["hyper_parameters"]["lr"] == 0.05

    atlas.finish()
    assert client.get_job(run.id).status == JobStatus.COMPLETED


def test_every_checkpoint_into_the_users_job(client: Client, project: str, tmp_path: Path) -> None:
    import lightning.pytorch as pl

    from atlas.integrations.lightning import AtlasLogger

    with atlas.init(project=project, name="mine") as run:
        checkpoints = pl.callbacks.ModelCheckpoint(save_top_k=-1, monitor="val_loss")
        fit = trainer(AtlasLogger(log_model="all"), tmp_path, callbacks=[checkpoints])
        fit.fit(tiny_module(0.1), loader(), loader())
        assert client.get_job(run.id).status == JobStatus.RUNNING
    paths = sorted(a.path for a in client.list_artifacts(run.id))
    assert paths == ["checkpoints/epoch=0-step=4.ckpt", "checkpoints/epoch=1-step=8.ckpt"]
    assert client.list_jobs(project).total == 1


def test_a_bad_log_model_is_refused() -> None:
    from atlas.integrations.lightning import AtlasLogger

    with pytest.raises(ValueError, match="log_model is True, False or 'all'"):
        AtlasLogger(log_model="best")  # type: ignore[arg-type]
