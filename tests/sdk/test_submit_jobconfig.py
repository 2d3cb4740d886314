"""job.config.yaml: the old Atlas keys, ours, unknown keys, the values' checks, and its
retries honoured by a real server."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.errors import InvalidInputError
from atlas.sdk.jobconfig import (
    JobConfig,
    load_job_config,
    parse_command,
    parse_memory,
    parse_param,
)
from atlas.sdk.submit import Submission, default_name
from tests.sdk.conftest import ServerProcess


def config(tmp_path: Path, text: str) -> JobConfig:
    (tmp_path / "job.config.yaml").write_text(text)
    return load_job_config(tmp_path)


def test_no_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_job_config(tmp_path) == JobConfig()


def test_old_atlas_keys(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        "project_name: old-project\nentrypoint: main.py\nnum_gpus: 2\nram: 4\n"
        "log_level: INFO\nparams:\n  lr: 0.1\n  layers: [1, 2]\n",
    )
    assert loaded == JobConfig(
        project="old-project",
        command=["python", "main.py"],
        params={"lr": 0.1, "layers": [1, 2]},
        gpus=2,
        memory=4 * 1024**3,
    )


def test_our_keys(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        "project: ours\nname: run\ncommand: python train.py --epochs 3\ncpus: 4\ngpus: 1\n"
        "memory: 512M\npriority: 5\ntags: {stage: dev, n: 3}\ntimeout: 90\nenv: none\n",
    )
    assert loaded == JobConfig(
        project="ours",
        name="run",
        command=["python", "train.py", "--epochs", "3"],
        cpus=4,
        gpus=1,
        memory=512 * 1024**2,
        priority=5,
        tags={"stage": "dev", "n": "3"},
        timeout=90.0,
        env="none",
    )


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        config(tmp_path, "project: p\nnum_gpu: 1\nworkers: 2\n")
    assert "unknown keys num_gpu, workers" in caught.value.message
    assert "job.config.yaml" in caught.value.message
    assert caught.value.detail["keys"] == ["num_gpu", "workers"]


def test_a_container_image_old_and_new(tmp_path: Path) -> None:
    assert config(tmp_path, "worker:\n  image: pytorch/pytorch:latest\n").image == (
        "pytorch/pytorch:latest"
    )
    assert config(tmp_path, "image: localhost/base:1\n").image == "localhost/base:1"
    with pytest.raises(InvalidInputError, match="image must be an image reference"):
        config(tmp_path, "image: 'no spaces please'\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpus: -1\n", "gpus must be an integer >= 0"),
        ("cpus: 0\n", "cpus must be an integer >= 1"),
        ("gpus: 1\nnum_gpus: 1\n", "give gpus or num_gpus, not both"),
        ("command: a\nentrypoint: b.py\n", "give command or entrypoint, not both"),
        ("memory: lots\n", "not an amount of memory"),
        ("env: conda\n", "env must be auto or none"),
        ("timeout: -5\n", "timeout must be a number of seconds"),
        ("params: [1, 2]\n", "params must be a mapping"),
        ("log_level: loud\n", "is not a log level"),
        ("- a\n- b\n", "must hold a mapping"),
        ("project: [\n", "is not valid YAML"),
        ("worker:\n  cpus: 2\n", "unknown key worker.cpus"),
    ],
)
def test_bad_values_are_explained(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("[", r"\[")):
        config(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4G", 4 * 1024**3),
        ("512M", 512 * 1024**2),
        ("1.5GiB", int(1.5 * 1024**3)),
        ("100", 100),
        ("2kb", 2048),
        (1024, 1024),
    ],
)
def test_memory_amounts(text: object, expected: int) -> None:
    assert parse_memory(text) == expected


@pytest.mark.parametrize("bad", ["0", "-1G", "4X", "", True, 0])
def test_bad_memory_amounts(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="memory"):
        parse_memory(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lr=0.01", ("lr", 0.01)),
        ("n=3", ("n", 3)),
        ("flag=true", ("flag", True)),
        ("sizes=[1,2]", ("sizes", [1, 2])),
        ("name=resnet", ("name", "resnet")),
        ("expr=a=b", ("expr", "a=b")),
        ("empty=", ("empty", "")),
        ('quoted="3"', ("quoted", "3")),
    ],
)
def test_params_are_json_when_they_parse(text: str, expected: tuple[str, object]) -> None:
    assert parse_param(text) == expected


@pytest.mark.parametrize("bad", ["novalue", "=3"])
def test_bad_params(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="KEY=VALUE"):
        parse_param(bad)


def test_commands_are_split_like_a_shell() -> None:
    assert parse_command("python 'my script.py' --x 1") == ["python", "my script.py", "--x", "1"]
    assert parse_command(["python", "a.py"]) == ["python", "a.py"]
    with pytest.raises(InvalidInputError, match="empty"):
        parse_command("  ")
    with pytest.raises(InvalidInputError, match="cannot split"):
        parse_command("python 'unclosed")


def test_default_names() -> None:
    assert default_name(["python", "src/train.py", "--lr", "1"]) == "train"
    assert default_name(["python", "-m", "pkg.main"]) == "pkg.main"
    assert default_name(["/usr/bin/env"]) == "env"


def test_submission_checks_its_fields() -> None:
    with pytest.raises(InvalidInputError, match="invalid project name"):
        Submission(project=".hidden", command=["true"])
    with pytest.raises(InvalidInputError, match="no command"):
        Submission(project="p", command=[])
    with pytest.raises(InvalidInputError, match="cpus"):
        Submission(project="p", command=["true"], cpus=0)
    with pytest.raises(InvalidInputError, match="env"):
        Submission(project="p", command=["true"], env="docker")
    body = Submission(project="p", command=["true"], memory=10).body(snapshot="ab", git={})
    assert body == {
        "project": "p",
        "command": ["true"],
        "params": {},
        "tags": {},
        "resources": {"cpus": 1, "gpus": 0, "memory": 10},
        "priority": 0,
        "timeout": None,
        "env": "auto",
        "snapshot": "ab",
    }


FAILS_ONCE = """\
import pathlib, sys
marker = pathlib.Path({marker!r})
if not marker.exists():
    marker.write_text("failed once")
    sys.exit(3)
print("second attempt passed")
"""


def test_retries_in_the_file_give_a_failed_job_its_second_attempt(
    tmp_path: Path, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "flaky"
    folder.mkdir()
    (folder / "fails_once.py").write_text(FAILS_ONCE.format(marker=str(tmp_path / "marker")))
    (folder / "job.config.yaml").write_text(
        f"project: flaky\ncommand: {sys.executable} fails_once.py\nretries: 1\nenv: none\n"
    )
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "client-home"))
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["--url", server.url, "submit", "--no-follow"])
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]
    with server.client() as client:
        deadline = time.monotonic() + 60  # the retry waits 2 s before it may start
        while (job := client.get_job(job_id)).status not in FINAL_STATUSES:
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        log = client.read_log(job_id).data.decode()
    assert job.status is JobStatus.COMPLETED, (job, log)
    assert job.retries == 1
    assert [attempt["exit_code"] for attempt in job.attempts] == [3]
    assert "[atlas] attempt 2 of 2" in log
    assert "second attempt passed" in log
