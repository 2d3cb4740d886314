"""`atlas schedule`: a recurring job created from a folder and a command (with `atlas
submit`'s options and snapshot upload), listed with its next run, paused, resumed and
deleted against a real `atlas server`; a cron expression that is wrong or never fires is
refused before anything is sent."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.formats import format_time
from atlas.cli.main import cli
from atlas.cli.schedule import schedule_json, schedules_table
from atlas.domain import FINAL_STATUSES, JobKind, JobSpec, JobStatus
from atlas.schedules import Schedule
from atlas.sdk.client import Client
from atlas.settings import Settings
from atlas.store.sql_store import SqlStore
from tests.cli.conftest import Invoke, running_server

DEADLINE_S = 60.0


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
    job = schedule.spec
    assert (job.command, job.params, job.name, job.env_mode) == (
        "python train.py",
        {"lr": 0.1},
        "nightly",
        "none",
    )
    assert isinstance(job.snapshot, str)
    assert len(job.snapshot) == 64  # the folder was uploaded once, for every run
    next_run = schedule.next_run_at
    assert next_run is not None
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
    assert header.split()[9:11] == ["LAST", "ERROR"]

    paused = atlas("schedule", "pause", schedule_id)
    assert paused.exit_code == 0, paused.output
    as_json = json.loads(atlas("schedule", "ls", "-p", project_name, "--json").stdout)
    assert [(s["id"], s["paused"], s["next_run_at"]) for s in as_json["items"]] == [
        (schedule_id, True, None)
    ]
    with Client(atlas_server) as client:  # the server's own JSON, field for field
        assert as_json == client._connection.json("GET", f"/projects/{project_name}/schedules")
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


def test_a_restarted_server_fires_one_catch_up_run_of_a_missed_slot(tmp_path: Path) -> None:
    """The schedule is kept in the database: a server that was down over its slots (its next
    run moved into the past while none ran) fires one run when it is back, which the
    scheduler runs to its end, and the next run is after now again."""
    home = tmp_path / "server-home"
    code = _folder()
    with running_server(home) as server:
        made = CliRunner().invoke(
            cli,
            ["--url", server.url, "schedule", "create", "--cron", "*/5 * * * *", "-p", "cron",
             "--env", "none", str(code), "python", "train.py"],
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        schedule_id = made.stdout.strip()
    store = SqlStore(Settings(home=str(home)).resolved_db_url)
    try:  # the server was down over two days of slots
        store.update_schedule(schedule_id, next_run_at=datetime.now(UTC) - timedelta(days=2))
    finally:
        store.close()
    with running_server(home) as server, Client(server.url) as client:
        deadline = time.monotonic() + DEADLINE_S
        while (job_id := client.get_schedule(schedule_id).last_job_id) is None:
            assert time.monotonic() < deadline, "the missed slot never fired"
            time.sleep(0.1)
        assert isinstance(job_id, str)
        while (job := client.get_job(job_id)).status not in FINAL_STATUSES:
            assert time.monotonic() < deadline, f"job {job_id} never ended"
            time.sleep(0.1)
        assert (job.status, job.tags) == (JobStatus.COMPLETED, {"schedule": schedule_id})
        assert b"trained" in client.read_log(job_id).data
        after = client.get_schedule(schedule_id)
        next_run = after.next_run_at
        assert next_run is not None
        assert datetime.now(UTC) < next_run <= datetime.now(UTC) + timedelta(minutes=5)
        runs = client.list_jobs("cron", filter=f'tags.schedule = "{schedule_id}"')
        assert [j.id for j in runs.items] == [job_id]  # one catch-up run, not one per slot


def test_ls_shows_why_the_latest_slot_submitted_no_job() -> None:
    spec = JobSpec(project="vision", kind=JobKind.SCHEDULED, command="python train.py")
    at = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    skipped = Schedule(
        id="0123456789abcdef",
        project="vision",
        name="nightly",
        cron="0 3 * * *",
        timezone="UTC",
        spec=spec,
        created_by="ada",
        paused=False,
        next_run_at=at + timedelta(days=1),
        last_slot=at,
        last_job_id=None,
        created_at=at,
        updated_at=at,
        last_error="snapshot 'abc' not found",
        last_error_at=at,
    )
    table = schedules_table([skipped], width=200)
    assert f"{format_time(at)}: snapshot 'abc' not found" in table
    assert schedule_json(skipped)["last_error"] == "snapshot 'abc' not found"
