"""Recurring jobs through the real app: created from a submission's body, listed and read
with their next run time, paused, resumed, changed and deleted; bad cron expressions and
time zones refused at create; viewers read, editors write, each change audited; and a run
fired by the server's ``Recurring`` is a queued job of the project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from atlas.cron import next_after
from atlas.domain import Role
from atlas.scheduler.recurring import Recurring
from tests.server.auth_fixtures import (
    add_user,
    auth_client,
    bearer,
    mint_token,
    store_of,
    team_db_url,
)
from tests.server.conftest import API, TestClient, assert_error

__all__ = ["team_db_url"]  # the fixture, imported for pytest

JOB = {"project": "vision", "command": ["python", "train.py"], "env": "none", "priority": 3}
SCHEDULES = f"{API}/projects/vision/schedules"


def _create(client: TestClient, **body: Any) -> dict[str, Any]:
    made = client.post(SCHEDULES, json={"cron": "0 3 * * *", "job": JOB, **body})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def project(client: TestClient) -> None:
    assert client.post(f"{API}/projects", json={"name": "vision"}).status_code == 201


@pytest.mark.usefixtures("project")
def test_a_schedule_is_created_listed_paused_resumed_and_deleted(client: TestClient) -> None:
    before = datetime.now(UTC)
    made = _create(client, name="nightly", timezone="Europe/Paris")
    assert (made["name"], made["cron"], made["timezone"], made["paused"]) == (
        "nightly",
        "0 3 * * *",
        "Europe/Paris",
        False,
    )
    expected = next_after("0 3 * * *", before, "Europe/Paris")
    assert _time(made["next_run_at"]) == expected
    assert (made["last_slot"], made["last_job_id"]) == (None, None)
    assert (made["last_error"], made["last_error_at"]) == (None, None)
    assert made["job"]["command"] == "python train.py"
    assert made["job"]["env_mode"] == "none"
    assert made["job"]["priority"] == 3
    url = f"{API}/schedules/{made['id']}"
    assert client.get(SCHEDULES).json()["items"] == [made]
    assert client.get(url).json() == made
    paused = client.patch(url, json={"paused": True}).json()
    assert (paused["paused"], paused["next_run_at"]) == (True, None)
    resumed = client.patch(url, json={"paused": False, "cron": "@hourly"}).json()
    assert resumed["paused"] is False
    next_run = _time(resumed["next_run_at"])
    assert next_run is not None
    assert next_run - datetime.now(UTC) <= timedelta(hours=1)
    assert next_run.minute == 0
    assert client.delete(url).status_code == 204
    assert_error(client.get(url), 404, "not_found")
    assert client.get(SCHEDULES).json()["items"] == []


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": "0 0 31 4 *"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "@reboot"}, "cron"),
        ({"cron": "* * * *"}, "cron"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"job": {**JOB, "project": "other"}}, "job.project"),
    ],
)
def test_bad_schedules_are_refused_at_create(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post(SCHEDULES, json={"cron": "0 3 * * *", "job": JOB, **body})
    error = assert_error(answer, 422, "invalid_input")
    assert error["detail"]["errors"][0]["field"] == field  # type: ignore[index]
    assert client.get(SCHEDULES).json()["items"] == []


@pytest.mark.usefixtures("project")
def test_other_refusals(client: TestClient) -> None:
    made = _create(client)
    url = f"{API}/schedules/{made['id']}"
    assert_error(client.patch(url, json={"cron": "0 0 30 2 *"}), 422, "invalid_input")
    assert client.get(url).json() == made  # unchanged
    assert_error(client.get(f"{API}/schedules/0123456789abcdef"), 404, "not_found")
    assert_error(client.get(f"{API}/schedules/nope"), 404, "not_found")
    assert_error(client.get(f"{API}/projects/nowhere/schedules"), 404, "not_found")
    big = {**JOB, "resources": {"cpus": 100000}}
    answer = client.post(SCHEDULES, json={"cron": "@daily", "job": big})
    assert_error(answer, 422, "resource_unavailable")
    missing = {**JOB, "snapshot": "0" * 64}
    assert_error(client.post(SCHEDULES, json={"cron": "@daily", "job": missing}), 404, "not_found")


@pytest.mark.usefixtures("project")
def test_the_servers_recurring_fires_a_queued_job(client: TestClient) -> None:
    made = _create(client, name="nightly")
    recurring: Recurring = client.app.state.recurring  # type: ignore[attr-defined]
    slot = _time(made["next_run_at"])
    assert slot is not None
    (job_id,) = recurring.tick(slot)
    job = client.get(f"{API}/jobs/{job_id}").json()
    assert (job["project"], job["name"], job["kind"]) == ("vision", "nightly", "scheduled")
    assert job["status"] in {"queued", "starting", "running", "failed"}  # the scheduler runs it
    assert job["tags"] == {"schedule": made["id"]}
    after = client.get(f"{API}/schedules/{made['id']}").json()
    assert (_time(after["last_slot"]), after["last_job_id"]) == (slot, job_id)
    assert recurring.tick(slot) == []


def test_a_viewer_reads_schedules_and_an_editor_writes_them(
    tmp_path: Path, team_db_url: str
) -> None:
    with auth_client(tmp_path / "home", team_db_url) as client:
        store = store_of(client)
        for name in ("owner", "editor", "viewer", "outsider"):
            add_user(store, name)
        store.create_project("vision", owner="owner")
        store.set_member("vision", "editor", Role.EDITOR)
        store.set_member("vision", "viewer", Role.VIEWER)
        editor, viewer = bearer(mint_token(store, "editor")), bearer(mint_token(store, "viewer"))
        body = {"cron": "0 3 * * *", "job": JOB}
        made = client.post(SCHEDULES, json=body, headers=editor)
        assert made.status_code == 201, made.text
        schedule = made.json()
        assert (schedule["created_by"], schedule["job"]["user"]) == ("editor", "editor")
        url = f"{API}/schedules/{schedule['id']}"
        assert client.get(SCHEDULES, headers=viewer).json()["items"] == [schedule]
        assert client.get(url, headers=viewer).json() == schedule
        everywhere = f"{API}/schedules"  # the scheduler page: the projects one reads
        assert client.get(everywhere, headers=viewer).json()["items"] == [schedule]
        outsider = bearer(mint_token(store, "outsider"))
        assert client.get(everywhere, headers=outsider).json()["items"] == []
        assert_error(client.get(url, headers=outsider), 403, "permission_denied")
        refused = [
            client.post(SCHEDULES, json=body, headers=viewer),
            client.patch(url, json={"paused": True}, headers=viewer),
            client.delete(url, headers=viewer),
        ]
        for answer in refused:
            assert_error(answer, 403, "permission_denied")
        paused = client.patch(url, json={"paused": True}, headers=editor).json()
        assert paused["paused"] is True
        assert client.delete(url, headers=editor).status_code == 204
        actions = [entry.action for entry in store.list_audit()]
        assert "POST /projects/{name}/schedules" in actions
        assert "PATCH /schedules/{schedule_id}" in actions
        assert "DELETE /schedules/{schedule_id}" in actions


def test_a_run_of_a_maker_who_may_no_longer_submit_is_skipped_and_says_why(
    tmp_path: Path, team_db_url: str
) -> None:
    with auth_client(tmp_path / "home", team_db_url) as client:
        store = store_of(client)
        for name in ("owner", "editor"):
            add_user(store, name)
        store.create_project("vision", owner="owner")
        store.set_member("vision", "editor", Role.EDITOR)
        editor, owner = bearer(mint_token(store, "editor")), bearer(mint_token(store, "owner"))
        made = client.post(SCHEDULES, json={"cron": "0 3 * * *", "job": JOB}, headers=editor)
        assert made.status_code == 201, made.text
        url = f"{API}/schedules/{made.json()['id']}"
        slot = _time(made.json()["next_run_at"])
        assert slot is not None
        store.set_member("vision", "editor", Role.VIEWER)  # the maker loses the role
        recurring: Recurring = client.app.state.recurring  # type: ignore[attr-defined]
        assert recurring.tick(slot) == []
        after = client.get(url, headers=owner).json()
        assert (_time(after["last_slot"]), after["last_job_id"]) == (slot, None)
        assert after["last_error"] == (
            "its maker 'editor' is no longer an editor of project 'vision'"
        )
        assert _time(after["last_error_at"]) is not None
        assert store.list_queued() == []
