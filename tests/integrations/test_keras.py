"""The Keras callback with the real Keras 3 on JAX (``make test-integrations``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client

pytestmark = [
    pytest.mark.integrations,
    # Keras's optimizer config on NumPy 2 (its code, not ours)
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept:DeprecationWarning"),
]


@pytest.fixture
def keras(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Keras on JAX's CPU backend (read when Keras is first imported)."""
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    import keras

    assert keras.backend.backend() == "jax"
    keras.utils.set_random_seed(0)
    return keras


def compiled(keras: Any) -> Any:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], name="tiny")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((32, 3)).astype("float32")
    return x, x @ np.array([[1.0], [2.0], [-1.0]], dtype="float32")


def test_params_epochs_batches_and_the_model(
    keras: Any, client: Client, project: str, tmp_path: Path
) -> None:
    from atlas.integrations.keras import AtlasCallback

    x, y = data()
    model = compiled(keras)
    callback = AtlasCallback(
        params={"data": "toy"}, log_batches=2, log_model=True, project=project, name="k"
    )
    history = model.fit(
        x, y, epochs=3, batch_size=8, validation_split=0.25, callbacks=[callback], verbose=0
    )

    run = atlas.current_job()
    assert run is not None
    job = client.get_job(run.id)
    assert (job.name, job.status) == ("k", JobStatus.RUNNING)  # the script's to end
    assert job.params["epochs"] == 3
    assert job.params["steps"] == 3  # 24 training rows in batches of 8
    assert job.params["optimizer.name"] == "adam"
    assert job.params["optimizer.learning_rate"] == pytest.approx(0.01)
    assert job.params["loss"] == "mse"
    assert job.params["model.name"] == "tiny"
    assert job.params["model.params"] == 4
    assert job.params["data"] == "toy"
    for key in ("loss", "val_loss"):
        series = client.get_metric(run.id, key)
        assert series.steps == [0, 1, 2]
        assert series.values == pytest.approx(history.history[key], rel=1e-5)
    assert client.get_metric(run.id, "batch/loss").steps == [0, 2, 4, 6, 8]  # every 2nd of 9
    assert [a.path for a in client.list_artifacts(run.id)] == ["model.keras"]
    stored = tmp_path / "model.keras"
    stored.write_bytes(client.read_artifact(run.id, "model.keras"))
    loaded = keras.saving.load_model(stored)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_users_job_gets_epochs_only_and_keeps_its_status(
    keras: Any, client: Client, project: str
) -> None:
    from atlas.integrations.keras import AtlasCallback

    x, y = data()
    with atlas.init(project=project, name="mine") as run:
        compiled(keras).fit(x, y, epochs=2, batch_size=8, callbacks=[AtlasCallback()], verbose=0)
        assert client.get_job(run.id).status == JobStatus.RUNNING
    job = client.get_job(run.id)
    assert sorted(job.metrics) == ["loss"]
    assert job.metrics["loss"].last_step == 1
    assert client.list_artifacts(run.id) == []
    assert job.status == JobStatus.COMPLETED
