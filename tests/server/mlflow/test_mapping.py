"""How Atlas's projects and jobs read as MLflow's experiments and runs (docs/mlflow.md)."""

from __future__ import annotations

from atlas.domain import JobKind, JobStatus
from tests.server.conftest import TestClient

MLFLOW = "/api/2.0/mlflow"


def test_a_project_name_mlflow_ids_refuse_gets_a_stable_hashed_id(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    store.create_project("speech v2.1")
    found = client.get(
        f"{MLFLOW}/experiments/get-by-name", params={"experiment_name": "speech v2.1"}
    )
    experiment = found.json()["experiment"]
    exp_id = experiment["experiment_id"]
    assert exp_id.startswith("x")
    assert len(exp_id) == 17
    again = client.get(f"{MLFLOW}/experiments/get", params={"experiment_id": exp_id})
    assert again.json()["experiment"]["name"] == "speech v2.1"
    run = client.post(f"{MLFLOW}/runs/create", json={"experiment_id": exp_id, "run_name": "a"})
    assert run.json()["run"]["info"]["experiment_id"] == exp_id
    assert store.get_job(run.json()["run"]["info"]["run_id"]).project == "speech v2.1"


def test_a_run_without_a_name_is_named_after_its_script(client: TestClient) -> None:
    tags = [{"key": "mlflow.source.name", "value": "/home/ana/train.py"}]
    created = client.post(f"{MLFLOW}/runs/create", json={"experiment_id": "0", "tags": tags})
    assert created.json()["run"]["info"]["run_name"] == "train"


def test_a_run_reads_back_as_mlflow_wrote_it(client: TestClient) -> None:
    created = client.post(
        f"{MLFLOW}/runs/create",
        json={
            "experiment_id": "0",
            "start_time": 1_700_000_000_000,
            "tags": [
                {"key": "mlflow.user", "value": "ana"},
                {"key": "mlflow.runName", "value": "r1"},
            ],
        },
    )
    info = created.json()["run"]["info"]
    run_id = info["run_id"]
    assert (info["run_name"], info["status"], info["start_time"]) == (
        "r1",
        "RUNNING",
        1_700_000_000_000,
    )
    assert info["artifact_uri"] == f"mlflow-artifacts:/0/{run_id}/artifacts"
    batch = {
        "run_id": run_id,
        "params": [{"key": "lr", "value": "0.01"}, {"key": "decay", "value": "1e-3"}],
        "metrics": [
            {"key": "loss", "value": "NaN", "timestamp": 1_700_000_001_000, "step": 0},
            {"key": "loss", "value": 0.5, "timestamp": 1_700_000_002_000, "step": 1},
        ],
    }
    assert client.post(f"{MLFLOW}/runs/log-batch", json=batch).status_code == 200
    ended = {"run_id": run_id, "status": "KILLED", "end_time": 1_700_000_003_000}
    assert client.post(f"{MLFLOW}/runs/update", json=ended).status_code == 200
    run = client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id}).json()["run"]
    assert run["info"]["status"] == "KILLED"
    assert run["info"]["end_time"] == 1_700_000_003_000
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == {"lr": "0.01", "decay": "1e-3"}
    assert run["data"]["metrics"] == [
        {
            "key": "loss",
            "value": 0.5,
            "timestamp": run["data"]["metrics"][0]["timestamp"],
            "step": 1,
        }
    ]
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["mlflow.user"] == "ana"
    assert tags["mlflow.runName"] == "r1"
    history = client.get(
        f"{MLFLOW}/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"}
    ).json()["metrics"]
    assert [(m["step"], m["value"], m["timestamp"]) for m in history] == [
        (0, "NaN", 1_700_000_001_000),
        (1, 0.5, 1_700_000_002_000),
    ]
    job = client.app.state.store.get_job(run_id)  # type: ignore[attr-defined]
    assert (job.kind, job.status, job.name, job.user) == (
        JobKind.MLFLOW,
        JobStatus.CANCELLED,
        "r1",
        "ana",
    )
    assert job.params == {"lr": 0.01, "decay": "1e-3"}


def test_experiments_search_in_the_order_asked(client: TestClient) -> None:
    for name in ("beta", "alpha", "gamma"):
        assert client.post(f"{MLFLOW}/experiments/create", json={"name": name}).is_success

    def names(*order: str) -> list[str]:
        body = {"order_by": list(order)} if order else {}
        found = client.post(f"{MLFLOW}/experiments/search", json=body)
        assert found.status_code == 200, found.text
        return [e["name"] for e in found.json()["experiments"]]

    assert names("name") == ["alpha", "beta", "gamma"]
    assert names("attributes.name DESC") == ["gamma", "beta", "alpha"]
    assert names("creation_time ASC") == ["beta", "alpha", "gamma"]
    assert names("last_update_time DESC", "name") == names()


def test_a_long_description_is_cut_to_the_tag_limit(client: TestClient) -> None:
    """``mlflow.start_run(description=...)`` sets ``mlflow.note.content``; a long one is cut
    rather than failing the run (a user's own long tag is still refused)."""
    from atlas.names import MAX_TAG_VALUE_LENGTH

    note = [{"key": "mlflow.note.content", "value": "d" * 2000}]
    created = client.post(f"{MLFLOW}/runs/create", json={"experiment_id": "0", "tags": note})
    assert created.status_code == 200, created.text
    run_id = created.json()["run"]["info"]["run_id"]
    kept = client.app.state.store.get_job(run_id).tags["mlflow.note.content"]  # type: ignore[attr-defined]
    assert len(kept) == MAX_TAG_VALUE_LENGTH
    assert kept.endswith("…")
    own = {"run_id": run_id, "key": "notes", "value": "d" * 2000}
    assert client.post(f"{MLFLOW}/runs/set-tag", json=own).status_code == 400
