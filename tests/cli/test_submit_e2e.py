"""End to end: a real `atlas server` with a configured GPU inventory runs real jobs submitted
with the CLI (and, from inside a job, with `atlas.submit`)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import JobStatus
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke, running_server
from tests.polling import wait_for, wait_until_final

SERVER_ENV = {"ATLAS_GPUS": "0,1,2,3", "ATLAS_CPUS": "8", "ATLAS_CANCEL_GRACE": "2"}


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with four (configured) GPUs and eight CPU slots, shared by this module."""
    with running_server(tmp_path_factory.mktemp("jobs-server"), env=SERVER_ENV) as server:
        yield server.url


@pytest.fixture
def client(atlas_server: str) -> Iterator[Client]:
    with Client(atlas_server, token="", timeout=10.0) as api:
        yield api


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "code"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def log_of(client: Client, job_id: str) -> str:
    return client.read_log(job_id).data.decode()


def queued_id(output: str) -> str:
    """The job id `atlas submit --no-follow` printed (its last stdout line)."""
    return output.strip().splitlines()[-1]


def submit(atlas: Invoke, line: str) -> str:
    """`atlas submit --no-follow LINE` (split on spaces); the queued job's id."""
    result = atlas("submit", "--no-follow", *line.split())
    assert result.exit_code == 0, result.output
    return queued_id(result.stdout)


TRAIN = """\
import json, os, pathlib
import atlas

params = atlas.load_parameters()
on_disk = json.loads(pathlib.Path("atlas_job_parameters.json").read_text())
print("loaded", json.dumps(params, sort_keys=True))
print("file", json.dumps(on_disk, sort_keys=True))
print("CUDA_VISIBLE_DEVICES=" + os.environ["CUDA_VISIBLE_DEVICES"])
atlas.log_metric("loss", 1.0 / (1 + params.get("lr", 1)))
pathlib.Path("out").mkdir(exist_ok=True)
pathlib.Path("out/model.txt").write_text("weights")
atlas.save_artifact("out/model.txt")
raise SystemExit(params.get("exit", 0))
"""


def test_submit_follows_a_job_to_completion_with_its_params(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"train.py": TRAIN, "data/big.bin": "x", ".atlasignore": "data/\n"})
    result = atlas(
        "submit",
        "-p",
        project_name,
        "--param",
        "lr=0.5",
        "--param",
        "name=resnet",
        "--gpus",
        "1",
        str(root),
        "python",
        "train.py",
    )
    assert result.exit_code == 0, result.output
    expected = json.dumps({"lr": 0.5, "name": "resnet"}, sort_keys=True)
    assert f"loaded {expected}" in result.stdout
    assert f"file {expected}" in result.stdout
    assert "CUDA_VISIBLE_DEVICES=" in result.stdout
    assert "completed" in result.stderr
    job = client.list_jobs(project_name).items[0]
    assert job.status is JobStatus.COMPLETED
    assert job.params == {"lr": 0.5, "name": "resnet"}
    assert job.metrics["loss"].last == pytest.approx(1 / 1.5)
    assert not (root / "atlas_job_parameters.json").exists()  # never in the user's folder

    again = atlas("submit", "-p", project_name, "--no-follow", str(root), "python", "train.py")
    assert client.get_job(queued_id(again.stdout)).snapshot == job.snapshot  # stored once
    wait_until_final(client, queued_id(again.stdout))


def test_a_failed_job_fails_the_command(atlas: Invoke, tmp_path: Path, project_name: str) -> None:
    root = project(tmp_path, {"train.py": TRAIN})
    result = atlas("submit", "-p", project_name, "--param", "exit=3", str(root), "python train.py")
    assert result.exit_code == 1
    assert "failed" in result.stderr


GPU_JOB = """\
import os, pathlib, time
import atlas

params = atlas.load_parameters(log=False)
shared = pathlib.Path(params["dir"])
devices = os.environ["CUDA_VISIBLE_DEVICES"]
print("CUDA_VISIBLE_DEVICES=" + devices, flush=True)
(shared / params["who"]).write_text(devices)
deadline = time.time() + 30
while len(list(shared.iterdir())) < 2 and time.time() < deadline:
    time.sleep(0.05)  # both jobs run at the same time
"""


def test_concurrent_jobs_get_disjoint_gpus(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"gpu.py": GPU_JOB})
    shared = tmp_path / "shared"
    shared.mkdir()
    ids = []
    for who in ("a", "b"):
        result = atlas(
            "submit",
            "-p",
            project_name,
            "--no-follow",
            "--gpus",
            "2",
            "--param",
            f"dir={shared}",
            "--param",
            f"who={who}",
            str(root),
            "python",
            "gpu.py",
        )
        assert result.exit_code == 0, result.output
        ids.append(queued_id(result.stdout))
    seen = []
    for job_id in ids:
        assert wait_until_final(client, job_id).status is JobStatus.COMPLETED
        line = next(x for x in log_of(client, job_id).splitlines() if "CUDA_VISIBLE" in x)
        seen.append(set(line.split("=", 1)[1].split(",")))
    assert sorted(p.name for p in shared.iterdir()) == ["a", "b"]  # they ran together
    assert all(len(gpus) == 2 for gpus in seen)
    assert not seen[0] & seen[1]
    assert seen[0] | seen[1] <= {"0", "1", "2", "3"}


PARENT = """\
import atlas

child = atlas.submit("python child.py", params={"depth": 2}, wait=True)
print("child", child.id, child.status(), child.get_param("depth"))
"""
CHILD = """\
import atlas
print("child got", atlas.load_parameters()["depth"])
"""


def test_a_job_submits_a_job(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"parent.py": PARENT, "child.py": CHILD})
    result = atlas("submit", "-p", project_name, str(root), "python", "parent.py")
    assert result.exit_code == 0, result.output
    words = next(line for line in result.stdout.splitlines() if line.startswith("child ")).split()
    child_id = words[1]
    assert words[2:] == ["completed", "2"]
    child = client.get_job(child_id)
    parent = client.list_jobs(project_name, filter='name = "parent"').items[0]
    assert child.parent_id == parent.id
    assert child.project == project_name
    assert "child got 2" in log_of(client, child_id)


TREE = """\
import pathlib, subprocess, sys, time
import atlas

pidfile = pathlib.Path(atlas.load_parameters(log=False)["pidfile"])
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pidfile.write_text(str(child.pid))
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead


def test_stop_kills_the_whole_process_tree(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"tree.py": TREE})
    pidfile = tmp_path / "grandchild.pid"
    job_id = submit(atlas, f"-p {project_name} --param pidfile={pidfile} {root} python tree.py")
    wait_for(lambda: pidfile.exists() and pidfile.read_text(), "the job's child process")
    grandchild = int(pidfile.read_text())
    assert alive(grandchild)
    stopped = atlas("stop", job_id)
    assert stopped.exit_code == 0, stopped.output
    assert job_id in stopped.stdout
    assert wait_until_final(client, job_id).status is JobStatus.CANCELLED
    wait_for(lambda: not alive(grandchild), "the grandchild to die")
    followed = atlas("logs", "-f", job_id)
    assert followed.exit_code == 130


def test_rerun_with_a_changed_param(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"train.py": TRAIN})
    old = wait_until_final(
        client, submit(atlas, f"-p {project_name} --param lr=0.1 {root} python train.py")
    )
    result = atlas("rerun", "--param", "lr=0.3", old.id)
    assert result.exit_code == 0, result.output
    assert 'loaded {"lr": 0.3}' in result.stdout
    new = client.list_jobs(project_name).items[0]
    assert new.id != old.id
    assert new.rerun_of == old.id
    assert new.snapshot == old.snapshot
    assert new.command == old.command
    assert new.params == {"lr": 0.3}


def test_get_job_brings_back_the_snapshot_artifacts_and_log(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    files = {"train.py": TRAIN, "lib/util.py": "X = 1\n", "cache.tmp": "", ".gitignore": "*.tmp\n"}
    root = project(tmp_path, files)
    result = atlas("submit", "-p", project_name, "--param", "lr=2", str(root), "python train.py")
    assert result.exit_code == 0, result.output
    job = client.list_jobs(project_name).items[0]
    dest = tmp_path / "fetched"
    fetched = atlas("get", "job", job.id, "--dest", str(dest))
    assert fetched.exit_code == 0, fetched.output
    code = dest / "code"
    assert sorted(p.relative_to(code).as_posix() for p in code.rglob("*") if p.is_file()) == [
        ".gitignore",
        "atlas_job_parameters.json",
        "lib/util.py",
        "train.py",
    ]
    assert (code / "train.py").read_text() == TRAIN
    assert json.loads((code / "atlas_job_parameters.json").read_text()) == {"lr": 2}
    assert (dest / "artifacts" / "model.txt").read_text() == "weights"
    assert "loaded" in (dest / "log.txt").read_text()
    again = atlas("get", "job", job.id, "--dest", str(dest))
    assert again.exit_code == 1
    assert "not an empty folder" in again.stderr


BLOCKER = """\
import pathlib, time
import atlas

release = pathlib.Path(atlas.load_parameters(log=False)["release"])
deadline = time.time() + 60
while not release.exists() and time.time() < deadline:
    time.sleep(0.05)
"""


def test_queue_clear_only_clears_the_given_project(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"block.py": BLOCKER, "quick.py": "print('quick')\n"})
    release = tmp_path / "release"
    other = project_name + "-other"
    blocker_id = submit(
        atlas, f"-p {other} --gpus 4 --param release={release} {root} python block.py"
    )
    wait_for(lambda: client.get_job(blocker_id).status is JobStatus.RUNNING, "the blocker")
    mine = [submit(atlas, f"-p {project_name} --gpus 1 {root} python quick.py") for _ in range(2)]
    theirs = submit(atlas, f"-p {other} --gpus 1 --priority 5 {root} python quick.py")
    listed = atlas("queue", "ls")
    assert listed.exit_code == 0, listed.output
    order = [line.split()[1] for line in listed.stdout.splitlines()[1:]]
    assert order[:3] == [theirs, *mine]  # priority first, then submission order
    assert "GPUs 4/4 used" in listed.stderr
    moved = atlas("queue", "priority", mine[1], "10")
    assert moved.exit_code == 0, moved.output
    relisted = atlas("queue", "ls").stdout.splitlines()[1:]
    assert [line.split()[1] for line in relisted][:3] == [mine[1], theirs, mine[0]]
    shown = atlas("jobs", "show", blocker_id).stdout
    assert "1 CPU, 4 GPU (GPUs 0,1,2,3)" in shown

    cleared = atlas("queue", "clear", "--project", project_name, "--yes")
    assert cleared.exit_code == 0, cleared.output
    assert f"Cancelled 2 queued jobs of project {project_name!r}." in cleared.stdout
    assert {client.get_job(i).status for i in mine} == {JobStatus.CANCELLED}
    assert client.get_job(theirs).status is JobStatus.QUEUED
    release.write_text("go")
    assert wait_until_final(client, blocker_id).status is JobStatus.COMPLETED
    assert wait_until_final(client, theirs).status is JobStatus.COMPLETED


def test_an_impossible_request_fails_at_submit(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"train.py": TRAIN})
    result = atlas("submit", "-p", project_name, "--gpus", "99", str(root), "python", "train.py")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "99 GPUs" in result.stderr
    assert "4 exist" in result.stderr
    assert project_name not in {p.name for p in client.list_projects()}  # nothing queued


def test_a_bad_job_config_names_the_key(atlas: Invoke, tmp_path: Path, project_name: str) -> None:
    root = project(
        tmp_path, {"train.py": TRAIN, "job.config.yaml": "entrypoint: train.py\nnum_gpu: 1\n"}
    )
    result = atlas("submit", "-p", project_name, str(root))
    assert result.exit_code == 1
    assert "unknown key num_gpu" in result.stderr


def test_logs_of_a_finished_job(atlas: Invoke, tmp_path: Path, project_name: str) -> None:
    root = project(tmp_path, {"job.config.yaml": "entrypoint: train.py\n", "train.py": TRAIN})
    submitted = atlas("submit", "-p", project_name, "--no-follow", str(root))
    job_id = queued_id(submitted.stdout)
    followed = atlas("logs", "-f", job_id)
    assert followed.exit_code == 0
    assert "loaded {}" in followed.stdout
    plain = atlas("logs", job_id)
    assert plain.exit_code == 0
    assert plain.stdout == followed.stdout


def test_the_git_state_of_the_folder_is_recorded(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    root = project(tmp_path, {"train.py": TRAIN})
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "train.py"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    (root / "train.py").write_text(TRAIN + "# tuned\n")
    job = wait_until_final(client, submit(atlas, f"-p {project_name} {root} python train.py"))
    assert job.status is JobStatus.COMPLETED
    assert job.git["branch"] == "main"
    assert len(str(job.git["commit"])) == 40
    assert job.git["dirty"] is True
    assert "+# tuned" in str(job.git["diff"])
