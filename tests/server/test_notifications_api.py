"""Notification rules and the delivery log through the real app, with its notifier thread
posting to a real local receiver: rules CRUD and their refusals, a job run by the scheduler
notified once with the right payload, a test message, and URLs hidden from viewers."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import Role
from atlas.settings import Settings
from tests.receiver import HANG, Receiver, receiver
from tests.server.auth_fixtures import add_user, auth_client, bearer, mint_token, store_of
from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for

DEADLINE_S = 20.0


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


@pytest.fixture
def api(tmp_path: Path, migrated_db: Path) -> Iterator[TestClient]:
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    settings: Settings = settings_for(home, cpus=2, public_url="https://atlas.example.com/")
    with make_client(settings) as client:
        yield client


def create_rule(
    api: TestClient, url: str, *events: str, kind: str = "webhook"
) -> dict[str, object]:
    body = {"events": list(events or ["failed"]), "kind": kind, "url": url}
    made = api.post(f"{API}/projects/vision/notifications", json=body)
    assert made.status_code == 201, made.text
    rule: dict[str, object] = made.json()
    return rule


def wait_log(api: TestClient, status: str, count: int = 1) -> list[dict[str, object]]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        items = api.get(f"{API}/projects/vision/notifications/deliveries").json()["items"]
        done = [item for item in items if item["status"] == status]
        if len(done) >= count:
            return done
        assert time.monotonic() < deadline, items
        time.sleep(0.05)


def test_rules_are_added_listed_changed_and_removed(api: TestClient, hooks: Receiver) -> None:
    api.post(f"{API}/projects", json={"name": "vision"})
    rule = create_rule(api, hooks.url(), "failed", "completed")
    assert rule["events"] == ["completed", "failed"]
    assert (rule["kind"], rule["url"], rule["url_hidden"], rule["enabled"]) == (
        "webhook",
        hooks.url(),
        False,
        True,
    )
    listed = api.get(f"{API}/projects/vision/notifications").json()["items"]
    assert [item["id"] for item in listed] == [rule["id"]]
    changed = api.patch(f"{API}/notifications/{rule['id']}", json={"enabled": False})
    assert changed.json()["enabled"] is False
    assert api.get(f"{API}/notifications/{rule['id']}").json()["enabled"] is False
    assert api.delete(f"{API}/notifications/{rule['id']}").status_code == 204
    assert_error(api.get(f"{API}/notifications/{rule['id']}"), 404, "not_found")
    assert_error(api.get(f"{API}/notifications/not-an-id"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["failed"], "kind": "webhook", "url": "file:///etc/passwd"}, "url"),
        ({"events": ["failed"], "kind": "webhook", "url": "http://"}, "url"),
        ({"events": ["failed"], "kind": "webhook", "url": "https://x/" + "a" * 2000}, "url"),
        ({"events": ["queued"], "kind": "webhook", "url": "https://x/"}, "events"),
        ({"events": [], "kind": "webhook", "url": "https://x/"}, "events"),
        ({"events": ["failed"], "kind": "email", "url": "https://x/"}, "kind"),
    ],
)
def test_bad_rules_are_refused_with_the_field(
    api: TestClient, body: dict[str, object], field: str
) -> None:
    api.post(f"{API}/projects", json={"name": "vision"})
    refused = api.post(f"{API}/projects/vision/notifications", json=body)
    error = assert_error(refused, 422, "invalid_input")
    fields = [p["field"] for p in error["detail"]["errors"]]  # type: ignore[index]
    assert any(field in str(f) for f in fields), error
    assert api.get(f"{API}/projects/vision/notifications").json()["items"] == []


def test_a_job_the_scheduler_runs_is_notified_once_with_its_outcome(
    api: TestClient, hooks: Receiver
) -> None:
    api.post(f"{API}/projects", json={"name": "vision"})
    create_rule(api, hooks.url(), "completed")
    submitted = api.post(
        f"{API}/submissions",
        json={"project": "vision", "env": "none", "command": [sys.executable, "-c", "pass"]},
    )
    assert submitted.status_code == 201, submitted.text
    job_id = submitted.json()["id"]
    (got,) = hooks.wait_for(1)
    job = got.body["job"]
    assert isinstance(job, dict)
    assert (got.body["event"], job["id"], job["status"], job["exit_code"]) == (
        "completed",
        job_id,
        "completed",
        0,
    )
    assert job["url"] == f"https://atlas.example.com/jobs/{job_id}"
    assert job["kind"] == "scheduled"
    assert job["duration_s"] >= 0
    (logged,) = wait_log(api, "delivered")
    assert (logged["job_id"], logged["event"], logged["attempts"]) == (job_id, "completed", 1)
    # A running event would have been enqueued with its status change, before this one.
    logged_events = api.get(f"{API}/projects/vision/notifications/deliveries").json()["items"]
    assert [item["event"] for item in logged_events] == ["completed"]  # running not asked for
    assert len(hooks.received) == 1


def test_a_hanging_receiver_delays_neither_the_scheduler_nor_other_rules(
    api: TestClient, hooks: Receiver
) -> None:
    api.post(f"{API}/projects", json={"name": "vision"})
    with receiver() as stuck:
        stuck.answer("/hook", *[HANG] * 20)
        create_rule(api, stuck.url(), "running", "completed")
        create_rule(api, hooks.url(), "completed")
        began = time.monotonic()
        ids = [
            api.post(
                f"{API}/submissions",
                json={"project": "vision", "env": "none", "command": [sys.executable, "-c", "1"]},
            ).json()["id"]
            for _ in range(3)
        ]
        got = hooks.wait_for(3)
        assert {r.body["job"]["id"] for r in got} == set(ids)  # type: ignore[index]
        assert time.monotonic() - began < 10  # not one 10 s receiver timeout was waited for
        for job_id in ids:
            assert api.get(f"{API}/jobs/{job_id}").json()["status"] == "completed"
        stuck.wait_for(1)
        assert len(stuck.received) <= 2  # two sends at most hang on it


def test_a_test_message_reaches_the_receiver_and_the_log(api: TestClient, hooks: Receiver) -> None:
    api.post(f"{API}/projects", json={"name": "vision"})
    rule = create_rule(api, hooks.url("/services/T/B/x"), kind="slack")
    answer = api.post(f"{API}/notifications/{rule['id']}/test")
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "pending"
    (got,) = hooks.wait_for(1)
    assert "A test notification from Atlas for project vision" in str(got.body["text"])
    (logged,) = wait_log(api, "delivered")
    assert (logged["event"], logged["rule_id"], logged["response_code"]) == (
        "test",
        rule["id"],
        200,
    )
    page = api.get(f"{API}/projects/vision/notifications/deliveries?limit=1&offset=1").json()
    assert (page["total"], page["items"]) == (1, [])


def test_viewers_read_rules_without_their_urls(tmp_path: Path, migrated_db: Path) -> None:
    import shutil

    shutil.copyfile(migrated_db, tmp_path / "team.db")
    with auth_client(tmp_path / "home", f"sqlite:///{tmp_path / 'team.db'}") as client:
        store = store_of(client)
        for name in ("owner", "viewer"):
            add_user(store, name)
        store.create_project("vision", owner="owner")
        store.set_member("vision", "viewer", Role.VIEWER)
        owner, viewer = bearer(mint_token(store, "owner")), bearer(mint_token(store, "viewer"))
        secret = "https://hooks.slack.com/services/T0/B0/very-secret"
        body = {"events": ["failed"], "kind": "slack", "url": secret}
        made = client.post(f"{API}/projects/vision/notifications", json=body, headers=owner)
        assert made.status_code == 201, made.text
        seen = client.get(f"{API}/projects/vision/notifications", headers=viewer).json()
        assert seen["items"][0]["url"] == "https://hooks.slack.com/…"
        assert seen["items"][0]["url_hidden"] is True
        one = client.get(f"{API}/notifications/{made.json()['id']}", headers=viewer).json()
        assert "very-secret" not in str(one)
        refused = client.post(f"{API}/notifications/{made.json()['id']}/test", headers=viewer)
        assert_error(refused, 403, "permission_denied")
        audit = [e.action for e in store.list_audit(limit=10)]
        assert "POST /projects/{name}/notifications" in audit


def test_a_team_server_refuses_to_post_to_its_own_network(
    tmp_path: Path, migrated_db: Path, hooks: Receiver
) -> None:
    import shutil

    shutil.copyfile(migrated_db, tmp_path / "team.db")
    with auth_client(tmp_path / "home", f"sqlite:///{tmp_path / 'team.db'}") as client:
        store = store_of(client)
        add_user(store, "owner")
        store.create_project("vision", owner="owner")
        owner = bearer(mint_token(store, "owner"))
        for host in ("127.0.0.1", "localhost"):
            body = {
                "events": ["failed"],
                "kind": "webhook",
                "url": hooks.url().replace("127.0.0.1", host),
            }
            made = client.post(f"{API}/projects/vision/notifications", json=body, headers=owner)
            assert made.status_code == 201, made.text  # the address is checked at each send
            sent = client.post(f"{API}/notifications/{made.json()['id']}/test", headers=owner)
            assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + DEADLINE_S
        while True:
            log = client.get(f"{API}/projects/vision/notifications/deliveries", headers=owner)
            items = log.json()["items"]
            if [item["status"] for item in items] == ["failed", "failed"]:
                break
            assert time.monotonic() < deadline, items
            time.sleep(0.05)
        assert all("a loopback address" in item["error"] for item in items), items
        assert all(item["response_code"] is None for item in items)
    assert hooks.received == []
