"""The LightGBM callback and ``log_model`` with the real LightGBM (in the dev extra: in CI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.random((200, 3))
    return features, features @ np.array([1.0, 2.0, -1.0]) + 0.1 * rng.random(200)


PARAMS = {"objective": "regression", "num_leaves": 4, "learning_rate": 0.2, "verbose": -1}


def test_params_metrics_per_iteration_and_the_model(
    client: Client, project: str, tmp_path: Path
) -> None:
    import lightgbm

    from atlas.integrations.lightgbm import AtlasCallback, log_model

    features, target = data()
    train = lightgbm.Dataset(features[:150], label=target[:150])
    valid = lightgbm.Dataset(features[150:], label=target[150:], reference=train)
    history: dict[str, dict[str, list[float]]] = {}
    booster = lightgbm.train(
        {**PARAMS, "metric": ["l2", "l1"]},
        train,
        num_boost_round=6,
        valid_sets=[train, valid],
        valid_names=["train", "valid"],
        callbacks=[
            lightgbm.record_evaluation(history),
            AtlasCallback(params={"dataset": "toy"}, project=project, name="gbm"),
        ],
    )
    paths = log_model(booster)

    run = atlas.current_job()
    assert run is not None
    assert run.project == project
    job = client.get_job(run.id)
    assert (job.name, job.status) == ("gbm", JobStatus.RUNNING)
    assert job.params["num_leaves"] == 4
    assert job.params["learning_rate"] == 0.2
    assert job.params["metric"] == ["l2", "l1"]
    assert job.params["dataset"] == "toy"
    for data_name in ("train", "valid"):
        for metric in ("l1", "l2"):
            series = client.get_metric(run.id, f"{data_name}-{metric}")
            assert series.steps == [0, 1, 2, 3, 4, 5]
            assert series.values == pytest.approx(history[data_name][metric])
    assert paths == ["model.txt"]
    stored = tmp_path / "model.txt"
    stored.write_bytes(client.read_artifact(run.id, "model.txt"))
    loaded = lightgbm.Booster(model_file=str(stored))
    np.testing.assert_allclose(loaded.predict(features), booster.predict(features))


def test_early_stopping_logs_every_iteration_evaluated(client: Client, project: str) -> None:
    import lightgbm

    from atlas.integrations.lightgbm import AtlasCallback, log_model

    features, target = data(1)
    train = lightgbm.Dataset(features, label=target)
    noise = lightgbm.Dataset(features, label=np.random.default_rng(3).random(200), reference=train)
    with atlas.init(project=project) as run:
        booster = lightgbm.train(
            {**PARAMS, "metric": "l2"},
            train,
            num_boost_round=50,
            valid_sets=[noise],
            callbacks=[lightgbm.early_stopping(2, verbose=False), AtlasCallback()],
        )
        log_model(booster, "models/best.txt")
    assert booster.best_iteration < 50
    series = client.get_metric(run.id, "valid_0-l2")
    assert series.steps == list(range(booster.best_iteration + 2))  # the best, then 2 worse
    assert [a.path for a in client.list_artifacts(run.id)] == ["models/best.txt"]
    assert client.get_job(run.id).status == JobStatus.COMPLETED  # the user's job, ended by them


def test_the_scikit_learn_estimator_and_cross_validation(client: Client, project: str) -> None:
    import lightgbm

    from atlas.integrations.lightgbm import AtlasCallback, log_model

    features, target = data(2)
    with atlas.init(project=project) as run:
        model = lightgbm.LGBMRegressor(n_estimators=3, num_leaves=4, verbose=-1)
        model.fit(
            features, target, eval_X=(features,), eval_y=(target,), callbacks=[AtlasCallback()]
        )
        results = lightgbm.cv(
            {**PARAMS, "metric": "l2"},
            lightgbm.Dataset(features, label=target),
            num_boost_round=3,
            nfold=3,
            stratified=False,
            callbacks=[AtlasCallback()],
        )
        log_model(model)
    assert client.get_metric(run.id, "training-l2").steps == [0, 1, 2]  # its eval set is its data
    assert client.get_metric(run.id, "valid-l2").values == pytest.approx(results["valid l2-mean"])
    assert client.get_metric(run.id, "valid-l2-std").values == pytest.approx(
        results["valid l2-stdv"]
    )
    assert [a.path for a in client.list_artifacts(run.id)] == ["model.txt"]
