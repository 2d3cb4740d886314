"""`atlas import tensorboard` against a real server: one job per run folder, its scalars as
metrics with their steps and wall times, a second import skipping what is there."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboardX import SummaryWriter

from atlas.domain import JobStatus
from atlas.sdk.client import Client
from atlas.tbevents.importer import import_job_id
from tests.cli.conftest import Invoke
from tests.tbevents.writers import T0, event_file, simple, tf2_scalar, write_events


def make_logdir(root: Path) -> Path:
    logdir = root / "logs"
    with SummaryWriter(str(logdir / "resnet")) as writer:  # a torch-style run
        for step in range(5):
            writer.add_scalar("train/loss", 1.0 / (step + 1), step, walltime=T0 + step)
        writer.add_histogram("weights", [1.0, 2.0, 3.0], 0, walltime=T0)
        writer.add_image("sample", np.zeros((3, 4, 5), dtype=np.uint8), 2, walltime=T0)
    events = [(s, [tf2_scalar("epoch_loss", s / 2, first=s == 0)]) for s in range(3)]
    write_events(logdir / "keras" / "train", events)  # a Keras-style run, one folder down
    return logdir


def test_each_run_folder_becomes_a_job_with_its_metrics(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    logdir = make_logdir(tmp_path)
    result = atlas("import", "tensorboard", str(logdir), "--project", project_name)
    assert result.exit_code == 0, result.output
    assert "keras/train: job" in result.stdout
    assert "resnet: job" in result.stdout
    assert "5 points, 2 media files" in result.stdout
    assert f"Imported 2 runs into project '{project_name}': 8 metric points." in result.stdout

    jobs = {job.name: job for job in client.iter_jobs(project_name)}
    assert set(jobs) == {"resnet", "keras/train"}
    resnet = jobs["resnet"]
    assert resnet.id == import_job_id(project_name, logdir / "resnet")
    assert resnet.status == JobStatus.COMPLETED
    assert resnet.tags == {"source": "tensorboard"}
    assert resnet.started_at is not None
    assert resnet.started_at <= datetime.fromtimestamp(T0, tz=UTC)
    series = client.get_metric(resnet.id, "train/loss")
    assert list(series.steps) == [0, 1, 2, 3, 4]
    assert list(series.times) == [T0 + s for s in range(5)]
    assert list(series.values)[1] == 0.5
    histogram = json.loads(client.read_artifact(resnet.id, "media/weights.histogram.json"))
    assert sum(histogram["counts"]) == histogram["count"] == 3
    assert histogram["edges"][0] <= 1.0 <= 3.0 <= histogram["edges"][-1]
    image = {a.path: a for a in client.list_artifacts(resnet.id)}["media/sample.png"]
    assert image.step == 2
    keras = client.get_metric(jobs["keras/train"].id, "epoch_loss")
    assert list(keras.values) == [0.0, 0.5, 1.0]
    keras_file = event_file(logdir / "keras" / "train")
    last = max(e.wall_time for e in EventFileLoader(str(keras_file)).Load())  # tensorboard's
    assert jobs["keras/train"].finished_at == datetime.fromtimestamp(last, tz=UTC)
    # the event files too, for TensorBoard opened from Atlas
    copied = client.read_artifact(jobs["keras/train"].id, f"tensorboard/{keras_file.name}")
    assert copied == keras_file.read_bytes()

    again = atlas("import", "tensorboard", str(logdir), "--project", project_name)
    assert again.exit_code == 0, again.output
    assert f"resnet: already imported as job {resnet.id}, skipped" in again.stdout
    assert len(list(client.iter_jobs(project_name))) == 2
    assert len(client.get_metric(resnet.id, "train/loss").steps) == 5


def test_a_corrupt_file_warns_and_the_rest_is_imported(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    path = write_events(tmp_path / "logs", [(s, [simple("loss", s)]) for s in range(10)])
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # inside the last record's data
    path.write_bytes(bytes(data))
    result = atlas("import", "tensorboard", str(tmp_path / "logs"), "-p", project_name)
    assert result.exit_code == 0, result.output
    assert "record data fails its checksum: record skipped" in result.stderr
    (job,) = client.iter_jobs(project_name)
    assert list(client.get_metric(job.id, "loss").steps) == list(range(9))


def test_a_folder_without_event_files_says_so(atlas: Invoke, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = atlas("import", "tensorboard", str(tmp_path / "empty"), "-p", "nothing")
    assert result.exit_code == 0, result.output
    assert "No TensorBoard event files below" in result.stdout


def test_a_missing_folder_is_a_usage_error(atlas: Invoke, tmp_path: Path) -> None:
    result = atlas("import", "tensorboard", str(tmp_path / "nope"), "-p", "x")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_no_server_exits_with_3(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from atlas.cli.main import cli

    make_logdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["--url", "http://127.0.0.1:9", "import", "tensorboard", str(tmp_path), "-p", "x"]
    )
    assert result.exit_code == 3, result.output


def test_event_file_helper_finds_one(tmp_path: Path) -> None:
    path = write_events(tmp_path, [(0, [simple("a", 1.0)])])
    assert event_file(tmp_path) == path


def test_an_import_cut_off_is_finished_without_storing_a_point_twice(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    from array import array

    from atlas.sdk.buffer import MetricColumns

    logdir = tmp_path / "logs"
    write_events(logdir / "run", [(s, [simple("loss", s)]) for s in range(10)])
    job_id = import_job_id(project_name, logdir / "run")
    # what a first import stored before it was cut off: the job, and the first batch
    started = datetime.fromtimestamp(T0, tz=UTC)
    client.create_job(project_name, name="run", job_id=job_id, started_at=started)
    first = MetricColumns("loss", array("q", range(4)), array("d", [T0] * 4), array("d", range(4)))
    client.send_metrics(job_id, [first], batch_id="cut-off")

    result = atlas("import", "tensorboard", str(logdir), "-p", project_name)
    assert result.exit_code == 0, result.output
    assert "6 points" in result.stdout
    assert list(client.get_metric(job_id, "loss").steps) == list(range(10))
    assert client.get_job(job_id).status == JobStatus.COMPLETED
