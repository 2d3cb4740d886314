"""The real ``mlflow`` client logs into a real ``atlas server`` (MLFLOW_TRACKING_URI), and
what it logged shows in Atlas like any job: params, metrics, tags, artifacts, status."""

from __future__ import annotations

import pytest

from atlas.domain import JobKind, JobStatus
from tests.requirements import required
from tests.server.mlflow.conftest import MlflowWorld

pytestmark = pytest.mark.slow


def test_the_fluent_api_writes_a_job(mlflow_world: MlflowWorld) -> None:
    answer = mlflow_world.run(
        """
        import json, os, tempfile
        import mlflow

        mlflow.set_experiment("fluent")
        with mlflow.start_run(run_name="first") as run:
            mlflow.log_param("lr", 0.01)
            mlflow.log_params({"layers": 3, "optimizer": "adam"})
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.set_tag("stage", "dev")
            folder = tempfile.mkdtemp()
            path = os.path.join(folder, "notes.txt")
            with open(path, "w") as file:
                file.write("hello")
            mlflow.log_artifact(path)
            mlflow.log_artifact(path, artifact_path="sub/dir")
        client = mlflow.MlflowClient()
        got = client.get_run(run.info.run_id)
        local = client.download_artifacts(run.info.run_id, "sub/dir/notes.txt")
        print(json.dumps({
            "run_id": run.info.run_id,
            "experiment_id": run.info.experiment_id,
            "status": got.info.status,
            "params": got.data.params,
            "metrics": got.data.metrics,
            "name": got.info.run_name,
            "listed": [f.path for f in client.list_artifacts(run.info.run_id)],
            "downloaded": open(local).read(),
        }))
        """
    )
    assert answer["status"] == "FINISHED"
    assert answer["params"] == {"lr": "0.01", "layers": "3", "optimizer": "adam"}
    assert answer["metrics"] == {"loss": 0.2}
    assert answer["name"] == "first"
    assert answer["listed"] == ["notes.txt", "sub"]
    assert answer["downloaded"] == "hello"
    job = mlflow_world.atlas.get_job(str(answer["run_id"]))
    assert (job.project, job.kind, job.status, job.name) == (
        "fluent",
        JobKind.MLFLOW,
        JobStatus.COMPLETED,
        "first",
    )
    assert job.params == {"lr": 0.01, "layers": 3, "optimizer": "adam"}
    assert job.tags["stage"] == "dev"
    assert job.metrics["loss"].count == 5
    assert job.finished_at is not None
    series = mlflow_world.atlas.get_metric(job.id, "loss")
    assert series.steps == [0, 1, 2, 3, 4]
    paths = sorted(a.path for a in mlflow_world.atlas.list_artifacts(job.id))
    assert paths == ["notes.txt", "sub/dir/notes.txt"]
    assert mlflow_world.atlas.read_artifact(job.id, "notes.txt") == b"hello"


def test_a_client_asked_for_multipart_uploads_falls_back_to_one_piece(
    mlflow_world: MlflowWorld,
) -> None:
    answer = mlflow_world.run(
        """
        import json, os, tempfile
        import mlflow

        with mlflow.start_run() as run:
            path = os.path.join(tempfile.mkdtemp(), "big.bin")
            with open(path, "wb") as file:
                file.write(b"x" * 2048)
            mlflow.log_artifact(path)
        print(json.dumps({"run_id": run.info.run_id}))
        """,
        MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD="true",
        MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE="1024",
    )
    data = mlflow_world.atlas.read_artifact(str(answer["run_id"]), "big.bin")
    assert data == b"x" * 2048


def test_mlflow_client_searches_batches_and_reads_histories(mlflow_world: MlflowWorld) -> None:
    answer = mlflow_world.run(
        """
        import json, time
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param, RunTag

        client = MlflowClient()
        experiment = client.create_experiment("client-api")
        now = int(time.time() * 1000)
        ids = []
        for lr in ("0.1", "0.01", "0.001"):
            run = client.create_run(experiment, run_name=f"lr-{lr}")
            metrics = [Metric("acc", float(lr) * step, now + step, step) for step in range(200)]
            client.log_batch(
                run.info.run_id,
                metrics=metrics,
                params=[Param("lr", lr)],
                tags=[RunTag("family", "sgd")],
            )
            ids.append(run.info.run_id)
        client.set_terminated(ids[0], "FAILED")
        client.set_terminated(ids[1], "KILLED")
        found = client.search_runs(
            [experiment], "params.lr = '0.01' and tags.family = 'sgd'", order_by=["metrics.acc"]
        )
        ordered = client.search_runs([experiment], "metrics.acc > 0", order_by=["metrics.acc DESC"])
        failed = client.search_runs([experiment], "attributes.status = 'FAILED'")
        paged = client.search_runs([experiment], max_results=2)
        more = client.search_runs([experiment], max_results=2, page_token=paged.token)
        history = client.get_metric_history(ids[2], "acc")
        print(json.dumps({
            "experiment": experiment,
            "ids": ids,
            "found": [r.info.run_id for r in found],
            "ordered": [r.info.run_id for r in ordered],
            "failed": [r.info.run_id for r in failed],
            "pages": [len(paged), len(more), paged.token is not None, more.token],
            "history": [[m.step, m.value, m.timestamp] for m in history[:3]],
            "count": len(history),
            "by_name": client.get_experiment_by_name("client-api").experiment_id,
            "missing": client.get_experiment_by_name("no-such-experiment"),
        }))
        """
    )
    ids = answer["ids"]
    assert isinstance(ids, list)
    assert answer["found"] == [ids[1]]
    assert answer["ordered"] == [ids[0], ids[1], ids[2]]
    assert answer["failed"] == [ids[0]]
    assert answer["pages"] == [2, 1, True, None]
    assert answer["count"] == 200
    history = answer["history"]
    assert isinstance(history, list)
    assert [point[0] for point in history] == [0, 1, 2]
    assert history[1][1] == pytest.approx(0.001)
    assert answer["by_name"] == answer["experiment"]
    assert answer["missing"] is None
    atlas = mlflow_world.atlas
    statuses = [atlas.get_job(str(i)).status for i in ids]
    assert statuses == [JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.RUNNING]
    assert atlas.get_job(str(ids[2])).metrics["acc"].count == 200


def test_sklearn_autolog_logs_params_metrics_and_the_model(mlflow_world: MlflowWorld) -> None:
    required("sklearn", package="scikit-learn")
    answer = mlflow_world.run(
        """
        import json
        import mlflow
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression

        mlflow.set_experiment("autolog")
        mlflow.sklearn.autolog()
        X, y = load_iris(return_X_y=True)
        with mlflow.start_run() as run:
            LogisticRegression(max_iter=300).fit(X, y)
        model = mlflow.last_logged_model()
        loaded = mlflow.sklearn.load_model(f"models:/{model.model_id}")
        print(json.dumps({
            "run_id": run.info.run_id,
            "model_id": model.model_id,
            "model_status": str(model.status),
            "predicted": loaded.predict(X[:2]).tolist(),
        }))
        """
    )
    assert answer["predicted"] == [0, 0]
    job = mlflow_world.atlas.get_job(str(answer["run_id"]))
    assert job.status is JobStatus.COMPLETED
    assert job.params["max_iter"] == 300
    assert job.params["C"] == 1.0
    assert job.metrics["training_accuracy_score"].last > 0.9
    assert job.tags["estimator_name"] == "LogisticRegression"
    paths = {a.path for a in mlflow_world.atlas.list_artifacts(job.id)}
    assert f"models/{answer['model_id']}/MLmodel" in paths
    assert f"models/{answer['model_id']}/model.pkl" in paths


def test_fluent_search_runs_reads_every_page(mlflow_world: MlflowWorld) -> None:
    """``mlflow.search_runs()`` with its defaults asks 10,000 runs a page: it gets 1,000 a
    page and follows the page tokens, across experiments too."""
    answer = mlflow_world.run(
        """
        import json
        import mlflow
        from mlflow import MlflowClient

        client = MlflowClient()
        many = client.create_experiment("paged")
        few = client.create_experiment("paged-few")
        for _ in range(1003):
            client.create_run(many)
        for _ in range(4):
            client.create_run(few)
        frame = mlflow.search_runs(experiment_ids=[many])
        both = mlflow.search_runs(experiment_names=["paged", "paged-few"], output_format="list")
        print(json.dumps({
            "one": len(frame),
            "distinct": int(frame["run_id"].nunique()),
            "both": len(both),
            "both_distinct": len({run.info.run_id for run in both}),
        }))
        """
    )
    assert answer == {"one": 1003, "distinct": 1003, "both": 1007, "both_distinct": 1007}
