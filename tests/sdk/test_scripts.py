"""Plain ``python train.py`` scripts that import atlas, run against a real server process.

Each script runs in a folder named ``myproject`` with ``ATLAS_URL`` naming the server; the
test reads back what a user would see through ``Client``.
"""

from __future__ import annotations

import json
import math
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import JobKind, JobStatus
from atlas.sdk.client import Client
from atlas.sdk.spool import upload_spool

from .conftest import ServerProcess, free_port, make_script, only_job


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module (each test uses its own project)."""
    with ServerProcess(tmp_path_factory.mktemp("server") / "home") as process:
        yield process


@pytest.fixture
def api(shared_server: ServerProcess) -> Iterator[Client]:
    with shared_server.client() as client:
        yield client


def project_of(tmp_path: Path) -> str:
    """A project name of its own for each test, given through job.config.yaml."""
    return f"p-{tmp_path.name}"[:200]


def write_config(folder: Path, project: str) -> None:
    (folder / "job.config.yaml").write_text(f"project_name: {project}\nlog_level: INFO\n")


TRACKED = """
import os, sys
import numpy as np
import atlas

atlas.log_params({"lr": 0.01, "model": {"layers": 3, "act": "relu"}})
atlas.set_tag("stage", "baseline")
for step in range(100):
    atlas.log_metric("loss", 1.0 / (step + 1))
atlas.log_metric("nan", float("nan"))
atlas.log_metric("inf", float("-inf"))
atlas.log_metric("np", np.float32(0.5), step=np.int64(4))
atlas.log_metric("np", np.array(0.25))
for bad in ("0.5", None, [1.0], True):
    try:
        atlas.log_metric("bad", bad)
    except TypeError as exc:
        print("refused:", exc)
os.makedirs("out/plots", exist_ok=True)
open("out/plots/a.txt", "w").write("a")
open("out/b.txt", "w").write("b")
atlas.save_artifact("train.py")
atlas.save_artifact("out")
print("to stdout")
print("to stderr", file=sys.stderr)
print("job", atlas.current_job().id)
"""


def test_a_script_becomes_a_completed_job(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url)
    done = script.run(TRACKED, check=True)
    assert "to stdout" in done.stdout  # still printed
    assert "to stderr" in done.stderr
    job = only_job(api, "myproject")  # the folder's name
    assert done.stdout.splitlines()[-1] == f"job {job.id}"
    assert (job.name, job.kind, job.status, job.exit_code) == ("train", "local", "completed", 0)
    assert "train.py" in job.command
    assert job.environment["python"]
    assert job.params == {"lr": 0.01, "model.layers": 3, "model.act": "relu"}
    assert job.tags == {"stage": "baseline"}
    assert job.metrics["loss"].count == 100
    assert math.isnan(job.metrics["nan"].last)
    assert job.metrics["inf"].last == -math.inf
    assert "bad" not in job.metrics
    np_series = api.get_metric(job.id, "np")
    assert (np_series.steps, np_series.values) == ([4, 5], [0.5, 0.25])
    log = api.read_log(job.id).data.decode()
    assert "to stdout\n" in log
    assert "to stderr\n" in log
    assert log.count("refused: metric 'bad'") == 4
    assert sorted(a.path for a in api.list_artifacts(job.id)) == [
        "out/b.txt",
        "out/plots/a.txt",
        "train.py",
    ]
    assert api.read_artifact(job.id, "out/plots/a.txt") == b"a"


def test_an_uncaught_exception_fails_the_job_with_its_traceback(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url)
    project = project_of(tmp_path)
    write_config(script.folder, project)
    done = script.run(
        "import atlas\natlas.log_metric('x', 1.0)\n\ndef train():\n"
        "    raise ValueError('diverged at step 3')\n\ntrain()\n"
    )
    assert done.returncode == 1
    assert "ValueError: diverged at step 3" in done.stderr  # still printed
    job = only_job(api, project)
    assert (job.status, job.exit_code) == (JobStatus.FAILED, 1)
    assert job.error is not None
    assert (job.error.type, job.error.message) == ("ValueError", "diverged at step 3")
    assert "in train" in job.error.traceback
    assert "ValueError: diverged at step 3" in api.read_log(job.id).data.decode()
    assert job.metrics["x"].count == 1


@pytest.mark.parametrize(
    ("source", "returncode", "status", "exit_code"),
    [
        ("import sys, atlas\natlas.log_metric('x', 1)\nsys.exit(3)\n", 3, "failed", 3),
        ("import sys, atlas\natlas.log_metric('x', 1)\nsys.exit(0)\n", 0, "completed", 0),
        ("import atlas\natlas.log_metric('x', 1)\nraise KeyboardInterrupt\n", 1, "cancelled", 130),
    ],
    ids=["sys.exit(3)", "sys.exit(0)", "KeyboardInterrupt"],
)
def test_the_exit_decides_the_status(
    tmp_path: Path,
    shared_server: ServerProcess,
    api: Client,
    source: str,
    returncode: int,
    status: str,
    exit_code: int,
) -> None:
    script = make_script(tmp_path, shared_server.url)
    project = project_of(tmp_path)
    write_config(script.folder, project)
    done = script.run(source)
    assert done.returncode == returncode, done.stderr
    job = only_job(api, project)
    assert (job.status, job.exit_code) == (status, exit_code)
    if status == "failed":
        assert job.error is not None
        assert job.error.message == "exit code 3"


def test_sigterm_cancels_the_job(tmp_path: Path, shared_server: ServerProcess, api: Client) -> None:
    script = make_script(tmp_path, shared_server.url)
    project = project_of(tmp_path)
    write_config(script.folder, project)
    process = script.start(
        "import sys, time, atlas\natlas.log_metric('x', 1.0)\nprint('ready', flush=True)\n"
        "while True:\n    time.sleep(0.05)\n"
    )
    with process:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 143
    job = only_job(api, project)
    assert (job.status, job.exit_code) == (JobStatus.CANCELLED, 143)
    assert job.metrics["x"].count == 1


def test_forked_workers_record_into_the_same_job(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url)
    project = project_of(tmp_path)
    write_config(script.folder, project)
    source = """
import multiprocessing
import atlas

def work(index):
    for step in range(100):
        atlas.log_metric(f"worker{index}", float(step))
    assert atlas.current_job().flush(30)  # workers end with os._exit: no exit flush

atlas.log_metric("main", 1.0)
context = multiprocessing.get_context("fork")
workers = [context.Process(target=work, args=(i,)) for i in range(2)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
    assert worker.exitcode == 0
print("workers done")
"""
    script.run(source, check=True)
    job = only_job(api, project)
    assert job.status == JobStatus.COMPLETED
    assert (job.metrics["worker0"].count, job.metrics["worker1"].count) == (100, 100)
    assert job.metrics["main"].count == 1
    assert "workers done" in api.read_log(job.id).data.decode()


def test_project_from_the_environment_wins(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url, ATLAS_PROJECT=project_of(tmp_path) + "-env")
    write_config(script.folder, project_of(tmp_path))
    script.run("import atlas\natlas.set_tag('x')\n", check=True)
    assert only_job(api, project_of(tmp_path) + "-env").tags == {"x": ""}


def test_a_malformed_job_config_is_a_clear_error(
    tmp_path: Path, shared_server: ServerProcess
) -> None:
    script = make_script(tmp_path, shared_server.url)
    (script.folder / "job.config.yaml").write_text("project_name: [unclosed\n")
    done = script.run("import atlas\natlas.log_metric('x', 1.0)\n")
    assert done.returncode == 1
    assert "InvalidInputError" in done.stderr
    assert "job.config.yaml is not valid YAML" in done.stderr


def test_a_scheduled_job_is_attached_not_created(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    project = project_of(tmp_path)
    job = api.create_job(project, name="from-the-scheduler", kind=JobKind.SCHEDULED)
    script = make_script(tmp_path, shared_server.url, ATLAS_JOB_ID=job.id)
    (script.folder / "atlas_job_parameters.json").write_text(json.dumps({"lr": 0.5}))
    source = (
        "import atlas\nparams = atlas.load_parameters()\nprint('params', params)\n"
        "atlas.log_metric('loss', params['lr'])\nraise SystemExit(4)\n"
    )
    done = script.run(source)
    assert done.returncode == 4
    assert "params {'lr': 0.5}" in done.stdout
    stored = api.get_job(job.id)
    assert api.list_jobs(project).total == 1
    assert stored.status == JobStatus.QUEUED  # the scheduler reports the end, not the SDK
    assert stored.params == {"lr": 0.5}
    assert stored.metrics["loss"].last == 0.5
    assert api.read_log(job.id).size == 0  # the executor captures the console


def test_without_a_server_everything_is_spooled_then_uploaded_once(tmp_path: Path) -> None:
    script = make_script(tmp_path, f"http://127.0.0.1:{free_port()}")
    (script.folder / "data.txt").write_text("payload")
    source = (
        "import atlas\n"
        "atlas.init(project='offline', name='n', params={'a': {'b': 1}}, tags=['t'])\n"
        "for step in range(2000):\n    atlas.log_metric('loss', float(step))\n"
        "atlas.save_artifact('data.txt')\nprint('printed offline')\n"
    )
    done = script.run(source, check=True)
    assert "printed offline" in done.stdout
    spool = tmp_path / "job-home" / "spool"
    assert len(list(spool.glob("*.spool"))) == 1
    server = ServerProcess(tmp_path / "later-server")
    server.start()
    try:
        with server.client() as api:
            report = upload_spool(api, spool)
            assert report.ok, report
            assert report.points == 2000
            job = only_job(api, "offline")
            assert report.uploaded == [job.id]
            assert (job.name, job.status, job.exit_code) == ("n", "completed", 0)
            assert (job.params, job.tags) == ({"a.b": 1}, {"t": ""})
            series = api.get_metric(job.id, "loss")
            assert series.steps == list(range(2000))
            assert api.read_artifact(job.id, "data.txt") == b"payload"
            assert "printed offline\n" in api.read_log(job.id).data.decode()
            assert not list(spool.iterdir())
    finally:
        server.stop()
