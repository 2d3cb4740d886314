"""The Hugging Face callback with the real Transformers ``Trainer`` on torch
(``make test-integrations``); the model is made from a configuration, nothing is downloaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client

pytestmark = pytest.mark.integrations


def tiny_model() -> Any:
    import transformers

    transformers.set_seed(0)
    config = transformers.BertConfig(
        vocab_size=20,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
        num_labels=2,
    )
    return transformers.BertForSequenceClassification(config)


def dataset(rows: int = 16) -> list[dict[str, Any]]:
    import torch

    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 20, (rows, 6), generator=generator)
    return [
        {"input_ids": ids[i], "attention_mask": torch.ones(6, dtype=torch.long), "labels": i % 2}
        for i in range(rows)
    ]


def arguments(folder: Path, **options: Any) -> Any:
    import transformers

    return transformers.TrainingArguments(
        output_dir=str(folder),
        num_train_epochs=2,
        per_device_train_batch_size=4,
        learning_rate=1e-3,
        logging_steps=1,
        eval_strategy="epoch",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        **options,
    )


def test_arguments_config_logs_by_step_and_the_model(
    client: Client, project: str, tmp_path: Path
) -> None:
    import transformers

    from atlas.integrations.transformers import AtlasCallback

    callback = AtlasCallback(params={"data": "toy"}, log_model=True, project=project, name="hf")
    trainer = transformers.Trainer(
        model=tiny_model(),
        args=arguments(tmp_path / "out", save_strategy="no"),
        train_dataset=dataset(),
        eval_dataset=dataset(8),
        callbacks=[callback],
    )
    trainer.train()
    trainer.evaluate()

    run = atlas.current_job()
    assert run is not None
    job = client.get_job(run.id)
    assert (job.name, job.status) == ("hf", JobStatus.RUNNING)  # the script's to end
    assert job.params["learning_rate"] == 1e-3
    assert job.params["per_device_train_batch_size"] == 4
    assert job.params["model.hidden_size"] == 8
    assert job.params["model.model_type"] == "bert"
    assert job.params["data"] == "toy"
    loss = client.get_metric(run.id, "loss")
    assert loss.steps == list(range(1, 9))  # 4 steps an epoch, 2 epochs, one log each
    eval_loss = client.get_metric(run.id, "eval_loss")
    # each epoch, then trainer.evaluate() at the last step again
    assert set(eval_loss.steps) == {4, 8}
    assert eval_loss.values[-1] == pytest.approx(trainer.state.log_history[-1]["eval_loss"])
    assert "train_runtime" in job.metrics
    paths = {a.path for a in client.list_artifacts(run.id)}
    assert {"model/config.json", "model/model.safetensors"} <= paths
    config = json.loads(client.read_artifact(run.id, "model/config.json"))
    assert config["hidden_size"] == 8


def test_checkpoints_into_the_users_job(client: Client, project: str, tmp_path: Path) -> None:
    import transformers

    from atlas.integrations.transformers import AtlasCallback

    with atlas.init(project=project, name="mine") as run:
        transformers.Trainer(
            model=tiny_model(),
            args=arguments(tmp_path / "out", save_strategy="epoch"),
            train_dataset=dataset(),
            eval_dataset=dataset(8),
            callbacks=[AtlasCallback(log_model="checkpoint")],
        ).train()
        assert client.get_job(run.id).status == JobStatus.RUNNING
    paths = {a.path for a in client.list_artifacts(run.id)}
    assert "checkpoints/checkpoint-4/model.safetensors" in paths
    assert "checkpoints/checkpoint-8/trainer_state.json" in paths
    assert "model/model.safetensors" in paths
    assert client.get_job(run.id).status == JobStatus.COMPLETED
