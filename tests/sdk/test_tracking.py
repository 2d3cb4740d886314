"""Tracking in the test process (``atlas.init`` and friends) against the real app."""

from __future__ import annotations

import logging
import math
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import atlas
from atlas.domain import JobKind, JobStatus
from atlas.errors import ConflictError, InvalidInputError
from atlas.sdk.client import Client
from atlas.sdk.spool import upload_spool
from atlas.settings import Settings

from .conftest import free_port, reset_tracking


def test_a_job_with_metrics_params_tags_and_status(tracking_client: Client) -> None:
    assert atlas.current_job() is None
    run = atlas.init(
        project="vision",
        name="resnet",
        params={"lr": 0.01, "model": {"layers": 3}},
        tags=["baseline"],
    )
    assert atlas.current_job() is run
    for step in range(100):
        atlas.log_metric("loss", 1.0 / (step + 1))
    atlas.log_metric("acc", np.float32(0.5), step=np.int64(7))
    atlas.log_metric("acc", np.array(0.75))
    atlas.log_metrics({"nan": math.nan, "inf": math.inf, "neg": -math.inf}, step=3)
    atlas.log_param("optimizer", {"name": "adam", "betas": (0.9, 0.99)})
    atlas.set_tag("stage", "dev")
    assert run.flush(10)
    job = tracking_client.get_job(run.id)
    assert (job.project, job.name, job.status) == ("vision", "resnet", JobStatus.RUNNING)
    assert job.params == {
        "lr": 0.01,
        "model.layers": 3,
        "optimizer.name": "adam",
        "optimizer.betas": [0.9, 0.99],
    }
    assert job.tags == {"baseline": "", "stage": "dev"}
    assert job.metrics["loss"].count == 100
    assert job.metrics["loss"].last_step == 99
    acc = tracking_client.get_metric(run.id, "acc")
    assert (acc.steps, acc.values) == ([7, 8], [0.5, 0.75])
    assert math.isnan(job.metrics["nan"].last)
    assert job.metrics["inf"].last == math.inf
    assert job.metrics["neg"].last == -math.inf
    assert job.environment["python"]
    atlas.finish()
    assert atlas.current_job() is None
    job = tracking_client.get_job(run.id)
    assert (job.status, job.exit_code) == (JobStatus.COMPLETED, 0)


def test_bad_metric_values_raise_type_error_naming_the_key(tracking_client: Client) -> None:
    with atlas.init(project="p") as run:
        for bad in ("0.1", None, [1.0], True):
            with pytest.raises(TypeError, match="'val_loss'"):
                atlas.log_metric("val_loss", bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="'x'"):
            atlas.log_metrics({"ok": 1.0, "x": "bad"})  # type: ignore[dict-item]
        with pytest.raises(InvalidInputError):
            atlas.log_metric("", 1.0)
        atlas.log_metric("ok", 2.0)
    series = tracking_client.get_metric(run.id, "ok")
    assert series.values == [2.0]  # log_metrics refused the whole dict


def test_an_exception_in_the_with_block_fails_the_job(tracking_client: Client) -> None:
    def train() -> None:
        with atlas.init(project="p") as run:
            runs.append(run)
            atlas.log_metric("x", 1.0)
            print(1 / 0)

    runs: list[atlas.Run] = []
    with pytest.raises(ZeroDivisionError):
        train()
    run = runs[0]
    job = tracking_client.get_job(run.id)
    assert job.status == JobStatus.FAILED
    assert job.exit_code == 1
    assert job.error is not None
    assert job.error.type == "ZeroDivisionError"
    assert job.error.message == "division by zero"
    assert "print(1 / 0)" in job.error.traceback
    assert job.metrics["x"].count == 1
    with pytest.raises(ConflictError, match="ended"):
        run.log_metric("x", 2.0)


def test_a_second_init_ends_the_first_job(tracking_client: Client) -> None:
    first = atlas.init(project="p", name="one")
    second = atlas.init(project="p", name="two")
    assert atlas.current_job() is second
    assert first.finished
    assert tracking_client.get_job(first.id).status == JobStatus.COMPLETED
    second.finish()


def test_init_in_another_thread_leaves_the_process_job_alone(tracking_client: Client) -> None:
    main = atlas.init(project="p", name="main")
    started: list[atlas.Run] = []

    def worker() -> None:
        with atlas.init(project="p", name="worker") as run:
            started.append(run)
            atlas.log_metric("w", 1.0)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert not main.finished
    assert atlas.current_job() is main
    atlas.log_metric("m", 1.0)
    main.finish()
    assert set(tracking_client.get_job(started[0].id).metrics) == {"w"}
    assert set(tracking_client.get_job(main.id).metrics) == {"m"}


def test_threads_see_the_process_job(tracking_client: Client) -> None:
    run = atlas.init(project="p")

    def work() -> None:
        for step in range(50):
            atlas.log_metric("thread", float(step))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    run.finish()
    assert tracking_client.get_job(run.id).metrics["thread"].count == 100


def test_artifacts_from_a_file_and_a_folder(tracking_client: Client, tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes(b"weights")
    folder = tmp_path / "outputs"
    (folder / "plots").mkdir(parents=True)
    (folder / "plots" / "loss.csv").write_text("step,loss\n0,1.0\n")
    (folder / "summary.txt").write_text("done\n")
    with atlas.init(project="p") as run:
        assert atlas.save_artifact(tmp_path / "model.pt") == ["model.pt"]
        assert atlas.save_artifact(folder) == ["outputs/plots/loss.csv", "outputs/summary.txt"]
        assert atlas.save_artifact(str(tmp_path / "model.pt"), "best/model.pt", step=5)
        with pytest.raises(FileNotFoundError):
            atlas.save_artifact(tmp_path / "missing.pt")
        with pytest.raises(InvalidInputError):
            atlas.save_artifact(tmp_path / "model.pt", "../model.pt")
    stored = {a.path: a for a in tracking_client.list_artifacts(run.id)}
    assert sorted(stored) == [
        "best/model.pt",
        "model.pt",
        "outputs/plots/loss.csv",
        "outputs/summary.txt",
    ]
    assert stored["best/model.pt"].step == 5
    assert tracking_client.read_artifact(run.id, "outputs/summary.txt") == b"done\n"


def test_get_metrics_for_all_jobs(tracking_client: Client) -> None:
    with atlas.init(project="table", name="a", params={"lr": 0.1, "loss": "l1"}) as first:
        atlas.log_metric("loss", 0.5)
        atlas.log_metric("loss", 0.25)
        atlas.set_tag("stage", "dev")
    with atlas.init(project="table", name="b", params={"lr": 0.2}):
        atlas.log_metric("acc", 0.9)
    frame = atlas.get_metrics_for_all_jobs("table")
    assert list(frame.columns) == [
        "job_id",
        "name",
        "status",
        "user",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "loss",
        "lr",
        "acc",
        "metric:loss",
        "stage",
    ]
    assert list(frame["name"]) == ["a", "b"]
    assert frame.loc[0, "job_id"] == first.id
    assert frame.loc[0, "metric:loss"] == 0.25
    assert frame.loc[0, "loss"] == "l1"
    assert list(frame["lr"]) == [0.1, 0.2]
    assert frame.loc[1, "acc"] == 0.9
    assert math.isnan(frame.loc[1, "metric:loss"])
    assert frame.loc[0, "stage"] == "dev"
    assert (frame["status"] == "completed").all()
    assert (frame["duration"] >= 0).all()


def test_without_pandas_the_table_is_a_list_of_dicts(
    tracking_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with atlas.init(project="plain", name="a", params={"lr": 0.1}):
        atlas.log_metric("loss", 0.5)
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    rows = tracking_client.get_metrics_for_all_jobs("plain")
    assert isinstance(rows, list)
    assert rows[0]["lr"] == 0.1
    assert rows[0]["loss"] == 0.5
    assert rows[0]["status"] == "completed"


def test_load_parameters_reads_the_file_and_logs_it(
    tracking_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "atlas_job_parameters.json").write_text('{"lr": 0.5, "model": {"depth": 2}}')
    run = atlas.init(project="p")
    assert atlas.load_parameters() == {"lr": 0.5, "model": {"depth": 2}}
    run.finish()
    assert tracking_client.get_job(run.id).params == {"lr": 0.5, "model.depth": 2}


def test_a_refused_batch_is_dropped_and_logged_once(
    tracking_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    run = atlas.init(project="p")
    atlas.log_metric("loss", 1.0)
    assert run.flush(10)
    tracking_client.delete_job(run.id)
    with caplog.at_level(logging.WARNING, logger="atlas.sdk.sender"):
        atlas.log_metric("loss", 2.0)
        assert run.flush(10) is False  # dropped, not retried nor spooled, and said so
        assert not run._sender.spool.pending
        assert run.finish() is False
    refused = [r for r in caplog.records if "refused metrics 'loss' (1 points)" in r.getMessage()]
    assert len(refused) == 1
    assert refused[0].levelno == logging.ERROR
    assert run.id in refused[0].getMessage()


def test_attached_to_a_scheduled_job(settings: Settings, client: Client) -> None:
    job = client.create_job("sched", name="queued-name", kind=JobKind.SCHEDULED)
    atlas.configure(settings=replace(settings, job_id=job.id), client=client)
    try:
        run = atlas.init(name="renamed", params={"lr": 0.3}, tags={"t": "1"})
        assert run.attached
        assert run.id == job.id
        assert atlas.init() is run  # the job of this process, whatever init is called
        atlas.log_metric("loss", 1.0)
        atlas.finish()
    finally:
        reset_tracking()
    stored = client.get_job(job.id)
    assert stored.status == JobStatus.QUEUED  # the scheduler reports the end, not the SDK
    assert (stored.name, stored.params, stored.tags) == ("renamed", {"lr": 0.3}, {"t": "1"})
    assert stored.metrics["loss"].count == 1


def test_a_script_resuming_a_tracked_job_reports_its_end(
    settings: Settings, client: Client
) -> None:
    job = client.create_job("resume", name="first-try")
    atlas.configure(settings=replace(settings, job_id=job.id), client=client)
    try:
        run = atlas.init()
        assert run.attached
        atlas.log_metric("loss", 0.5)
        atlas.finish()
    finally:
        reset_tracking()
    stored = client.get_job(job.id)
    assert (stored.status, stored.exit_code) == (JobStatus.COMPLETED, 0)
    assert stored.metrics["loss"].count == 1


def test_a_full_buffer_spills_to_the_spool_and_nothing_is_lost(
    settings: Settings, client: Client
) -> None:
    small = replace(settings, batch_points=50, buffer_points=100, flush_interval=60.0)
    atlas.configure(settings=small, client=client)
    try:
        run = atlas.init(project="p")
        for step in range(1_000):
            atlas.log_metric("x", float(step))
        run.finish()
    finally:
        reset_tracking()
    series = client.get_metric(run.id, "x")
    assert series.steps == list(range(1_000))
    assert series.values == [float(s) for s in range(1_000)]
    assert not list(settings.spool_path.glob("*.spool"))


def test_offline_job_is_spooled_then_uploaded_exactly_once(
    settings: Settings, client: Client
) -> None:
    offline = Client(f"http://127.0.0.1:{free_port()}", token="", timeout=2.0)
    atlas.configure(settings=settings, client=offline)
    try:
        run = atlas.init(project="offline", name="n", params={"lr": 0.1}, tags=["t"])
        for step in range(500):
            atlas.log_metric("loss", float(step), step=step)
        atlas.log_metric("nan", math.nan)
        assert not run.flush(5)  # spooled, not stored
        run.finish()
    finally:
        reset_tracking()
        offline.close()
    assert (settings.spool_path / f"{run.id}.spool").is_file()
    report = upload_spool(client, settings.spool_path)
    assert report.ok
    assert report.uploaded == [run.id]
    assert report.points == 501
    job = client.get_job(run.id)
    assert (job.project, job.name, job.status) == ("offline", "n", JobStatus.COMPLETED)
    assert (job.params, job.tags) == ({"lr": 0.1}, {"t": ""})
    assert client.get_metric(run.id, "loss").steps == list(range(500))
    assert math.isnan(job.metrics["nan"].last)
    assert not list(settings.spool_path.iterdir())
    again = upload_spool(client, settings.spool_path)
    assert (again.records, again.uploaded) == (0, [])
