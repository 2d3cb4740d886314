"""What the notifier refuses and cuts short, against a real local receiver: rule URLs that
lead to loopback, link-local or private addresses (``notify_private_hosts``), a receiver
that trickles its answer past the send's deadline, the delivery log's old rows deleted after
``notify_log_days``, and an error message that would break Slack's code block."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.errors import InvalidInputError
from atlas.notifications import (
    Delivery,
    DeliveryStatus,
    NotifyTarget,
    check_events,
    refused_address,
)
from atlas.server.notifier import Notifier
from atlas.server.notifier_messages import slack_message
from atlas.settings import Settings
from atlas.store.sql_store import SqlStore
from tests.receiver import TRICKLE, Receiver, receiver

BASE = "https://atlas.example.com"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[SqlStore]:
    opened = SqlStore(sqlite_url)
    opened.ensure_project("vision")
    yield opened
    opened.close()


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def add_rule(store: SqlStore, url: str) -> None:
    store.create_notification_rule("vision", events=["failed"], kind="webhook", url=url, user="ada")


def failed_job(store: SqlStore) -> None:
    job = store.create_job(JobSpec(project="vision", kind=JobKind.LOCAL, user="ada"))
    store.update_job(job.id, status=JobStatus.FAILED, exit_code=1)


def send_all(notifier: Notifier, now: float) -> list[Delivery]:
    try:
        notifier.tick(now)
        notifier.drain()
    finally:
        notifier.stop()
    return notifier.store.list_deliveries("vision").items


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.7", "a private address"),
        ("172.16.0.1", "a private address"),
        ("fd00::5", "a private address"),
        ("100.64.0.1", "a private address"),
        ("0.0.0.0", "an unspecified address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("224.0.0.1", "a multicast address"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_addresses_a_rule_may_not_reach_are_named_by_kind(address: str, kind: str | None) -> None:
    assert refused_address(address) == kind


@pytest.mark.parametrize(
    ("host", "auth", "setting", "allowed"),
    [
        ("127.0.0.1", "auto", "auto", True),  # one person's server: a local receiver is fine
        ("0.0.0.0", "auto", "auto", False),  # a team server
        ("127.0.0.1", "on", "auto", False),
        ("0.0.0.0", "on", "allow", True),
        ("127.0.0.1", "off", "refuse", False),
    ],
)
def test_private_hosts_are_allowed_only_where_the_setting_says(
    host: str, auth: str, setting: str, allowed: bool
) -> None:
    settings = Settings(host=host, auth=auth, notify_private_hosts=setting)
    assert settings.notify_private_allowed is allowed


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_rule_leading_to_a_private_address_is_refused_without_a_post(
    store: SqlStore, hooks: Receiver, host: str
) -> None:
    add_rule(store, hooks.url().replace("127.0.0.1", host))
    failed_job(store)
    (refused,) = send_all(Notifier(store, base_url=BASE), time.time())
    assert (refused.status, refused.attempts) == (DeliveryStatus.FAILED, 1)  # never retried
    assert "loopback address" in str(refused.error)
    assert "notify_private_hosts" in str(refused.error)
    assert hooks.received == []


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_send_deadline(
    store: SqlStore, hooks: Receiver
) -> None:
    hooks.answer("/hook", TRICKLE)
    add_rule(store, hooks.url())
    failed_job(store)
    notifier = Notifier(store, base_url=BASE, allow_private=True, deadline_s=1.0)
    began = time.monotonic()
    (cut,) = send_all(notifier, time.time())
    assert time.monotonic() - began < 5  # each byte came well within the read timeout
    assert cut.status == DeliveryStatus.PENDING  # tried again later
    assert cut.error == "no whole answer within 1 s"


def test_ended_deliveries_older_than_the_log_keeps_are_deleted(
    store: SqlStore, hooks: Receiver
) -> None:
    hooks.answer("/hook", 500)  # then 200
    add_rule(store, hooks.url())
    failed_job(store)
    failed_job(store)
    notifier = Notifier(store, base_url=BASE, allow_private=True, keep_days=30)
    sent = send_all(notifier, time.time())
    assert sorted(d.status for d in sent) == [DeliveryStatus.DELIVERED, DeliveryStatus.PENDING]
    later = time.time() + timedelta(days=31).total_seconds()
    assert notifier.prune(time.time()) == 0  # nothing is old yet
    assert notifier.prune(later) == 1  # the delivered one; the pending one stays
    (kept,) = store.list_deliveries("vision").items
    assert kept.status == DeliveryStatus.PENDING
    assert Notifier(store, base_url=BASE, keep_days=0).prune(later + 1e9) == 0  # kept forever


def test_an_error_with_backticks_stays_inside_its_slack_code_block() -> None:
    job = {"id": "j1", "name": "resnet", "error": {"type": "E", "message": "``` *bold* ```"}}
    delivery = Delivery(
        id="d1",
        project="vision",
        rule_id="r1",
        job_id="j1",
        event="failed",
        kind=NotifyTarget.SLACK,
        payload={"project": "vision", "job": job},
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=datetime.now(UTC),
    )
    blocks = slack_message(delivery, base_url=BASE)["blocks"]
    code = blocks[-1]["text"]["text"]  # type: ignore[index]
    assert code.startswith("```")
    assert code.endswith("```")
    assert "`" not in code[3:-3]


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["queued"], "'queued': not a job status a rule can follow"),
        ([], "a rule needs at least one event"),
        ([3], "3: not a job status"),
    ],
)
def test_events_are_checked_by_one_rule(given: list[object], said: str) -> None:
    with pytest.raises(InvalidInputError, match=said):
        check_events(given)
    assert check_events(["lost", "failed", "failed"]) == (JobStatus.FAILED, JobStatus.LOST)
