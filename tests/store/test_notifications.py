"""Notification rules and the outbox, on SQLite and PostgreSQL: rules CRUD, and every way a
job's status changes enqueues its notifications in the same transaction (or none, when no
rule of its project asks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import (
    JobError,
    JobKind,
    JobSpec,
    JobStatus,
)
from atlas.errors import InvalidInputError, NotFoundError
from atlas.notifications import (
    MAX_NOTIFY_URL_LENGTH,
    NOTIFICATION_CHANNEL_TAG,
    DeliveryStatus,
    NotifyTarget,
)
from atlas.store.sql_store import SqlStore

URL = "https://hooks.example.com/services/T0/B0/secret"


def rule(store: SqlStore, events: list[str], *, project: str = "vision", url: str = URL) -> str:
    store.ensure_project(project)
    made = store.create_notification_rule(
        project, events=events, kind="webhook", url=url, user="ada"
    )
    return made.id


def events_of(store: SqlStore, project: str = "vision") -> list[tuple[str | None, str]]:
    page = store.list_deliveries(project, limit=100)
    return sorted((d.job_id, d.event) for d in page.items)


def test_rules_are_created_listed_changed_and_deleted(store: SqlStore) -> None:
    rule_id = rule(store, ["failed", "completed", "failed"])
    made = store.get_notification_rule(rule_id)
    assert made.events == (JobStatus.COMPLETED, JobStatus.FAILED)  # listed order, no repeat
    assert (made.project, made.kind, made.url, made.enabled) == (
        "vision",
        NotifyTarget.WEBHOOK,
        URL,
        True,
    )
    assert made.created_by == "ada"
    assert [r.id for r in store.list_notification_rules("vision")] == [rule_id]
    assert [r.id for r in store.list_notification_rules()] == [rule_id]
    off = store.update_notification_rule(rule_id, enabled=False, events=["lost"])
    assert (off.enabled, off.events) == (False, (JobStatus.LOST,))
    store.delete_notification_rule(rule_id)
    with pytest.raises(NotFoundError):
        store.get_notification_rule(rule_id)
    with pytest.raises(NotFoundError):
        store.delete_notification_rule(rule_id)


@pytest.mark.parametrize(
    ("events", "url", "kind", "field"),
    [
        (["queued"], URL, "webhook", "events"),
        ([], URL, "webhook", "events"),
        (["failed"], "ftp://example.com/x", "webhook", "url"),
        (["failed"], "javascript:alert(1)", "webhook", "url"),
        (["failed"], "https://" + "a" * MAX_NOTIFY_URL_LENGTH, "webhook", "url"),
        (["failed"], "https://exa mple.com/", "webhook", "url"),
        (["failed"], URL, "email", "kind"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(
    store: SqlStore, events: list[str], url: str, kind: str, field: str
) -> None:
    store.ensure_project("vision")
    with pytest.raises(InvalidInputError) as refused:
        store.create_notification_rule("vision", events=events, kind=kind, url=url, user="a")
    assert refused.value.detail["errors"][0]["field"] == field  # type: ignore[index]
    assert store.list_notification_rules("vision") == []


def test_a_rule_of_an_unknown_project_is_refused(store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        store.create_notification_rule("nope", events=["failed"], kind="slack", url=URL, user="a")


def test_status_changes_enqueue_what_the_rules_ask_for(store: SqlStore) -> None:
    rule(store, ["running", "failed"])
    rule(store, ["completed"])
    rule(store, ["failed"], project="other")  # another project's rule: not told
    local = store.create_job(JobSpec(project="vision", kind=JobKind.LOCAL, user="ada"))
    store.update_job(local.id, status=JobStatus.FAILED, exit_code=3)
    store.update_job(local.id, name="again")  # no status change: nothing
    assert events_of(store) == [(local.id, "failed"), (local.id, "running")]
    assert events_of(store, "other") == []
    failed = next(d for d in store.list_deliveries("vision").items if d.event == "failed")
    assert failed.status == DeliveryStatus.PENDING
    assert failed.attempts == 0
    job = failed.payload["job"]
    assert isinstance(job, dict)
    assert (job["id"], job["status"], job["exit_code"], job["user"]) == (
        local.id,
        "failed",
        3,
        "ada",
    )
    assert job["path"] == f"/jobs/{local.id}"
    assert isinstance(job["duration_s"], float)
    assert failed.payload["project"] == "vision"


def test_scheduler_moves_cancels_and_the_liveness_watcher_enqueue(store: SqlStore) -> None:
    rule(store, ["running", "cancelled", "lost", "completed"])
    spec = JobSpec(project="vision", kind=JobKind.SCHEDULED, command="true", user="bob")
    queued = [store.submit_job(spec).id for _ in range(3)]
    store.start_job(queued[0], resources={})
    store.set_status(queued[0], JobStatus.RUNNING)
    store.set_status(queued[0], JobStatus.COMPLETED, exit_code=0)
    cancelled = store.cancel_queued("vision")
    assert sorted(cancelled) == sorted(queued[1:])
    silent = store.create_job(JobSpec(project="vision", kind=JobKind.LOCAL))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert store.mark_silent_lost(before=later, error=JobError("Lost", "quiet")) == [silent.id]
    assert events_of(store) == sorted(
        [
            (queued[0], "running"),
            (queued[0], "completed"),
            *[(job_id, "cancelled") for job_id in queued[1:]],
            (silent.id, "running"),
            (silent.id, "lost"),
        ]
    )


def test_disabled_rules_and_projects_without_rules_enqueue_nothing(store: SqlStore) -> None:
    rule_id = rule(store, ["failed"])
    store.update_notification_rule(rule_id, enabled=False)
    job = store.create_job(JobSpec(project="vision", kind=JobKind.LOCAL))
    store.update_job(job.id, status=JobStatus.FAILED)
    quiet = store.create_job(JobSpec(project="quiet", kind=JobKind.LOCAL))
    store.update_job(quiet.id, status=JobStatus.FAILED)
    assert events_of(store) == []
    assert store.list_deliveries("quiet").total == 0


def test_a_job_that_names_a_slack_channel_is_enqueued_for_it(store: SqlStore) -> None:
    spec = JobSpec(project="vision", kind=JobKind.LOCAL, tags={NOTIFICATION_CHANNEL_TAG: "ml-runs"})
    job = store.create_job(spec)
    store.update_job(job.id, status=JobStatus.COMPLETED)
    found = store.list_deliveries("vision").items
    assert sorted(d.event for d in found) == ["completed", "running"]
    assert {(d.kind, d.channel, d.rule_id) for d in found} == {
        (NotifyTarget.SLACK_API, "ml-runs", None)
    }


def test_claims_give_each_delivery_to_one_sender_and_attempts_are_kept(store: SqlStore) -> None:
    rule_id = rule(store, ["failed"])
    job = store.create_job(JobSpec(project="vision", kind=JobKind.LOCAL))
    store.update_job(job.id, status=JobStatus.FAILED)
    now = datetime.now(UTC) + timedelta(seconds=1)
    until = now + timedelta(seconds=60)
    (claimed,) = store.claim_deliveries(now, until=until, limit=10, per_target=2)
    assert claimed.url == URL
    assert claimed.enabled
    assert store.claim_deliveries(now, until=until, limit=10, per_target=2) == []  # taken
    assert store.claim_deliveries(now, until=until, limit=10, per_target=2, busy={rule_id: 2}) == []
    retry = now + timedelta(seconds=30)
    store.record_delivery_attempt(
        claimed.delivery.id, at=now, delivered=False, response_code=500, error="HTTP 500",
        retry_at=retry,
    )  # fmt: skip
    assert store.claim_deliveries(now, until=until, limit=10, per_target=2) == []  # not yet due
    (again,) = store.claim_deliveries(
        retry, until=retry + timedelta(seconds=60), limit=10, per_target=2
    )
    assert again.delivery.attempts == 1
    store.record_delivery_attempt(again.delivery.id, at=retry, delivered=True, response_code=200)
    done = store.get_delivery(again.delivery.id)
    assert (done.status, done.attempts, done.response_code, done.error) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
        None,
    )
    assert done.delivered_at == retry


def test_a_test_message_is_enqueued_and_the_log_pages_newest_first(store: SqlStore) -> None:
    rule_id = rule(store, ["failed"])
    first = store.enqueue_test_notification(rule_id, user="ada")
    second = store.enqueue_test_notification(rule_id, user="ada")
    assert first.event == "test"
    assert first.payload["job"] is None
    page = store.list_deliveries("vision", limit=1)
    assert (page.total, [d.id for d in page.items]) == (2, [max(first.id, second.id)])
    assert store.list_deliveries("vision", rule_id=rule_id).total == 2
    store.delete_notification_rule(rule_id)
    assert store.list_deliveries("vision").total == 0  # a rule's log goes with it


def test_an_attempt_queued_again_is_not_told_as_failed(store: SqlStore) -> None:
    rule(store, ["running", "failed"])
    spec = JobSpec(project="vision", kind=JobKind.SCHEDULED, command="false", retries=1)
    job_id = store.submit_job(spec).id
    store.start_job(job_id, resources={})
    store.set_status(job_id, JobStatus.RUNNING)
    store.requeue_job(
        job_id, status=JobStatus.FAILED, exit_code=1, error=None, not_before=datetime.now(UTC)
    )
    assert events_of(store) == [(job_id, "running")]
    store.start_job(job_id, resources={})
    store.set_status(job_id, JobStatus.RUNNING)
    store.set_status(job_id, JobStatus.FAILED, exit_code=1)  # the last attempt: told
    assert events_of(store) == [(job_id, "failed"), (job_id, "running"), (job_id, "running")]


def test_pruning_deletes_ended_deliveries_made_before_a_time_oldest_first(store: SqlStore) -> None:
    rule_id = rule(store, ["failed"])
    made = [store.enqueue_test_notification(rule_id, user="ada") for _ in range(4)]
    now = datetime.now(UTC) + timedelta(seconds=1)
    claimed = store.claim_deliveries(now, until=now + timedelta(seconds=60), limit=3, per_target=3)
    outcomes = [True, False, True]  # delivered, failed for good, delivered; the 4th pending
    for outgoing, delivered in zip(claimed, outcomes, strict=True):
        store.record_delivery_attempt(outgoing.delivery.id, at=now, delivered=delivered)
    assert store.prune_deliveries(made[0].created_at) == 0  # none made before the first
    later = now + timedelta(days=1)
    assert store.prune_deliveries(later, limit=2) == 2
    assert store.prune_deliveries(later) == 1
    (left,) = store.list_deliveries("vision").items
    assert left.status == DeliveryStatus.PENDING
    assert left.id not in {c.delivery.id for c in claimed}
