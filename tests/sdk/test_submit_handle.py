"""`atlas.submit` and the `Job` handle against a real server running real jobs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import atlas
from atlas.domain import JobStatus
from atlas.errors import InvalidInputError, NotFoundError, ResourceUnavailableError
from tests.sdk.conftest import ServerProcess

TRAIN = """\
import sys, time
import atlas

params = atlas.load_parameters()
for step in range(3):
    atlas.log_metric("loss", params["lr"] / (step + 1), step=step)
print("trained with", params["lr"], flush=True)
if params.get("sleep"):
    time.sleep(params["sleep"])
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the module (a start costs a second or two)."""
    with ServerProcess(tmp_path_factory.mktemp("server-home")) as process:
        yield process


@pytest.fixture
def folder(tmp_path: Path, server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job folder; ATLAS_URL points at the server (as a user's shell would)."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_URL", server.url)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "client-home"))
    root = tmp_path / "search"
    root.mkdir()
    (root / "train.py").write_text(TRAIN)
    return root


def test_a_small_hyperparameter_search(folder: Path) -> None:
    jobs = [
        atlas.submit("python train.py", directory=folder, params={"lr": lr}, tags=["sweep"])
        for lr in (0.3, 0.1, 0.2)
    ]
    assert [job.wait(timeout=60) for job in jobs] == [JobStatus.COMPLETED] * 3
    best = min(jobs, key=lambda job: job.get_metric("loss"))
    assert best.get_param("lr") == 0.1
    assert best.metrics() == {"loss": pytest.approx(0.1 / 3)}
    assert best.status() is JobStatus.COMPLETED
    assert "trained with 0.1" in best.logs()
    assert "".join(best.logs(follow=True)) == best.logs()
    info = best.info()
    assert info.project == "search"  # the folder's name
    assert info.name == "train"
    assert info.tags == {"sweep": ""}
    assert best == atlas.Job(best.id)
    with pytest.raises(NotFoundError, match="no metric 'accuracy'"):
        best.get_metric("accuracy")
    with pytest.raises(NotFoundError, match="no param 'momentum'"):
        best.get_param("momentum")


def test_wait_times_out_and_cancel_stops_the_job(folder: Path) -> None:
    job = atlas.submit(
        ["python", "train.py"], directory=folder, params={"lr": 1, "sleep": 60}, project="slow"
    )
    with pytest.raises(TimeoutError, match=f"job {job.id} is still"):
        job.wait(timeout=0.3)
    job.cancel()
    assert job.wait(timeout=60) is JobStatus.CANCELLED


def test_submit_with_wait_returns_an_ended_job(folder: Path) -> None:
    job = atlas.submit("python train.py", directory=folder, params={"lr": 2}, wait=True)
    assert job.status() is JobStatus.COMPLETED


def test_requests_the_server_cannot_meet(folder: Path) -> None:
    with pytest.raises(ResourceUnavailableError, match="1000 GPUs"):
        atlas.submit("python train.py", directory=folder, gpus=1000)
    with pytest.raises(InvalidInputError, match="memory"):
        atlas.submit("python train.py", directory=folder, memory="lots")
    with pytest.raises(InvalidInputError, match="not a folder"):
        atlas.submit("python train.py", directory=folder / "missing")
    (folder / "job.config.yaml").write_text("worker:\n  image: x\n  gpus: 1\n")
    with pytest.raises(InvalidInputError, match=r"unknown key worker\.gpus"):
        atlas.submit("python train.py", directory=folder)
    (folder / "job.config.yaml").unlink()
    with pytest.raises(InvalidInputError, match="not an image reference"):
        atlas.submit("python train.py", directory=folder, image="bad image")
