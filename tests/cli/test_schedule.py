"""`atlas schedule`: a recurring job created from a folder and a command (with `atlas
submit`'s options and snapshot upload), listed with its next run, paused, resumed and
deleted against a real `atlas server`; a cron expression that is wrong or never fires is
refused before anything is sent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke


def _folder() -> Path:
    code = Path("code")
    code.mkdir()
    (code / "train.py").write_text("print('trained')\n")
    return code


def test_create_list_pause_resume_delete(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    code = _folder()
    made = atlas(
        "schedule", "create", "--cron", "0 3 * * *", "--tz", "Europe/Paris",
        "-p", project_name, "--name", "nightly", "--gpus", "0", "--param", "lr=0.1",
        "--env", "none", str(code), "python", "train.py",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    schedule_id = made.stdout.strip()
    assert f"Created schedule {schedule_id} in project {project_name!r}: '0 3 * * *'" in (
        made.stderr
    )
    with Client(atlas_server) as client:
        schedule = client.get_schedule(schedule_id)
    job = schedule["job"]
    assert isinstance(job, dict)
    assert (job["command"], job["params"], job["name"]) == (
        "python train.py",
        {"lr": 0.1},
        "nightly",
    )
    assert isinstance(job["snapshot"], str)
    assert len(job["snapshot"]) == 64  # the folder was uploaded once, for every run
    next_run = datetime.fromisoformat(str(schedule["next_run_at"]))
    assert (
        next_run.astimezone().strftime("%Y-%m-%d %H:%M")
        in atlas("schedule", "ls", "-p", project_name).stdout
    )

    listed = atlas("schedule", "ls", "-p", project_name)
    assert listed.exit_code == 0, listed.output
    header, row = listed.stdout.splitlines()
    assert header.split()[:5] == ["ID", "NAME", "CRON", "TZ", "NEXT"]
    assert row.startswith(f"{schedule_id}  nightly")
    assert "0 3 * * *" in row
    assert "active" in row

    paused = atlas("schedule", "pause", schedule_id)
    assert paused.exit_code == 0, paused.output
    as_json = json.loads(atlas("schedule", "ls", "-p", project_name, "--json").stdout)
    assert [(s["id"], s["paused"], s["next_run_at"]) for s in as_json["items"]] == [
        (schedule_id, True, None)
    ]
    assert "- (paused)" in atlas("schedule", "ls", "-p", project_name).stdout

    resumed = atlas("schedule", "resume", schedule_id)
    assert resumed.exit_code == 0, resumed.output
    assert "next run 20" in resumed.stderr
    assert "active" in atlas("schedule", "ls", "-p", project_name).stdout

    deleted = atlas("schedule", "delete", schedule_id)
    assert deleted.exit_code == 0, deleted.output
    gone = atlas("schedule", "ls", "-p", project_name)
    assert gone.stdout == ""
    assert f"No recurring jobs in project {project_name!r}." in gone.stderr
    missing = atlas("schedule", "pause", schedule_id)
    assert missing.exit_code == 1
    assert "not found" in missing.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--cron", "0 0 30 2 *"], "never fires"),
        (["--cron", "61 * * * *"], "out of range 0-59"),
        (["--cron", "0 3 * * *", "--tz", "Mars/Olympus"], "unknown time zone"),
    ],
)
def test_bad_schedules_are_refused_before_anything_is_sent(args: list[str], words: str) -> None:
    _folder()
    result = CliRunner().invoke(
        cli, ["--url", "http://127.0.0.1:9", "schedule", "create", *args, "code", "train.py"]
    )
    assert result.exit_code == 1, result.output
    assert words in result.stderr
    assert result.stdout == ""
