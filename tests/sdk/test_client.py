"""``atlas.Client`` against the real app in process: every endpoint, errors as classes."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest

from atlas.domain import ArtifactKind, JobError, JobKind, JobStatus
from atlas.errors import (
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    QuerySyntaxError,
    RangeNotSatisfiableError,
    ServerUnavailableError,
)
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.client import Client

from .conftest import free_port


def columns(key: str, steps: list[int], values: list[float]) -> MetricColumns:
    times = [1_700_000_000.0 + s for s in steps]
    return MetricColumns(key, array("q", steps), array("d", times), array("d", values))


def test_health(client: Client) -> None:
    assert client.health()["status"] == "ok"


def test_projects(client: Client) -> None:
    created = client.create_project("vision", description="# Vision")
    assert created.name == "vision"
    assert created.job_count == 0
    with pytest.raises(ConflictError):
        client.create_project("vision")
    with pytest.raises(InvalidInputError):
        client.create_project(".hidden")
    client.create_job("vision", name="a")
    project = client.get_project("vision")
    assert project.job_counts == {JobStatus.RUNNING: 1}
    assert [p.name for p in client.list_projects()] == ["vision"]
    renamed = client.rename_project("vision", "vision 2")
    assert renamed.name == "vision 2"
    assert client.get_project("vision 2").job_count == 1
    with pytest.raises(NotFoundError):
        client.get_project("vision")
    client.delete_project("vision 2")
    assert client.list_projects() == []


def test_description_notes_and_keys(client: Client) -> None:
    client.create_project("p")
    described = client.set_description("p", "**bold** <script>x</script>")
    assert described.markdown == "**bold** <script>x</script>"
    assert "<strong>bold</strong>" in described.html
    assert "<script>" not in described.html
    assert client.get_description("p") == described
    first = client.add_note("p", "first", author="ana")
    client.add_note("p", "second")
    notes = client.list_notes("p")
    assert [n.text for n in notes] == ["second", "first"]
    assert notes[1] == first
    assert first.author == "ana"
    job = client.create_job("p", params={"lr": 0.1}, tags={"stage": "dev"})
    client.send_metrics(job.id, [columns("loss", [0], [1.0])], batch_id="b1")
    keys = client.get_keys("p")
    assert (keys.params, keys.metrics, keys.tags) == (["lr"], ["loss"], ["stage"])


def test_jobs(client: Client) -> None:
    job = client.create_job(
        "p",
        name="first",
        user="ana",
        command="python train.py",
        params={"lr": 0.1, "model.layers": 3},
        tags={"stage": "dev"},
        git={"commit": "abc"},
        environment={"python": "3.11"},
    )
    assert job.kind == JobKind.LOCAL
    assert job.status == JobStatus.RUNNING
    assert job.started_at is not None
    assert (job.name, job.user, job.command) == ("first", "ana", "python train.py")
    assert job.params == {"lr": 0.1, "model.layers": 3}
    assert job.git == {"commit": "abc"}
    assert client.get_job(job.id) == job
    chosen = "0" * 15 + "1"
    assert client.create_job("p", job_id=chosen).id == chosen
    with pytest.raises(ConflictError):
        client.create_job("p", job_id=chosen)
    error = JobError("ValueError", "bad", "Traceback ...")
    failed = client.update_job(
        chosen, name="second", status=JobStatus.FAILED, exit_code=1, error=error
    )
    assert (failed.name, failed.status, failed.exit_code, failed.error) == (
        "second",
        JobStatus.FAILED,
        1,
        error,
    )
    with pytest.raises(InvalidTransitionError):
        client.update_job(chosen, status=JobStatus.RUNNING)
    client.delete_job(chosen)
    with pytest.raises(NotFoundError):
        client.get_job(chosen)


def test_listing_filtering_sorting_and_iterating(client: Client) -> None:
    ids = [client.create_job("p", name=f"job-{i}", params={"lr": i / 10}).id for i in range(5)]
    page = client.list_jobs("p", filter="params.lr >= 0.2", sort="-params.lr", limit=2)
    assert page.total == 3
    assert (page.limit, page.offset) == (2, 0)
    assert [j.name for j in page.items] == ["job-4", "job-3"]
    page = client.list_jobs("p", sort=["params.lr"], limit=2, offset=2)
    assert [j.name for j in page.items] == ["job-2", "job-3"]
    assert [j.id for j in client.iter_jobs("p", page_size=2)] == ids
    with pytest.raises(QuerySyntaxError) as caught:
        client.list_jobs("p", filter="params.lr < ")
    assert caught.value.detail["position"] == 12


def test_params_and_tags(client: Client) -> None:
    job = client.create_job("p")
    assert client.set_params(job.id, {"a": 1, "b": [1, 2]}) == {"a": 1, "b": [1, 2]}
    assert client.set_params(job.id, {"a": 2}) == {"a": 2, "b": [1, 2]}
    client.delete_param(job.id, "b")
    with pytest.raises(NotFoundError):
        client.delete_param(job.id, "b")
    assert client.set_tags(job.id, {"stage": "dev", "team/vision": "x"}) == {
        "stage": "dev",
        "team/vision": "x",
    }
    client.delete_tag(job.id, "team/vision")
    assert client.get_job(job.id).tags == {"stage": "dev"}
    assert client.get_job(job.id).params == {"a": 2}


def test_metrics_batches_are_idempotent_and_keep_non_finite_values(client: Client) -> None:
    job = client.create_job("p")
    batch = [
        columns("loss", [0, 1, 2], [0.5, math.nan, 0.25]),
        columns("system/cpu", [0, 1], [math.inf, -math.inf]),
    ]
    first = client.send_metrics(job.id, batch, batch_id="batch-1")
    assert (first.stored, first.duplicate) == (5, False)
    again = client.send_metrics(job.id, batch, batch_id="batch-1")
    assert (again.stored, again.duplicate) == (0, True)
    series = client.get_metric(job.id, "loss")
    assert series.steps == [0, 1, 2]
    assert series.values[0] == 0.5
    assert math.isnan(series.values[1])
    assert series.total == 3
    assert series.times[0] == 1_700_000_000.0
    cpu = client.get_metric(job.id, "system/cpu")
    assert cpu.values == [math.inf, -math.inf]
    summaries = {s.key: s for s in client.list_metrics(job.id)}
    assert summaries["loss"].count == 3
    assert summaries["loss"].last == 0.25
    assert summaries["loss"].last_step == 2
    ranged = client.get_metric(job.id, "loss", min_step=1, max_step=1)
    assert ranged.steps == [1]
    with pytest.raises(NotFoundError):
        client.get_metric(job.id, "missing")


def test_downsampled_series(client: Client) -> None:
    job = client.create_job("p")
    steps = list(range(10_000))
    client.send_metrics(
        job.id, [columns("x", steps, [float(s % 100) for s in steps])], batch_id="b"
    )
    series = client.get_metric(job.id, "x", max_points=100)
    assert series.downsampled
    assert len(series.steps) <= 100
    assert series.total == 10_000
    assert max(series.values) == 99.0


def test_artifacts(client: Client, tmp_path: Path) -> None:
    job = client.create_job("p")
    source = tmp_path / "model.bin"
    source.write_bytes(bytes(range(256)) * 4096)
    stored = client.upload_artifact(job.id, "models/model.bin", source, step=3)
    assert (stored.path, stored.size, stored.step) == ("models/model.bin", 1 << 20, 3)
    text = client.upload_artifact(job.id, "notes.txt", b"hello")
    assert text.kind == ArtifactKind.TEXT
    assert [a.path for a in client.list_artifacts(job.id)] == ["models/model.bin", "notes.txt"]
    assert client.read_artifact(job.id, "notes.txt") == b"hello"
    assert client.read_artifact(job.id, "notes.txt", start=1, end=3) == b"ell"
    with pytest.raises(RangeNotSatisfiableError):
        client.read_artifact(job.id, "notes.txt", start=10)
    target = client.download_artifact(job.id, "models/model.bin", tmp_path / "copy.bin")
    assert target.read_bytes() == source.read_bytes()
    with pytest.raises(NotFoundError):
        client.download_artifact(job.id, "missing.bin", tmp_path / "missing.bin")
    assert not (tmp_path / "missing.bin").exists()
    with pytest.raises(InvalidInputError):
        client.upload_artifact(job.id, "../escape.txt", b"x")


def test_logs(client: Client) -> None:
    job = client.create_job("p")
    assert client.read_log(job.id).size == 0
    assert client.append_log(job.id, "hello\n") == 6
    assert client.append_log(job.id, b"world\n") == 12
    chunk = client.read_log(job.id, offset=6)
    assert (chunk.data, chunk.size) == (b"world\n", 12)
    assert client.read_log(job.id, offset=0, limit=0).data == b""
    assert client.read_log(job.id, offset=0, limit=5).data == b"hello"


def test_unknown_job_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.get_job("0" * 16)
    with pytest.raises(NotFoundError):
        client.send_metrics("0" * 16, [columns("x", [0], [1.0])], batch_id="b")


def test_no_server_is_server_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with (
        Client(url, token="", timeout=2.0) as client,
        pytest.raises(ServerUnavailableError, match="no Atlas server answered"),
    ):
        client.list_projects()
