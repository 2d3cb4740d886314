"""A scheduled job's event files become its metrics while it runs: a script that never
imports atlas writes them with tensorboardX, the job's launcher sends them."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from atlas.domain import FINAL_STATUSES, Job, JobStatus
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke
from tests.tbevents.writers import simple, tf2_scalar, write_events

DEADLINE_S = 20.0

TRAIN = """\
import os, sys, time
from tensorboardX import SummaryWriter

gate = sys.argv[1]
writer = SummaryWriter("runs/exp", flush_secs=1)  # tensorboardX writes its queue each second
for step in range(5):
    writer.add_scalar("loss", 1.0 / (step + 1), step)
writer.flush()
deadline = time.time() + 60
while not os.path.exists(gate) and time.time() < deadline:  # the test saw the first points
    time.sleep(0.05)
val = SummaryWriter("runs/exp_val")  # a second run appears during the job
for step in range(5, 10):
    writer.add_scalar("loss", 1.0 / (step + 1), step)
    val.add_scalar("loss", 2.0, step)
writer.add_histogram("weights", [0.5, 1.5, 1.5], 9)
writer.close()
val.close()
print("trained")
"""


def wait_for(condition: Callable[[], object], what: str, explain: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}: {explain()}")


def final(client: Client, job_id: str) -> Job:
    wait_for(lambda: client.get_job(job_id).status in FINAL_STATUSES, f"job {job_id} to end")
    return client.get_job(job_id)


def steps_of(client: Client, job_id: str, key: str) -> list[int]:
    keys = {summary.key for summary in client.list_metrics(job_id)}
    return list(client.get_metric(job_id, key).steps) if key in keys else []


def test_scalars_appear_while_the_job_runs_and_its_last_ones_after(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(TRAIN)
    gate = tmp_path / "gate"
    result = atlas("submit", "--no-follow", "-p", project_name, str(code), "python", "train.py",
                   str(gate))  # fmt: skip
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]

    wait_for(
        lambda: steps_of(client, job_id, "loss") == [0, 1, 2, 3, 4],
        "the first points",
        lambda: client.read_log(job_id).data.decode(),
    )
    assert client.get_job(job_id).status == JobStatus.RUNNING
    gate.touch()

    job = final(client, job_id)
    assert job.status == JobStatus.COMPLETED, client.read_log(job_id).data.decode()
    assert steps_of(client, job_id, "loss") == list(range(10))
    loss = client.get_metric(job_id, "loss")
    assert list(loss.values)[1] == 0.5
    assert job.started_at is not None
    assert all(t >= job.started_at.timestamp() - 1 for t in loss.times)
    assert steps_of(client, job_id, "exp_val/loss") == list(range(5, 10))
    media = {a.path: a for a in client.list_artifacts(job_id)}
    assert media["media/weights.histogram.json"].step == 9


QUICK = """\
import os, shutil, sys

os.makedirs("logs/train")
shutil.copy(sys.argv[1], "logs/train/events.out.tfevents.1.host")
"""


def test_a_job_that_ends_at_once_still_gets_its_scalars(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    """A job shorter than the launcher's first interval: its files are read at its end."""
    events = [(s, [tf2_scalar("epoch_loss", s / 2, first=s == 0)]) for s in range(3)]
    written = write_events(tmp_path / "written", events)
    code = tmp_path / "code"
    code.mkdir()
    (code / "quick.py").write_text(QUICK)
    result = atlas("submit", "--no-follow", "-p", project_name, str(code), "python", "quick.py",
                   str(written))  # fmt: skip
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]
    assert final(client, job_id).status == JobStatus.COMPLETED
    assert list(client.get_metric(job_id, "epoch_loss").values) == [0.0, 0.5, 1.0]
    copied = client.read_artifact(job_id, "tensorboard/logs/train/events.out.tfevents.1.host")
    assert copied == written.read_bytes()  # for a TensorBoard opened from Atlas


ELSEWHERE = """\
import shutil, sys
import atlas

atlas.set_tensorboard_logdir(sys.argv[2])
shutil.copytree(sys.argv[1], sys.argv[2] + "/exp")
"""


def test_a_logdir_named_by_the_script_is_followed_too(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    written = write_events(tmp_path / "written", [(s, [simple("acc", s)]) for s in range(3)])
    code = tmp_path / "code"
    code.mkdir()
    (code / "elsewhere.py").write_text(ELSEWHERE)
    logdir = tmp_path / "scratch-tb"
    result = atlas("submit", "--no-follow", "-p", project_name, str(code), "python",
                   "elsewhere.py", str(written.parent), str(logdir))  # fmt: skip
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]
    job = final(client, job_id)
    assert job.status == JobStatus.COMPLETED, client.read_log(job_id).data.decode()
    assert list(client.get_metric(job_id, "acc").steps) == [0, 1, 2]
    copied = client.read_artifact(job_id, f"tensorboard/exp/{written.name}")
    assert copied == written.read_bytes()


def test_a_job_without_event_files_records_no_metrics(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "hello.py").write_text("print('hello')\n")
    result = atlas("submit", "--no-follow", "-p", project_name, str(code), "python", "hello.py")
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]
    assert final(client, job_id).status == JobStatus.COMPLETED
    assert [m.key for m in client.list_metrics(job_id) if not m.key.startswith("system/")] == []
