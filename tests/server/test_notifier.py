"""The notifier against a real HTTP receiver, stepped by ``tick(now)``: what a webhook and a
Slack receiver get, retries of a receiver that fails, a receiver that hangs holding nobody
else up, deliveries left by a stopped or crashed server sent by the next, and old Atlas's
Slack token path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.notifications import NOTIFICATION_CHANNEL_TAG, Delivery, DeliveryStatus
from atlas.server.notifier import BACKOFF_S, CLAIM_S, MAX_ATTEMPTS, Notifier, SlackApi
from atlas.store.sql_store import SqlStore
from tests.receiver import HANG, Receiver, receiver

BASE = "https://atlas.example.com"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[SqlStore]:
    opened = SqlStore(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


@pytest.fixture
def notifier(store: SqlStore) -> Iterator[Notifier]:
    made = Notifier(store, base_url=BASE, allow_private=True, slack=SlackApi(None))
    yield made
    made.stop()


def add_rule(
    store: SqlStore, url: str, *, kind: str = "webhook", events: tuple[str, ...] = ("failed",)
) -> str:
    store.ensure_project("vision")
    return store.create_notification_rule(
        "vision", events=list(events), kind=kind, url=url, user="ada"
    ).id


def failed_job(store: SqlStore, **tags: str) -> str:
    job = store.create_job(
        JobSpec(project="vision", kind=JobKind.LOCAL, user="ada", name="resnet", tags=tags)
    )
    store.update_job(job.id, status=JobStatus.FAILED, exit_code=2)
    return job.id


def wait_until_delivered(store: SqlStore, count: int, timeout: float = 20.0) -> None:
    """Wait until ``count`` deliveries of project vision are recorded as delivered."""
    deadline = time.monotonic() + timeout
    while True:
        items = store.list_deliveries("vision", limit=100).items
        if sum(d.status == DeliveryStatus.DELIVERED for d in items) >= count:
            return
        assert time.monotonic() < deadline, items
        time.sleep(0.02)


def step(notifier: Notifier, now: float) -> int:
    started = notifier.tick(now)
    notifier.drain()
    return started


def only_delivery(store: SqlStore) -> Delivery:
    (found,) = [d for d in store.list_deliveries("vision").items if d.event != "running"]
    return found


def test_a_webhook_gets_the_job_event_as_json(
    store: SqlStore, hooks: Receiver, notifier: Notifier
) -> None:
    add_rule(store, hooks.url())
    job_id = failed_job(store)
    assert step(notifier, time.time()) == 1
    (got,) = hooks.wait_for(1)
    body = got.body
    assert (body["event"], body["project"]) == ("failed", "vision")
    job = body["job"]
    assert isinstance(job, dict)
    assert job["id"] == job_id
    assert (job["name"], job["user"], job["status"], job["exit_code"]) == (
        "resnet",
        "ada",
        "failed",
        2,
    )
    assert job["url"] == f"{BASE}/jobs/{job_id}"
    assert isinstance(job["duration_s"], float)
    assert "path" not in job
    assert datetime.fromisoformat(str(body["sent_at"])).tzinfo is not None
    assert got.headers["content-type"] == "application/json"
    done = store.list_deliveries("vision").items[0]
    assert (done.status, done.attempts, done.response_code) == (DeliveryStatus.DELIVERED, 1, 200)


def test_a_failing_receiver_is_tried_again_later_and_the_log_keeps_each_attempt(
    store: SqlStore, hooks: Receiver, notifier: Notifier
) -> None:
    add_rule(store, hooks.url())
    failed_job(store)
    hooks.answer("/hook", 500, body={"oops": "down"})
    now = time.time()
    step(notifier, now)
    first = only_delivery(store)
    assert (first.status, first.attempts, first.response_code) == (DeliveryStatus.PENDING, 1, 500)
    assert "HTTP 500: {" in str(first.error)
    assert "down" in str(first.error)
    assert step(notifier, now + 1) == 0  # not due before its backoff
    assert step(notifier, now + BACKOFF_S[0] + 1) == 1
    second = only_delivery(store)
    assert (second.status, second.attempts, second.response_code, second.error) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
        None,
    )
    assert len(hooks.wait_for(2)) == 2


def test_a_receiver_that_never_accepts_is_given_up_after_the_last_attempt(
    store: SqlStore, hooks: Receiver, notifier: Notifier
) -> None:
    add_rule(store, hooks.url())
    failed_job(store)
    hooks.answer("/hook", *[503] * MAX_ATTEMPTS)
    now = time.time()
    step(notifier, now)
    for delay in BACKOFF_S:
        now += delay + 1
        assert step(notifier, now) == 1
    gone = only_delivery(store)
    assert (gone.status, gone.attempts, gone.next_attempt_at) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        None,
    )
    assert step(notifier, now + 3600) == 0


def test_a_hanging_receiver_holds_up_neither_other_receivers_nor_status_changes(
    store: SqlStore, notifier: Notifier
) -> None:
    with receiver() as slow, receiver() as fast:
        slow_rule = add_rule(store, slow.url("/slow"))
        add_rule(store, fast.url("/fast"))
        slow.answer("/slow", *[HANG] * 10)
        notifier.start()  # the server's thread, woken by each enqueue
        for _ in range(5):
            began = time.monotonic()
            failed_job(store)  # a status change (what the scheduler writes) is not held up
            assert time.monotonic() - began < 1
        assert len(fast.wait_for(5, timeout=10)) == 5
        assert len(slow.wait_for(2)) == 2
        wait_until_delivered(store, 5)
        # At most two sends of one rule at once: its other three are not even claimed,
        # and nothing is left that a step could start.
        now = datetime.now(UTC)
        slow_log = store.list_deliveries("vision", rule_id=slow_rule).items
        claimed = [d for d in slow_log if d.next_attempt_at and d.next_attempt_at > now]
        assert (len(slow_log), len(claimed)) == (5, 2)
        assert notifier.tick(time.time()) == 0
    notifier.drain()  # the slow receiver closed: its two sends end, recorded as failed
    notifier.stop()
    statuses = [d.status for d in store.list_deliveries("vision", limit=100).items]
    assert statuses.count(DeliveryStatus.DELIVERED) == 5
    assert statuses.count(DeliveryStatus.PENDING) == 5  # the slow ones: sent again later


def test_deliveries_left_by_a_stopped_or_crashed_server_are_sent_by_the_next(
    sqlite_url: str, hooks: Receiver
) -> None:
    first = SqlStore(sqlite_url)
    add_rule(first, hooks.url())
    waiting, claimed = failed_job(first), failed_job(first)
    now = datetime.now(UTC)
    crashed = first.claim_deliveries(
        now, until=now + timedelta(seconds=CLAIM_S), limit=1, per_target=1
    )
    assert len(crashed) == 1  # claimed by a server that died before sending
    first.close()
    second = SqlStore(sqlite_url)  # the next server on the same database
    notifier = Notifier(second, base_url=BASE, allow_private=True)
    try:
        step(notifier, time.time())
        step(notifier, time.time() + CLAIM_S + 1)  # the dead server's claim has run out
    finally:
        notifier.stop()
        second.close()
    sent = {r.body["job"]["id"] for r in hooks.wait_for(2)}  # type: ignore[index]
    assert sent == {waiting, claimed}


def test_a_slack_incoming_webhook_gets_text_and_blocks(
    store: SqlStore, hooks: Receiver, notifier: Notifier
) -> None:
    add_rule(store, hooks.url("/services/T0/B0/x"), kind="slack")
    job_id = failed_job(store)
    step(notifier, time.time())
    (got,) = hooks.wait_for(1)
    text, blocks = got.body["text"], got.body["blocks"]
    assert text == ":x: Job resnet in vision failed"
    assert isinstance(blocks, list)
    assert f"<{BASE}/jobs/{job_id}|resnet>" in blocks[0]["text"]["text"]
    assert "exit code: 2" in blocks[1]["elements"][0]["text"]
    assert "user: ada" in blocks[1]["elements"][0]["text"]


def test_old_atlas_slack_token_posts_to_the_jobs_channel(store: SqlStore, hooks: Receiver) -> None:
    hooks.answer("/api/chat.postMessage", 200, 200, body={"ok": True})
    # The server's own Slack API URL is the admin's: never refused as a private host.
    notifier = Notifier(store, base_url=BASE, slack=SlackApi("xoxb-test", hooks.url("/api")))
    try:
        store.ensure_project("vision")
        failed_job(store, **{NOTIFICATION_CHANNEL_TAG: "ml-runs"})
        step(notifier, time.time())
    finally:
        notifier.stop()
    posts = hooks.wait_for(2, path="/api/chat.postMessage")
    assert {p.body["channel"] for p in posts} == {"ml-runs"}
    assert {p.headers["authorization"] for p in posts} == {"Bearer xoxb-test"}
    assert sorted(str(p.body["text"]) for p in posts) == [
        ":arrow_forward: Job resnet in vision running",
        ":x: Job resnet in vision failed",
    ]


def test_slack_refusals_and_a_missing_token_are_in_the_log(
    store: SqlStore, hooks: Receiver
) -> None:
    hooks.answer(
        "/api/chat.postMessage", 200, 200, body={"ok": False, "error": "channel_not_found"}
    )
    with_token = Notifier(
        store, base_url=BASE, allow_private=True, slack=SlackApi("xoxb-test", hooks.url("/api"))
    )
    store.ensure_project("vision")
    failed_job(store, **{NOTIFICATION_CHANNEL_TAG: "nope"})
    try:
        step(with_token, time.time())
    finally:
        with_token.stop()
    refused = only_delivery(store)
    assert refused.status == DeliveryStatus.PENDING
    assert "channel_not_found" in str(refused.error)
    without = Notifier(store, base_url=BASE, allow_private=True)
    try:
        step(without, time.time() + BACKOFF_S[0] + 1)
    finally:
        without.stop()
    given_up = only_delivery(store)
    assert given_up.status == DeliveryStatus.FAILED
    assert "slack_token" in str(given_up.error)


def test_a_rule_turned_off_before_the_send_is_not_sent(
    store: SqlStore, hooks: Receiver, notifier: Notifier
) -> None:
    rule_id = add_rule(store, hooks.url())
    failed_job(store)
    store.update_notification_rule(rule_id, enabled=False)
    step(notifier, time.time())
    off = only_delivery(store)
    assert off.status == DeliveryStatus.FAILED
    assert "turned off" in str(off.error)
    assert hooks.received == []


def test_an_unreachable_receiver_is_logged_without_its_url(
    store: SqlStore, notifier: Notifier, tmp_path: Path
) -> None:
    add_rule(store, "http://127.0.0.1:9/secret-key")  # the discard port: refused
    failed_job(store)
    step(notifier, time.time())
    failed = only_delivery(store)
    assert failed.status == DeliveryStatus.PENDING
    assert failed.error
    assert "secret-key" not in failed.error


def test_two_servers_on_one_database_send_each_notification_once(
    sqlite_url: str, hooks: Receiver
) -> None:
    stores = [SqlStore(sqlite_url), SqlStore(sqlite_url)]
    add_rule(stores[0], hooks.url())
    sent = {failed_job(stores[0]) for _ in range(6)}
    notifiers = [Notifier(store, base_url=BASE, allow_private=True) for store in stores]
    try:
        for notifier in notifiers:
            notifier.start()  # both poll the same outbox
        got = hooks.wait_for(6)
        wait_until_delivered(stores[0], 6)
        for notifier in notifiers:  # a second send would have been claimed before the
            notifier.drain()  # first was recorded: it has been posted, or is awaited here
    finally:
        for notifier in notifiers:
            notifier.stop()
        for store in stores:
            store.close()
    assert sorted(r.body["job"]["id"] for r in got) == sorted(sent)  # type: ignore[index]
    assert len(hooks.received) == 6
