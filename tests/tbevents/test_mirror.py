"""Event files reach the job's artifacts as they grow (``tensorboard/<path>``), appended,
so a TensorBoard opened from Atlas sees the run grow; a launcher started again resumes
where the last one stopped; folders named with ``atlas.set_tensorboard_logdir`` count too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas.errors import ConflictError
from atlas.names import TENSORBOARD_LOGDIRS_FILE
from atlas.sdk.client import Client
from atlas.sdk.tensorboard import logdirs_in, set_tensorboard_logdir
from atlas.tbevents.live import LiveSync
from tests.tbevents.writers import simple, write_events


def copied(client: Client, job_id: str, path: Path, root: Path) -> bytes:
    return client.read_artifact(job_id, f"tensorboard/{path.relative_to(root).as_posix()}")


def test_event_files_are_copied_as_they_grow_and_resumed(
    tmp_path: Path, client: Client, atlas_server: str
) -> None:
    job_id = client.create_job("mirror").id
    work = tmp_path / "work"
    first = write_events(work / "runs" / "a", [(s, [simple("loss", s)]) for s in range(3)])
    sync = LiveSync(work, job_id, lambda: Client(atlas_server, token=""))
    assert sync.poll(now=0.0)
    assert copied(client, job_id, first, work) == first.read_bytes()

    grown = first.read_bytes() + b"\x00" * 100  # the writer appends (a record cut off, even)
    first.write_bytes(grown)
    assert sync.poll(now=1.0)
    assert copied(client, job_id, first, work) == grown
    artifact = {a.path: a for a in client.list_artifacts(job_id)}[
        f"tensorboard/{first.relative_to(work).as_posix()}"
    ]
    assert artifact.size == len(grown)
    sync.finish()

    # a launcher started again knows nothing of what was sent: the server tells it
    more = grown + b"\x01" * 50
    first.write_bytes(more)
    again = LiveSync(work, job_id, lambda: Client(atlas_server, token=""))
    assert again.poll(now=0.0)
    assert again.finish()
    assert copied(client, job_id, first, work) == more


def test_an_append_that_does_not_start_at_the_stored_size_is_refused(client: Client) -> None:
    job_id = client.create_job("append").id
    client.append_artifact(job_id, "tensorboard/x.tfevents", b"abc", offset=0)
    with pytest.raises(ConflictError) as refused:
        client.append_artifact(job_id, "tensorboard/x.tfevents", b"abc", offset=0)
    assert refused.value.detail["size"] == 3
    client.append_artifact(job_id, "tensorboard/x.tfevents", b"def", offset=3)
    assert client.read_artifact(job_id, "tensorboard/x.tfevents") == b"abcdef"
    import hashlib

    (artifact,) = client.list_artifacts(job_id)
    assert artifact.sha256 == hashlib.sha256(b"abcdef").hexdigest()


def test_a_logdir_outside_the_working_folder_is_followed(
    tmp_path: Path, client: Client, atlas_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = client.create_job("logdir").id
    work, control, elsewhere = tmp_path / "work", tmp_path / "work" / ".atlas", tmp_path / "tb"
    control.mkdir(parents=True)
    monkeypatch.setenv("ATLAS_CONTROL_DIR", str(control))
    set_tensorboard_logdir(elsewhere)
    set_tensorboard_logdir(elsewhere)  # once is enough
    file = control / TENSORBOARD_LOGDIRS_FILE
    assert json.loads(file.read_text())["logdirs"] == [str(elsewhere.resolve())]
    path = write_events(elsewhere / "exp", [(s, [simple("acc", s)]) for s in range(4)])

    sync = LiveSync(
        work, job_id, lambda: Client(atlas_server, token=""), logdirs=lambda: logdirs_in(file)
    )
    assert sync.poll(now=0.0)
    assert sync.finish()
    assert copied(client, job_id, path, elsewhere) == path.read_bytes()
    assert list(client.get_metric(job_id, "acc").steps) == [0, 1, 2, 3]


def test_set_tensorboard_logdir_outside_a_job_only_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import atlas

    atlas.set_tensorboard_logdir(tmp_path / "tb")
    assert "not a job Atlas runs" in caplog.text
