"""Recurring jobs in the store, on SQLite and PostgreSQL: a schedule keeps its job's spec as
given, due schedules are found by time, and firing is a compare-and-set: one slot fires once
even when many threads (or servers) try it at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.errors import InvalidInputError, NotFoundError
from atlas.schedules import Schedule
from atlas.store.sql_store import SqlStore

RACERS = 8
SLOT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
SPEC = JobSpec(
    project="vision",
    kind=JobKind.SCHEDULED,
    command="python train.py --epochs 3",
    name="nightly",
    user="ada",
    params={"lr": 0.01, "layers": [1, 2]},
    tags={"team": "cv"},
    resources={"cpus": 2, "gpus": 0},
    priority=5,
    timeout=600.0,
    retries=2,
    image=None,
)


@pytest.fixture
def sched(store: SqlStore) -> SqlStore:
    store.upgrade()
    store.ensure_project("vision")
    store.ensure_project("audio")
    return store


def _make(store: SqlStore, **kw: object) -> Schedule:
    args: dict[str, object] = {
        "cron": "0 3 * * *",
        "timezone": "UTC",
        "name": "nightly",
        "user": "ada",
        "next_run_at": SLOT,
    }
    args.update(kw)
    return store.create_schedule(SPEC, **args)  # type: ignore[arg-type]


def test_a_schedule_keeps_its_job_as_given(sched: SqlStore) -> None:
    made = sched.create_schedule(
        SPEC,
        cron="0  3 * * *",
        timezone="Europe/Paris",
        name=" nightly ",
        user="ada",
        next_run_at=SLOT,
    )
    got = sched.get_schedule(made.id)
    assert got == made
    assert (got.project, got.name, got.cron, got.timezone) == (
        "vision",
        "nightly",
        "0 3 * * *",
        "Europe/Paris",
    )
    assert got.spec == SPEC
    assert (got.paused, got.next_run_at, got.last_slot, got.last_job_id) == (
        False,
        SLOT,
        None,
        None,
    )
    assert got.created_by == "ada"
    assert [s.id for s in sched.list_schedules("vision")] == [made.id]
    assert sched.list_schedules("audio") == []
    assert [s.id for s in sched.list_schedules()] == [made.id]


def test_bad_input_is_refused(sched: SqlStore) -> None:
    for kw, field in [
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": "nope"}, "cron"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "x" * 501}, "name"),
    ]:
        with pytest.raises(InvalidInputError) as caught:
            _make(sched, **kw)
        assert caught.value.detail["errors"][0]["field"] == field  # type: ignore[index]
    with pytest.raises(InvalidInputError):
        sched.create_schedule(
            JobSpec(project="vision", command="x"),
            cron="@daily",
            timezone="UTC",
            name="",
            user="ada",
            next_run_at=SLOT,
        )
    with pytest.raises(NotFoundError):
        sched.create_schedule(
            JobSpec(project="nowhere", kind=JobKind.SCHEDULED, command="x"),
            cron="@daily",
            timezone="UTC",
            name="",
            user="ada",
            next_run_at=SLOT,
        )
    assert sched.list_schedules() == []
    for missing in ["0123456789abcdef", "../etc", ""]:
        with pytest.raises(NotFoundError):
            sched.get_schedule(missing)


def test_update_pause_and_delete(sched: SqlStore) -> None:
    made = _make(sched)
    paused = sched.update_schedule(made.id, paused=True, next_run_at=None)
    assert (paused.paused, paused.next_run_at) == (True, None)
    assert sched.due_schedules(SLOT + timedelta(days=9)) == []
    assert sched.next_schedule_at() is None
    later = SLOT + timedelta(hours=1)
    resumed = sched.update_schedule(
        made.id,
        paused=False,
        cron="0 4 * * *",
        timezone="Asia/Tokyo",
        name="early",
        next_run_at=later,
    )
    assert (resumed.paused, resumed.cron, resumed.timezone, resumed.name) == (
        False,
        "0 4 * * *",
        "Asia/Tokyo",
        "early",
    )
    assert resumed.next_run_at == later
    with pytest.raises(InvalidInputError):
        sched.update_schedule(made.id, cron="61 * * * *", next_run_at=later)
    sched.delete_schedule(made.id)
    with pytest.raises(NotFoundError):
        sched.get_schedule(made.id)
    with pytest.raises(NotFoundError):
        sched.delete_schedule(made.id)


def test_due_schedules_by_time(sched: SqlStore) -> None:
    early = _make(sched, next_run_at=SLOT)
    late = _make(sched, next_run_at=SLOT + timedelta(hours=2))
    _make(sched, next_run_at=None)  # paused
    assert sched.due_schedules(SLOT - timedelta(seconds=1)) == []
    assert [s.id for s in sched.due_schedules(SLOT)] == [early.id]
    assert [s.id for s in sched.due_schedules(SLOT + timedelta(days=1))] == [
        early.id,
        late.id,
    ]
    assert sched.next_schedule_at() == SLOT


def test_firing_queues_the_job_and_moves_the_slot_once(sched: SqlStore) -> None:
    made = _make(sched)
    nxt = SLOT + timedelta(days=1)
    job = sched.fire_schedule(made, SPEC, next_run_at=nxt)
    assert job is not None
    assert (job.status, job.kind, job.command, job.project) == (
        JobStatus.QUEUED,
        JobKind.SCHEDULED,
        SPEC.command,
        "vision",
    )
    assert job.params == SPEC.params
    after = sched.get_schedule(made.id)
    assert (after.last_slot, after.next_run_at, after.last_job_id) == (SLOT, nxt, job.id)
    # The same read again (a retry, a second server): nothing written.
    assert sched.fire_schedule(made, SPEC, next_run_at=nxt) is None
    assert [q.id for q in sched.list_queued()] == [job.id]


def test_a_changed_schedule_is_not_fired_from_a_stale_read(sched: SqlStore) -> None:
    made = _make(sched)
    sched.update_schedule(made.id, cron="0 5 * * *", next_run_at=SLOT)
    assert sched.fire_schedule(made, SPEC, next_run_at=SLOT + timedelta(days=1)) is None
    sched.update_schedule(made.id, paused=True, next_run_at=None)
    assert sched.fire_schedule(made, SPEC, next_run_at=SLOT + timedelta(days=1)) is None
    assert sched.list_queued() == []


def test_a_slot_that_fired_never_fires_again_whoever_wrote_it_back(sched: SqlStore) -> None:
    """The database's own rule: a writer that puts back a next run time read before a fire
    (the fired slot) gets no second job for it."""
    made = _make(sched)
    assert sched.fire_schedule(made, SPEC, next_run_at=SLOT + timedelta(days=1)) is not None
    stale = sched.update_schedule(made.id, name="renamed", next_run_at=SLOT)
    assert (stale.last_slot, stale.next_run_at) == (SLOT, SLOT)
    assert sched.fire_schedule(stale, SPEC, next_run_at=SLOT + timedelta(days=1)) is None
    assert not sched.skip_schedule(stale, next_run_at=SLOT + timedelta(days=1), error="x")
    assert len(sched.list_queued()) == 1


def test_an_update_leaves_the_next_run_as_the_row_has_it(sched: SqlStore) -> None:
    made = _make(sched)
    sched.fire_schedule(made, SPEC, next_run_at=SLOT + timedelta(days=1))
    renamed = sched.update_schedule(made.id, name="renamed")  # next run: unchanged
    assert (renamed.name, renamed.next_run_at) == ("renamed", SLOT + timedelta(days=1))


def test_a_skipped_slot_keeps_its_reason_until_a_run_is_submitted(sched: SqlStore) -> None:
    made = _make(sched)
    before = datetime.now(UTC)
    assert sched.skip_schedule(made, next_run_at=SLOT + timedelta(days=1), error="gone " * 300)
    skipped = sched.get_schedule(made.id)
    assert (skipped.last_slot, skipped.last_job_id) == (SLOT, None)
    assert skipped.last_error is not None
    assert skipped.last_error.startswith("gone gone")
    assert len(skipped.last_error) == 1000  # cut to what the column keeps
    assert skipped.last_error_at is not None
    assert before <= skipped.last_error_at <= datetime.now(UTC)
    job = sched.fire_schedule(skipped, SPEC, next_run_at=SLOT + timedelta(days=2))
    assert job is not None
    after = sched.get_schedule(made.id)
    assert (after.last_error, after.last_error_at, after.last_job_id) == (None, None, job.id)


def test_racing_firings_queue_one_job(sched: SqlStore) -> None:
    made = _make(sched)
    start = threading.Barrier(RACERS)

    def fire(_: int) -> str | None:
        start.wait()
        job = sched.fire_schedule(made, SPEC, next_run_at=SLOT + timedelta(days=1))
        return None if job is None else job.id

    with ThreadPoolExecutor(RACERS) as pool:
        fired = [job_id for job_id in pool.map(fire, range(RACERS)) if job_id is not None]
    assert len(fired) == 1
    assert [q.id for q in sched.list_queued()] == fired


def test_schedules_go_with_their_project(sched: SqlStore) -> None:
    made = _make(sched)
    sched.delete_project("vision")
    with pytest.raises(NotFoundError):
        sched.get_schedule(made.id)
