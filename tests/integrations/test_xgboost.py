"""The XGBoost callback with the real XGBoost (``xgboost-cpu`` in the dev extra: in CI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.random((80, 3))
    return features, features @ np.array([1.0, 2.0, -1.0]) + 0.1 * rng.random(80)


def test_params_metrics_per_iteration_and_the_model(
    client: Client, project: str, tmp_path: Path
) -> None:
    import xgboost

    from atlas.integrations.xgboost import AtlasCallback

    features, target = data()
    train = xgboost.DMatrix(features[:60], label=target[:60])
    valid = xgboost.DMatrix(features[60:], label=target[60:])
    history: dict[str, dict[str, list[float]]] = {}
    callback = AtlasCallback(params={"dataset": "toy"}, log_model=True, project=project, name="xgb")
    booster = xgboost.train(
        {"max_depth": 2, "eta": 0.3, "objective": "reg:squarederror", "eval_metric": "rmse"},
        train,
        num_boost_round=5,
        evals=[(train, "train"), (valid, "valid")],
        evals_result=history,
        callbacks=[callback],
        verbose_eval=False,
    )

    run = atlas.current_job()
    assert run is not None
    assert run.project == project
    job = client.get_job(run.id)
    assert (job.name, job.status) == ("xgb", JobStatus.RUNNING)  # the script's to end
    assert job.params["max_depth"] == 2
    assert job.params["eta"] == 0.3
    assert job.params["objective"] == "reg:squarederror"
    assert job.params["num_feature"] == 3
    assert job.params["dataset"] == "toy"
    for data_name in ("train", "valid"):
        series = client.get_metric(run.id, f"{data_name}-rmse")
        assert series.steps == [0, 1, 2, 3, 4]
        assert series.values == pytest.approx(history[data_name]["rmse"])
    assert [a.path for a in client.list_artifacts(run.id)] == ["model.json"]
    stored = tmp_path / "model.json"
    stored.write_bytes(client.read_artifact(run.id, "model.json"))
    loaded = xgboost.Booster(model_file=str(stored))
    np.testing.assert_allclose(loaded.predict(valid), booster.predict(valid), rtol=1e-6)

    atlas.finish()
    assert client.get_job(run.id).status == JobStatus.COMPLETED


def test_a_users_job_gets_the_data_and_keeps_its_status(client: Client, project: str) -> None:
    import xgboost

    from atlas.integrations.xgboost import AtlasCallback

    features, target = data(1)
    with atlas.init(project=project, name="mine") as run:
        model = xgboost.XGBRegressor(
            n_estimators=3, max_depth=2, callbacks=[AtlasCallback(model_format="ubj")]
        )
        model.fit(features, target, eval_set=[(features, target)], verbose=False)
        assert not run.finished
        assert client.get_job(run.id).status == JobStatus.RUNNING
        assert client.get_metric(run.id, "validation_0-rmse").steps == [0, 1, 2]
        assert client.list_artifacts(run.id) == []  # no model unless asked
    assert atlas.current_job() is None
    assert client.list_jobs(project).total == 1


def test_cross_validation_logs_means_and_standard_deviations(client: Client, project: str) -> None:
    import xgboost

    from atlas.integrations.xgboost import AtlasCallback

    features, target = data(2)
    with atlas.init(project=project) as run:
        results = xgboost.cv(
            {"max_depth": 2, "eval_metric": "rmse"},
            xgboost.DMatrix(features, label=target),
            num_boost_round=4,
            nfold=3,
            callbacks=[AtlasCallback(log_model=True)],
        )
    mean = client.get_metric(run.id, "test-rmse")
    std = client.get_metric(run.id, "test-rmse-std")
    assert mean.steps == std.steps == [0, 1, 2, 3]
    assert mean.values == pytest.approx(list(results["test-rmse-mean"]))
    assert std.values == pytest.approx(list(results["test-rmse-std"]))
    assert client.list_artifacts(run.id) == []  # no single model to store
