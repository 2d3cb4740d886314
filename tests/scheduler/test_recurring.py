"""Recurring jobs stepped by ``tick(now)`` with chosen times over a real store and scheduler
(whose executor launches nothing): a schedule fires at its slot and not before, once per
slot, not while paused, once after downtime, and across a restart and a second server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus, Role
from atlas.errors import InvalidInputError
from atlas.scheduler.recurring import (
    MAX_WAIT,
    RETRY_WAIT,
    SCHEDULE_TAG,
    STANDBY_WAIT,
    Recurring,
)
from atlas.scheduler.scheduler import Scheduler
from atlas.schedules import Schedule
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import RecordingExecutor

DAY1 = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
AT3 = DAY1 + timedelta(hours=3)  # the first slot of "0 3 * * *"
SPEC = JobSpec(
    project="nightly",
    kind=JobKind.SCHEDULED,
    command="python train.py",
    user="ada",
    params={"lr": 0.1},
    resources={"cpus": 2},
    env_mode="none",
)


def setup(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], **kw: object
) -> tuple[Recurring, Scheduler, Schedule]:
    store.upgrade()
    store.ensure_project("nightly")
    scheduler = make_scheduler(cpus=4)
    recurring = Recurring(store, scheduler)
    args: dict[str, object] = {"cron_expr": "0 3 * * *", "name": "train", "user": "ada"}
    args.update(kw)
    schedule = recurring.create(SPEC, now=DAY1, **args)  # type: ignore[arg-type]
    return recurring, scheduler, schedule


def test_fires_at_its_slot_not_before_and_the_job_runs(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], recorder: RecordingExecutor
) -> None:
    recurring, scheduler, schedule = setup(store, make_scheduler)
    assert schedule.next_run_at == AT3
    assert recurring.tick(AT3 - timedelta(seconds=1)) == []
    (job_id,) = recurring.tick(AT3)
    job = store.get_job(job_id)
    assert (job.status, job.kind, job.command, job.project, job.user) == (
        JobStatus.QUEUED,
        JobKind.SCHEDULED,
        "python train.py",
        "nightly",
        "ada",
    )
    assert (job.name, job.params, job.tags) == ("train", {"lr": 0.1}, {SCHEDULE_TAG: schedule.id})
    after = store.get_schedule(schedule.id)
    assert (after.last_slot, after.last_job_id) == (AT3, job_id)
    assert after.next_run_at == AT3 + timedelta(days=1)
    scheduler.tick(1.0)  # queued like any job: the dispatcher launches it
    assert recorder.launched == [job_id]


def test_one_slot_fires_once(store: SqlStore, make_scheduler: Callable[..., Scheduler]) -> None:
    recurring, _, _ = setup(store, make_scheduler)
    assert len(recurring.tick(AT3)) == 1
    assert recurring.tick(AT3) == []
    assert recurring.tick(AT3 + timedelta(minutes=30)) == []
    assert len(recurring.tick(AT3 + timedelta(days=1))) == 1
    assert len(store.list_queued()) == 2


def test_paused_does_not_fire_and_resume_starts_from_now(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    paused = recurring.update(schedule.id, paused=True)
    assert (paused.paused, paused.next_run_at) == (True, None)
    assert recurring.tick(AT3 + timedelta(days=3)) == []
    noon = DAY1 + timedelta(days=3, hours=12)
    resumed = recurring.update(schedule.id, paused=False, now=noon)
    assert resumed.next_run_at == AT3 + timedelta(days=4)  # slots missed while paused: none
    assert recurring.tick(noon) == []
    assert len(recurring.tick(AT3 + timedelta(days=4))) == 1


def test_a_new_cron_or_zone_moves_the_next_run(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    changed = recurring.update(schedule.id, cron_expr="30 1 * * *", now=DAY1)
    assert changed.next_run_at == DAY1 + timedelta(hours=1, minutes=30)
    paris = recurring.update(schedule.id, timezone="Europe/Paris", now=DAY1)
    assert paris.next_run_at == DAY1 + timedelta(minutes=30)  # 01:30 in Paris, 00:30 UTC
    renamed = recurring.update(schedule.id, name="renamed", now=DAY1 + timedelta(hours=9))
    assert (renamed.name, renamed.next_run_at) == ("renamed", paris.next_run_at)


def test_downtime_fires_one_catch_up_run(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    back = AT3 + timedelta(days=9, hours=5)  # nine missed slots
    assert len(recurring.tick(back)) == 1
    after = store.get_schedule(schedule.id)
    assert after.last_slot == AT3  # the first slot missed
    assert after.next_run_at == AT3 + timedelta(days=10)
    assert recurring.tick(back + timedelta(minutes=1)) == []


def test_a_restart_goes_on_from_the_database(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], store_url: str
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    assert len(recurring.tick(AT3)) == 1
    reopened = SqlStore(store_url)
    try:
        again = Recurring(reopened, make_scheduler(cpus=4))
        assert again.tick(AT3 + timedelta(hours=1)) == []  # that slot fired before
        (job_id,) = again.tick(AT3 + timedelta(days=1))
        assert reopened.get_schedule(schedule.id).last_job_id == job_id
    finally:
        reopened.close()


def test_two_servers_ticking_at_once_fire_once(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], store_url: str
) -> None:
    setup(store, make_scheduler)
    stores = [SqlStore(store_url) for _ in range(4)]
    try:
        servers = [Recurring(each, make_scheduler(cpus=4)) for each in stores]
        start = threading.Barrier(len(servers))

        def tick(server: Recurring) -> list[str]:
            start.wait()
            return server.tick(AT3)

        with ThreadPoolExecutor(len(servers)) as pool:
            fired = [job for jobs in pool.map(tick, servers) for job in jobs]
        assert len(fired) == 1
        assert [q.id for q in store.list_queued()] == fired
    finally:
        for each in stores:
            each.close()


def test_a_standby_server_fires_nothing(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, scheduler, _ = setup(store, make_scheduler)
    scheduler.active = False  # another server holds the scheduler's lease
    assert recurring.tick(AT3) == []
    assert store.list_queued() == []


def test_the_thread_sleeps_until_the_next_run_and_never_spins(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, scheduler, _ = setup(store, make_scheduler)
    recurring.clock = (AT3 - timedelta(seconds=10)).timestamp
    assert recurring.next_wait() == pytest.approx(10.0)
    recurring.clock = DAY1.timestamp
    assert recurring.next_wait() == MAX_WAIT  # three hours away: look again within a minute
    recurring.clock = (AT3 + timedelta(seconds=1)).timestamp  # due, not fired yet
    assert recurring.next_wait() == RETRY_WAIT
    scheduler.active = False  # standing by: another server fires it
    assert recurring.next_wait() == STANDBY_WAIT


def test_a_run_that_cannot_be_submitted_skips_its_slot(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    small = Recurring(store, make_scheduler(cpus=1))  # the machine lost CPUs: 2 never fit
    assert small.tick(AT3) == []
    after = store.get_schedule(schedule.id)
    assert (after.last_slot, after.last_job_id) == (AT3, None)
    assert after.next_run_at == AT3 + timedelta(days=1)
    assert store.list_queued() == []
    assert len(recurring.tick(AT3 + timedelta(days=1))) == 1  # back on the big machine


def test_a_skipped_slot_says_why_until_a_run_is_submitted(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    recurring, _, schedule = setup(store, make_scheduler)
    Recurring(store, make_scheduler(cpus=1)).tick(AT3)  # 2 CPUs never fit on 1
    skipped = store.get_schedule(schedule.id)
    assert skipped.last_error is not None
    assert skipped.last_error.startswith("this job can never run here: 2 CPU slots asked")
    (job_id,) = recurring.tick(AT3 + timedelta(days=1))
    after = store.get_schedule(schedule.id)
    assert (after.last_error, after.last_error_at, after.last_job_id) == (None, None, job_id)


def test_a_rename_racing_a_fire_never_brings_the_fired_slot_back(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], store_url: str
) -> None:
    """A rename reads the schedule, the slot fires, the rename writes: the next run stays
    the one the fire set (before, the rename wrote back the fired slot, which fired again)."""
    recurring, _, schedule = setup(store, make_scheduler)

    class FiresWhileRead(SqlStore):
        def get_schedule(self, schedule_id: str) -> Schedule:
            read = super().get_schedule(schedule_id)
            assert len(recurring.tick(AT3)) == 1  # the slot fires after this read
            return read

    racing = FiresWhileRead(store_url)
    try:
        renamed = Recurring(racing, make_scheduler(cpus=4)).update(schedule.id, name="renamed")
    finally:
        racing.close()
    assert (renamed.name, renamed.last_slot) == ("renamed", AT3)
    assert renamed.next_run_at == AT3 + timedelta(days=1)
    assert recurring.tick(AT3 + timedelta(seconds=5)) == []
    assert len(store.list_queued()) == 1


def test_with_auth_a_run_goes_on_only_while_its_maker_may_submit(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    _, scheduler, schedule = setup(store, make_scheduler)
    recurring = Recurring(store, scheduler, auth=True)

    def error_at(day: int) -> str | None:
        recurring.tick(AT3 + timedelta(days=day))
        return store.get_schedule(schedule.id).last_error

    assert error_at(0) == "its maker 'ada' is not a user of this server"
    store.create_user("ada", password_hash=None)
    store.set_member("nightly", "ada", Role.VIEWER)
    assert error_at(1) == "its maker 'ada' is no longer an editor of project 'nightly'"
    store.set_member("nightly", "ada", Role.EDITOR)
    assert error_at(2) is None
    store.update_user("ada", disabled=True)
    assert error_at(3) == "its maker 'ada' is disabled"
    store.update_user("ada", disabled=False)
    store.remove_member("nightly", "ada")
    store.update_user("ada", admin=True)  # an admin may run jobs in every project
    assert error_at(4) is None
    assert len(store.list_queued()) == 2
    assert Recurring(store, scheduler).tick(AT3 + timedelta(days=5))  # auth off: no check


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"cron_expr": "0 0 30 2 *"}, "cron"),
        ({"cron_expr": "every day"}, "cron"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
    ],
)
def test_bad_schedules_are_refused_at_create(
    store: SqlStore, make_scheduler: Callable[..., Scheduler], kw: dict[str, str], field: str
) -> None:
    store.upgrade()
    store.ensure_project("nightly")
    recurring = Recurring(store, make_scheduler(cpus=4))
    args = {"cron_expr": "0 3 * * *", "user": "ada", **kw}
    with pytest.raises(InvalidInputError) as caught:
        recurring.create(SPEC, **args)  # type: ignore[arg-type]
    assert caught.value.detail["errors"][0]["field"] == field  # type: ignore[index]
    assert store.list_schedules() == []


def test_the_thread_fires_a_due_schedule(
    store: SqlStore, make_scheduler: Callable[..., Scheduler]
) -> None:
    store.upgrade()
    store.ensure_project("nightly")
    scheduler = make_scheduler(cpus=4)
    recurring = Recurring(store, scheduler, clock=AT3.timestamp)  # the slot has come
    schedule = recurring.create(SPEC, cron_expr="0 3 * * *", user="ada", now=DAY1)
    recurring.start()
    try:
        deadline = threading.Event()
        for _ in range(100):
            if store.get_schedule(schedule.id).last_job_id is not None:
                break
            deadline.wait(0.05)
    finally:
        recurring.stop()
    assert store.get_schedule(schedule.id).last_slot == AT3
