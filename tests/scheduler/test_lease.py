"""One scheduler per database: the lease, and a scheduler in standby beside the holder
(two ``Scheduler`` objects on one real store, stepped by hand)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas.domain import JobStatus
from atlas.errors import InvalidTransitionError
from atlas.scheduler.lease import FileLease, PostgresLease, PrivateLease, lease_for
from atlas.scheduler.scheduler import Scheduler
from tests.scheduler.conftest import RecordingExecutor, submit


def test_a_file_lease_has_one_holder_until_released(tmp_path: Path) -> None:
    path = tmp_path / "atlas.db.scheduler.lock"
    first, second = FileLease(path), FileLease(path)
    assert first.acquire()
    assert first.acquire()  # already held: still True
    assert not second.acquire()
    assert first.check()
    assert not second.check()
    first.release()
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_the_lease_follows_the_database_url(tmp_path: Path) -> None:
    lease = lease_for(f"sqlite:///{tmp_path}/atlas.db")
    assert isinstance(lease, FileLease)
    assert lease.path == tmp_path / "atlas.db.scheduler.lock"
    assert isinstance(lease_for("sqlite://"), PrivateLease)
    assert isinstance(lease_for("sqlite:///:memory:"), PrivateLease)
    assert isinstance(lease_for("postgresql://postgres@127.0.0.1/atlas"), PostgresLease)
    with pytest.raises(ValueError, match="no scheduler lock"):
        lease_for("mysql://root@localhost/atlas")


@pytest.mark.postgres
def test_a_postgres_advisory_lease_has_one_holder(postgres_url: str) -> None:
    first, second = lease_for(postgres_url), lease_for(postgres_url)
    assert isinstance(first, PostgresLease)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.check()
        first.release()  # closing the session drops the lock
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_a_cut_postgres_session_loses_the_lease(postgres_url: str) -> None:
    import psycopg

    first, second = lease_for(postgres_url), lease_for(postgres_url)
    try:
        assert first.acquire()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            cut = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchall()
        assert cut == [(True,)]
        assert not first.check()  # the holder learns it lost the lease: it steps down
        assert second.acquire()
    finally:
        first.release()
        second.release()


@pytest.fixture
def holder_and_standby(
    make_scheduler: Callable[..., Scheduler], tmp_path: Path
) -> tuple[Scheduler, Scheduler, RecordingExecutor]:
    """Two schedulers on one store and one lease file: the first holds it."""
    path = tmp_path / "scheduler.lock"
    holder_executor, standby_executor = RecordingExecutor(), RecordingExecutor()
    holder = make_scheduler(holder_executor, cpus=1)
    standby = make_scheduler(standby_executor, cpus=1)
    holder.lease, standby.lease = FileLease(path), FileLease(path)
    holder.active = standby.active = False
    assert holder.take_over()
    assert not standby.take_over()
    return holder, standby, holder_executor


def test_jobs_queued_on_a_standby_run_on_the_holder(
    holder_and_standby: tuple[Scheduler, Scheduler, RecordingExecutor],
) -> None:
    holder, standby, executor = holder_and_standby
    assert (holder.mode, standby.mode) == ("active", "standby")
    first = submit(standby)
    second = submit(standby, priority=5)
    standby.tick(1.0)  # a standby starts nothing
    assert standby.state().queue == [second, first]
    assert standby.state().mode == "standby"
    assert holder.sync_queue()
    assert not holder.sync_queue()  # nothing new: the summary matches
    holder.tick(1.0)
    assert executor.launched == [second]  # priority order, one slot
    assert standby.state().running == [second]
    assert standby.state().cpus_used == 1

    standby.set_priority(first, 9)
    third = submit(standby, priority=7)
    assert holder.sync_queue()
    assert [entry.job_id for entry in holder.queue] == [first, third]

    standby.cancel(third)
    assert standby.store.get_job(third).status == JobStatus.CANCELLED
    assert holder.sync_queue()
    assert third not in holder.queue
    with pytest.raises(InvalidTransitionError):
        standby.cancel(third)


def test_a_standby_takes_over_when_the_holder_lets_go(
    holder_and_standby: tuple[Scheduler, Scheduler, RecordingExecutor],
) -> None:
    holder, standby, executor = holder_and_standby
    running = submit(holder)
    waiting = submit(holder)
    holder.tick(1.0)
    assert executor.launched == [running]
    assert holder.lease is not None
    holder.lease.release()  # what the kernel does when the holder's process dies
    standby_executor = standby.executor
    assert isinstance(standby_executor, RecordingExecutor)
    standby_executor.adoptable.add(running)
    assert standby.take_over()
    assert standby.mode == "active"
    assert sorted(standby.running) == [running]  # adopted, keeping its slot
    assert [entry.job_id for entry in standby.queue] == [waiting]
    standby.tick(2.0)
    assert standby_executor.launched == []  # the slot is still the adopted job's
    standby_executor.end(running)
    standby.tick(3.0)
    assert standby_executor.launched == [waiting]
