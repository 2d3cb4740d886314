"""The spool file format, its locking, and ``upload_spool`` against the real app."""

from __future__ import annotations

import math
import subprocess
import sys
from array import array
from pathlib import Path

from atlas.domain import JobError, JobStatus, new_job_id
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.client import Client
from atlas.sdk.records import (
    ArtifactUpload,
    CreateJob,
    LogAppend,
    MetricBatch,
    SetParams,
    SetTags,
    UpdateJob,
    decode_record,
)
from atlas.sdk.spool import SpoolWriter, read_records, upload_spool


def batch(batch_id: str, start: int, count: int) -> MetricBatch:
    steps = list(range(start, start + count))
    return MetricBatch(
        batch_id,
        [
            MetricColumns(
                "loss",
                array("q", steps),
                array("d", [1.7e9 + s for s in steps]),
                array("d", [math.nan if s == start else s / 2 for s in steps]),
            )
        ],
    )


def write_job(folder: Path, tmp_path: Path) -> tuple[str, list[object]]:
    """A spool holding a whole offline job; returns its id and records."""
    job_id = new_job_id()
    artifact = tmp_path / "weights.bin"
    artifact.write_bytes(b"\x00\x01" * 1000)
    records = [
        CreateJob("offline", {"name": "n", "user": "ana", "kind": "local", "params": {"lr": 0.1}}),
        SetParams({"model.layers": 3}),
        SetTags({"stage": "dev"}),
        batch("b-0", 0, 100),
        LogAppend(0, b"hello\n"),
        ArtifactUpload("models/weights.bin", artifact, 2),
        batch("b-1", 100, 50),
        LogAppend(6, b"world\n"),
        UpdateJob(status=JobStatus.FAILED, exit_code=2, error=JobError("E", "m", "tb")),
    ]
    writer = SpoolWriter(folder, job_id)
    for record in records:
        writer.append(record)  # type: ignore[arg-type]
    writer.close()
    artifact.unlink()  # the spool keeps its own copy
    return job_id, records


def test_records_read_back_as_written(tmp_path: Path) -> None:
    job_id, records = write_job(tmp_path / "spool", tmp_path)
    path = tmp_path / "spool" / f"{job_id}.spool"
    with path.open("rb") as handle:
        read = [decode_record(h, p, path.with_suffix(".files")) for _, h, p in read_records(handle)]
    assert len(read) == len(records)
    assert read[0] == records[0]
    decoded = read[3]
    assert isinstance(decoded, MetricBatch)
    assert decoded.batch_id == "b-0"
    assert list(decoded.columns[0].steps) == list(range(100))
    assert math.isnan(decoded.columns[0].values[0])
    assert read[4] == LogAppend(0, b"hello\n")
    upload = read[5]
    assert isinstance(upload, ArtifactUpload)
    assert upload.file.read_bytes() == b"\x00\x01" * 1000
    assert read[8] == records[8]


def test_upload_spool_stores_a_whole_job_once(tmp_path: Path, client: Client) -> None:
    folder = tmp_path / "spool"
    job_id, _ = write_job(folder, tmp_path)
    report = upload_spool(client, folder)
    assert report.ok
    assert (report.uploaded, report.records, report.points, report.duplicates) == (
        [job_id],
        9,
        150,
        0,
    )
    job = client.get_job(job_id)
    assert (job.project, job.name, job.user) == ("offline", "n", "ana")
    assert job.params == {"lr": 0.1, "model.layers": 3}
    assert job.tags == {"stage": "dev"}
    assert (job.status, job.exit_code, job.error) == (
        JobStatus.FAILED,
        2,
        JobError("E", "m", "tb"),
    )
    assert job.metrics["loss"].count == 150
    assert client.read_log(job_id).data == b"hello\nworld\n"
    assert client.read_artifact(job_id, "models/weights.bin") == b"\x00\x01" * 1000
    assert not list(folder.iterdir())


def test_a_spool_replayed_twice_stores_nothing_twice(tmp_path: Path, client: Client) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    job_id, _ = write_job(first, tmp_path)
    (second).mkdir()
    for path in first.iterdir():  # a copy, as left by a sync cut short
        target = second / path.name
        if path.is_dir():
            target.mkdir()
            for inner in path.iterdir():
                (target / inner.name).write_bytes(inner.read_bytes())
        else:
            target.write_bytes(path.read_bytes())
    assert upload_spool(client, first).ok
    report = upload_spool(client, second)
    assert report.ok
    assert report.uploaded == [job_id]
    # the job, both batches and both log lines were there already (a status already
    # reached may be answered as a no-op by the server: either way it is not stored twice)
    assert report.duplicates >= 5
    job = client.get_job(job_id)
    assert job.metrics["loss"].count == 150
    assert client.read_log(job_id).data == b"hello\nworld\n"


def test_a_log_record_cut_short_sends_only_its_missing_tail(tmp_path: Path, client: Client) -> None:
    job = client.create_job("p")
    client.append_log(job.id, b"hello\nwor")  # an earlier try stored part of it
    writer = SpoolWriter(tmp_path, job.id)
    writer.append(LogAppend(0, b"hello\nworld\n"))
    writer.close()
    assert upload_spool(client, tmp_path).ok
    assert client.read_log(job.id).data == b"hello\nworld\n"


def test_a_damaged_tail_is_reported_and_the_whole_records_stored(
    tmp_path: Path, client: Client
) -> None:
    job = client.create_job("p")
    writer = SpoolWriter(tmp_path, job.id)
    writer.append(batch("b-0", 0, 10))
    writer.close()
    with (tmp_path / f"{job.id}.spool").open("ab") as handle:
        handle.write(b"ASP1\x10\x00")  # a crash in the middle of the next record
    report = upload_spool(client, tmp_path)
    assert report.points == 10
    assert len(report.errors) == 1
    assert "damaged" in report.errors[0]
    assert (tmp_path / f"{job.id}.spool.damaged").exists()
    assert client.get_job(job.id).metrics["loss"].count == 10


def test_a_writer_reopening_a_damaged_file_cuts_the_partial_record(tmp_path: Path) -> None:
    job_id = new_job_id()
    writer = SpoolWriter(tmp_path, job_id)
    writer.append(SetTags({"a": "1"}))
    writer.close()
    path = tmp_path / f"{job_id}.spool"
    with path.open("ab") as handle:
        handle.write(b"ASP1\x10")
    writer = SpoolWriter(tmp_path, job_id)
    writer.append(SetTags({"b": "2"}))
    writer.close()
    with path.open("rb") as handle:
        assert [h["tags"] for _, h, _ in read_records(handle)] == [{"a": "1"}, {"b": "2"}]


def test_refused_records_are_reported_and_dropped(tmp_path: Path, client: Client) -> None:
    spool = tmp_path / "spool"
    writer = SpoolWriter(spool, new_job_id())  # a job the server never heard of
    writer.append(SetTags({"a": "1"}))
    writer.close()
    report = upload_spool(client, spool)
    assert report.ok
    assert len(report.rejected) == 1
    assert "not found" in report.rejected[0]
    assert not list(spool.iterdir())


def test_a_spool_held_by_a_running_process_is_left_to_it(tmp_path: Path, client: Client) -> None:
    job_id = new_job_id()
    writer = SpoolWriter(tmp_path, job_id)
    writer.append(SetTags({"a": "1"}))  # open, and locked, until closed
    try:
        # another process, as `atlas sync` would be
        code = (
            "import sys; from atlas.sdk.spool import SpoolWriter, upload_spool\n"
            "print(upload_spool(None, sys.argv[1]).busy)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == f"['{job_id}']"
    finally:
        writer.close()
    assert (tmp_path / f"{job_id}.spool").exists()


def test_upload_spool_of_a_missing_folder_does_nothing(tmp_path: Path, client: Client) -> None:
    report = upload_spool(client, tmp_path / "nothing")
    assert report.ok
    assert report.records == 0
