"""At start the server imports what SDK processes spooled while it was down, through its
own API (the same path as `atlas sync`)."""

from __future__ import annotations

import math
import time
from array import array
from pathlib import Path

from atlas.domain import JobStatus, new_job_id
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.records import (
    ArtifactUpload,
    CreateJob,
    LogAppend,
    MetricBatch,
    SetParams,
    UpdateJob,
)
from atlas.sdk.spool import SpoolWriter
from atlas.settings import Settings
from tests.server.conftest import API, TestClient, make_client

DEADLINE_S = 20.0


def spool_a_run(settings: Settings, tmp_path: Path) -> str:
    job_id = new_job_id()
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights" * 1000)
    writer = SpoolWriter(settings.spool_path, job_id)
    columns = MetricColumns(
        "loss", array("q", [0, 1]), array("d", [1.0, 2.0]), array("d", [0.5, math.nan])
    )
    for record in (
        CreateJob("offline", {"name": "on the train"}),
        SetParams({"lr": 0.01}),
        MetricBatch(f"{job_id}-1", [columns]),
        LogAppend(0, b"epoch 1\n"),
        ArtifactUpload("model.bin", model, step=1),
        UpdateJob(status=JobStatus.COMPLETED, exit_code=0),
    ):
        writer.append(record)
    writer.close()
    return job_id


def wait_for_import(client: TestClient, spool: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while any(spool.glob("*.spool")):
        assert time.monotonic() < deadline, "the spool was not imported in time"
        time.sleep(0.05)


def test_the_spool_is_imported_at_start(tmp_path: Path, settings: Settings) -> None:
    job_id = spool_a_run(settings, tmp_path)
    with make_client(settings) as client:
        wait_for_import(client, settings.spool_path)
        job = client.get(f"{API}/jobs/{job_id}").json()
        series = client.get(f"{API}/jobs/{job_id}/metrics/loss").json()
        log = client.get(f"{API}/jobs/{job_id}/log").text
        artifact = client.get(f"{API}/jobs/{job_id}/artifacts/model.bin").content
    assert job["project"] == "offline"
    assert job["name"] == "on the train"
    assert job["status"] == "completed"
    assert job["exit_code"] == 0
    assert job["params"] == {"lr": 0.01}
    assert series["values"] == [0.5, "NaN"]
    assert log == "epoch 1\n"
    assert artifact == b"weights" * 1000
    assert not any(settings.spool_path.iterdir())


def test_no_spool_folder_is_fine(settings: Settings) -> None:
    assert not settings.spool_path.exists()
    with make_client(settings) as client:
        assert client.get("/healthz").status_code == 200
    assert not settings.spool_path.exists()
