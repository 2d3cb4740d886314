"""`atlas notify` against a real `atlas server` and a real local receiver: a rule added,
listed, tested, turned off and removed; a job's end notified and shown in the log; bad
statuses refused with the list; old Atlas's FOUNDATIONS_SLACK_TOKEN posting to a job's
channel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import JobKind, JobStatus
from atlas.notifications import NOTIFICATION_CHANNEL_TAG
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke, running_server
from tests.receiver import Receiver, receiver


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def test_add_list_test_disable_and_remove_a_rule(
    atlas: Invoke, atlas_server: str, project_name: str, hooks: Receiver
) -> None:
    with Client(atlas_server) as client:
        client.create_project(project_name)
    added = atlas("notify", "add", "-p", project_name, "--on", "failed,completed",
                  "--webhook", hooks.url())  # fmt: skip
    assert added.exit_code == 0, added.output
    rule_id = added.stdout.strip()
    assert f"Added a webhook rule to project {project_name!r} on completed, failed." in (
        added.stderr
    )
    listed = atlas("notify", "ls", "-p", project_name)
    assert listed.exit_code == 0, listed.output
    header, row = listed.stdout.splitlines()
    assert header.split() == ["ID", "PROJECT", "ON", "KIND", "URL", "ENABLED"]
    assert row.split()[:4] == [rule_id, project_name, "completed,failed", "webhook"]
    assert row.split()[-1] == "yes"
    assert rule_id in atlas("notify", "ls").stdout  # every project's

    tested = atlas("notify", "test", rule_id)
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.strip() == "Delivered (HTTP 200)."
    (got,) = hooks.wait_for(1)
    assert got.body["event"] == "test"

    hooks.answer("/hook", 404, body="no_service")
    refused = atlas("notify", "test", rule_id)
    assert refused.exit_code == 1
    assert "the receiver did not accept the test message: HTTP 404" in refused.stderr

    assert atlas("notify", "disable", rule_id).exit_code == 0
    as_json = json.loads(atlas("notify", "ls", "-p", project_name, "--json").stdout)
    assert as_json["items"][0]["enabled"] is False
    assert atlas("notify", "enable", rule_id).exit_code == 0
    assert atlas("notify", "rm", rule_id).exit_code == 0
    assert atlas("notify", "ls", "-p", project_name).stderr.startswith("No notification rules")
    gone = atlas("notify", "rm", rule_id)
    assert gone.exit_code == 1
    assert "not found" in gone.stderr


def test_a_job_end_is_notified_and_logged(
    atlas: Invoke, atlas_server: str, project_name: str, hooks: Receiver
) -> None:
    with Client(atlas_server) as client:
        client.create_project(project_name)
        assert atlas("notify", "add", "-p", project_name, "--slack", hooks.url()).exit_code == 0
        job = client.create_job(project_name, kind=JobKind.LOCAL)
        client.update_job(job.id, status=JobStatus.FAILED, exit_code=1)
    (got,) = hooks.wait_for(1)
    assert got.body["text"] == f":x: Job {job.id} in {project_name} failed"
    deadline = time.monotonic() + 20
    while "delivered" not in (log := atlas("notify", "log", "-p", project_name)).stdout:
        assert time.monotonic() < deadline, log.output
        time.sleep(0.1)
    header, row = log.stdout.splitlines()
    assert header.split()[:6] == ["ID", "TIME", "JOB", "EVENT", "STATUS", "TRIES"]
    assert [job.id, "failed", "delivered", "1"] == row.split()[3:7]
    assert "HTTP 200" in row
    data = json.loads(atlas("notify", "log", "-p", project_name, "--json").stdout)
    assert data["items"][0]["payload"]["job"]["id"] == job.id


@pytest.mark.parametrize("on", ["queued", "failed,done", ""])
def test_statuses_a_rule_cannot_follow_are_refused_with_the_list(
    atlas: Invoke, project_name: str, on: str
) -> None:
    refused = atlas("notify", "add", "-p", project_name, "--on", on, "--webhook", "http://x/")
    assert refused.exit_code == 2
    assert "use running, completed, failed, cancelled, lost" in refused.stderr


def test_a_rule_needs_exactly_one_target(atlas: Invoke, project_name: str) -> None:
    neither = atlas("notify", "add", "-p", project_name)
    assert neither.exit_code == 2
    assert "give one of --webhook URL or --slack URL" in neither.stderr
    refused = atlas("notify", "add", "-p", project_name, "--webhook", "ftp://example.com/")
    assert refused.exit_code == 1
    assert "http:// or https://" in refused.stderr


def test_old_atlas_slack_token_posts_to_the_channel_a_job_names(
    tmp_path: Path, hooks: Receiver
) -> None:
    hooks.answer("/api/chat.postMessage", 200, body={"ok": True})
    env = {"FOUNDATIONS_SLACK_TOKEN": "xoxb-old", "ATLAS_SLACK_API_URL": hooks.url("/api")}
    with running_server(tmp_path / "home", env=env) as server, Client(server.url) as client:
        job = client.create_job(
            "legacy", kind=JobKind.LOCAL, tags={NOTIFICATION_CHANNEL_TAG: "spamity"}
        )
        (post,) = hooks.wait_for(1, path="/api/chat.postMessage")
    assert post.headers["authorization"] == "Bearer xoxb-old"
    assert post.body["channel"] == "spamity"
    assert post.body["text"] == f":arrow_forward: Job {job.id} in legacy running"


def test_old_job_config_channel_becomes_the_jobs_channel_tag(tmp_path: Path) -> None:
    from atlas.cli.submit import SubmitFlags, build_submission
    from atlas.settings import Settings

    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "main.py").write_text("print('hi')\n")
    (folder / "job.config.yaml").write_text(
        "project_name: legacy\njob_notification_channel: spamity\n"
    )
    submission = build_submission(folder, ["main.py"], SubmitFlags(), Settings())
    assert submission.tags[NOTIFICATION_CHANNEL_TAG] == "spamity"
    flags = SubmitFlags(tag=(f"{NOTIFICATION_CHANNEL_TAG}=other",))
    assert build_submission(folder, ["main.py"], flags, Settings()).tags == {
        NOTIFICATION_CHANNEL_TAG: "other"  # --tag wins over the file
    }
