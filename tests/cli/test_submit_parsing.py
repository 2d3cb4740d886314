"""`atlas submit` before it reaches a server: arguments, job.config.yaml and flags over it."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.fetch import unpack_snapshot
from atlas.cli.logs import status_exit_code
from atlas.cli.main import cli
from atlas.cli.submit import SubmitFlags, build_submission, params_from, split_arguments
from atlas.domain import JobStatus
from atlas.errors import InvalidInputError
from atlas.sdk.snapshot import build_snapshot
from atlas.settings import Settings

CONFIG = """\
project_name: from-file
entrypoint: main.py
num_gpus: 1
ram: 2
params:
  lr: 0.1
  epochs: 3
tags:
  stage: dev
priority: 2
timeout: 60
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "main.py").write_text("print('hi')\n")
    (root / "job.config.yaml").write_text(CONFIG)
    return root


def test_the_first_argument_is_the_folder_when_it_is_one(folder: Path) -> None:
    assert split_arguments([str(folder), "python", "a.py"]) == (folder, ["python", "a.py"])
    assert split_arguments(["python", "a.py", "--x"]) == (Path("."), ["python", "a.py", "--x"])
    assert split_arguments([str(folder)]) == (folder, [])
    assert split_arguments(["python a.py --lr 0.1"]) == (
        Path("."),
        ["python", "a.py", "--lr", "0.1"],
    )


def test_the_file_alone(folder: Path) -> None:
    submission = build_submission(folder, [], SubmitFlags(), Settings())
    assert submission.project == "from-file"
    assert submission.command == ["python", "main.py"]
    assert submission.name == "main"
    assert submission.params == {"lr": 0.1, "epochs": 3}
    assert submission.tags == {"stage": "dev"}
    assert (submission.gpus, submission.cpus, submission.memory) == (1, 1, 2 * 1024**3)
    assert (submission.priority, submission.timeout, submission.env) == (2, 60.0, "auto")
    assert submission.parent_id is None


def test_flags_win_over_the_file(folder: Path, tmp_path: Path) -> None:
    params_file = tmp_path / "params.json"
    params_file.write_text(json.dumps({"lr": 0.5, "batch": 64, "model": {"depth": 4}}))
    flags = SubmitFlags(
        project="flagged",
        name="named",
        param=("lr=0.01", "extra=text"),
        params_file=params_file,
        gpus=0,
        cpus=3,
        memory="1G",
        priority=-1,
        tag=("stage=prod", "quick"),
        timeout=5.0,
        env="none",
    )
    settings = Settings(project="from-settings", job_id="0123456789abcdef")
    submission = build_submission(folder, ["python", "other.py"], flags, settings)
    assert submission.project == "flagged"
    assert submission.command == ["python", "other.py"]
    assert submission.name == "named"
    assert submission.params == {
        "lr": 0.01,
        "epochs": 3,
        "batch": 64,
        "model.depth": 4,
        "extra": "text",
    }
    assert submission.tags == {"stage": "prod", "quick": ""}
    assert (submission.gpus, submission.cpus, submission.memory) == (0, 3, 1024**3)
    assert (submission.priority, submission.timeout, submission.env) == (-1, 5.0, "none")
    assert submission.parent_id == "0123456789abcdef"


def test_project_order_file_then_setting_then_folder(tmp_path: Path) -> None:
    bare = tmp_path / "my project"
    bare.mkdir()
    flags = SubmitFlags()
    assert build_submission(bare, ["true"], flags, Settings()).project == "my project"
    with_setting = Settings(project="configured")
    assert build_submission(bare, ["true"], flags, with_setting).project == "configured"
    (bare / "job.config.yaml").write_text("project: in-file\n")
    assert build_submission(bare, ["true"], flags, with_setting).project == "in-file"


def test_a_yaml_params_file(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("lr: 0.2\nname: x\n")
    assert params_from({"lr": 1}, path, ["n=2"]) == {"lr": 0.2, "name": "x", "n": 2}
    path.write_text("- 1\n")
    with pytest.raises(InvalidInputError, match="mapping"):
        params_from({}, path, [])


def test_a_python_script_is_run_with_python(folder: Path) -> None:
    submission = build_submission(folder, ["main.py", "--x"], SubmitFlags(), Settings())
    assert submission.command == ["python", "main.py", "--x"]
    (folder / "job.config.yaml").write_text("command: train.py --fast\n")
    submission = build_submission(folder, [], SubmitFlags(), Settings())
    assert submission.command == ["python", "train.py", "--fast"]


def test_no_command_anywhere(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no command to run"):
        build_submission(tmp_path, [], SubmitFlags(), Settings())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--url", "http://127.0.0.1:9", *args])
    return result.exit_code, result.output


def test_a_bad_config_file_names_the_key(folder: Path) -> None:
    (folder / "job.config.yaml").write_text("project: p\ngpu: 1\n")
    code, output = run("submit", str(folder), "python", "main.py")
    assert code == 1
    assert "error:" in output
    assert "unknown key gpu" in output


def test_an_image_given_twice_is_refused_before_anything_is_sent(folder: Path) -> None:
    (folder / "job.config.yaml").write_text("image: a:1\nworker:\n  image: my/image:1\n")
    code, output = run("submit", str(folder), "python", "main.py")
    assert code == 1
    assert "give image or worker.image, not both" in output


def test_old_worker_image_is_the_image(folder: Path) -> None:
    from atlas.sdk.jobconfig import load_job_config

    (folder / "job.config.yaml").write_text("worker:\n  image: my/image:1\n")
    assert load_job_config(folder).image == "my/image:1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "lots"], "not an amount of memory"),
        (["--param", "nokey"], "KEY=VALUE"),
        (["--gpus", "-1"], "-1 is not in the range x>=0"),
        (["--env", "conda"], "'conda' is not one of 'auto', 'none'"),
    ],
)
def test_bad_flags(folder: Path, args: list[str], message: str) -> None:
    code, output = run("submit", *args, str(folder), "python", "main.py")
    assert code in (1, 2)
    assert message in output


def test_options_after_the_command_belong_to_it(folder: Path) -> None:
    # the command's own --gpus is not ours: the request fails only at the (absent) server
    code, output = run("submit", "--no-follow", str(folder), "python", "main.py", "--gpus", "x")
    assert code == 3, output
    assert "no Atlas server answered" in output


def test_exit_codes_of_a_followed_job() -> None:
    assert status_exit_code(JobStatus.COMPLETED) == 0
    assert status_exit_code(JobStatus.FAILED) == 1
    assert status_exit_code(JobStatus.LOST) == 1
    assert status_exit_code(JobStatus.CANCELLED) == 130


def evil_archive(path: Path, name: str, *, link: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        if link is None:
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
        else:
            info.type = tarfile.SYMTYPE
            info.linkname = link
            tar.addfile(info)
    return path


@pytest.mark.parametrize(
    ("name", "link"),
    [("../escape.txt", None), ("/abs/escape.txt", None), ("out", "/etc/passwd")],
)
def test_get_job_refuses_an_unsafe_snapshot(tmp_path: Path, name: str, link: str | None) -> None:
    archive = evil_archive(tmp_path / "evil.tar.gz", name, link=link)
    target = tmp_path / "deep" / "code"
    with pytest.raises(InvalidInputError, match="unsafe member"):
        unpack_snapshot(archive, target)
    assert not (tmp_path / "deep" / "escape.txt").exists()
    assert not (tmp_path / "abs").exists()


def test_get_job_unpacks_a_snapshot(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "main.py").write_text("print(1)\n")
    snap = build_snapshot(source, limit_bytes=None, temp_dir=tmp_path)
    assert unpack_snapshot(snap.path, tmp_path / "out") == 1
    assert (tmp_path / "out" / "main.py").read_text() == "print(1)\n"
