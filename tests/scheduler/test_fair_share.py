"""Fair share between users: within one priority, users take turns, the next turn to whoever
runs the fewest jobs, so one user's long queue never starves another's one job (the order
alone, then the scheduler stepped by ``tick(now)`` over a real store)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from atlas.domain import JobKind, JobSpec
from atlas.scheduler.files import JobFiles
from atlas.scheduler.lease import FileLease
from atlas.scheduler.policy import Free, fair_order, one_room, plan
from atlas.scheduler.queue import JobQueue
from atlas.scheduler.reconcile import reconcile
from atlas.scheduler.resources import Request
from atlas.scheduler.scheduler import Scheduler
from atlas.store.artifacts import LocalArtifactStore
from atlas.store.sql_store import SqlStore
from tests.scheduler.conftest import RecordingExecutor, inventory

MakeScheduler = Callable[..., Scheduler]


def queue_of(*jobs: tuple[str, str, int]) -> JobQueue:
    """A queue of (id, user, priority) one-slot jobs, submitted in the order given."""
    queue = JobQueue()
    for at, (job_id, user, priority) in enumerate(jobs):
        queue.add(job_id, priority=priority, queued_at=float(at), request=Request(), user=user)
    return queue


def order(queue: JobQueue, running: dict[str, int] | None = None) -> list[str]:
    return [entry.job_id for entry in fair_order(queue, running or {})]


def test_users_take_turns_each_keeping_the_order_of_their_own_jobs() -> None:
    queue = queue_of(("a1", "ann", 0), ("a2", "ann", 0), ("a3", "ann", 0), ("b1", "bob", 0))
    queue.add("c1", priority=0, queued_at=0.5, request=Request(), user="cy")
    assert order(queue) == ["a1", "c1", "b1", "a2", "a3"]
    # Ann already runs two jobs: Bob and Cy go first, then the turns are even again.
    assert order(queue, {"ann": 2}) == ["c1", "b1", "a1", "a2", "a3"]
    assert order(queue, {"ann": 1, "cy": 3}) == ["b1", "a1", "a2", "c1", "a3"]


def test_priority_wins_over_turns_and_one_user_is_plain_priority_order() -> None:
    queue = queue_of(("a1", "ann", 5), ("a2", "ann", 5), ("b1", "bob", 0), ("a3", "ann", 0))
    assert order(queue, {"ann": 10}) == ["a1", "a2", "b1", "a3"]
    alone = queue_of(("x", "", 0), ("y", "", 3), ("z", "", 0))
    assert order(alone, {"": 4}) == [entry.job_id for entry in alone] == ["y", "x", "z"]


def test_the_turns_follow_the_queue_as_it_changes() -> None:
    queue = queue_of(("a1", "ann", 0), ("a2", "ann", 0), ("b1", "bob", 0), ("b2", "bob", 0))
    queue.reprioritise("b2", 1)
    assert order(queue) == ["b2", "a1", "b1", "a2"]
    assert queue.discard("a1") is not None
    assert queue.discard("b1") is not None
    assert order(queue, {"bob": 1}) == ["b2", "a2"]
    assert queue.discard("a2") is not None
    assert queue.discard("b2") is not None
    assert (order(queue), queue.levels()) == ([], [])


def test_the_reservation_goes_to_the_first_job_in_turn() -> None:
    # Ann runs a job; Bob's 4-slot job is next in turn: it holds the reservation and Ann's
    # one-slot jobs queued before it do not take the slots it waits for.
    queue = JobQueue()
    for at, job_id in enumerate(["a1", "a2"]):
        queue.add(job_id, priority=0, queued_at=float(at), request=Request(), user="ann")
    queue.add("big", priority=0, queued_at=9.0, request=Request(cpus=4), user="bob")
    chosen = plan(fair_order(queue, {"ann": 1}), one_room(Free(cpus=3, memory=0, gpus=0)))
    assert (chosen.starts, chosen.reserved) == ([], "big")
    # A GPU job next in turn leaves the CPU-only jobs to backfill around it.
    queue.add("big", priority=0, queued_at=9.0, request=Request(gpus=2), user="bob")
    chosen = plan(fair_order(queue, {"ann": 1}), one_room(Free(cpus=3, memory=0, gpus=1)))
    assert ([e.job_id for e in chosen.starts], chosen.reserved) == (["a1", "a2"], "big")


def submit(scheduler: Scheduler, user: str, *, cpus: int = 1, parent: str | None = None) -> str:
    spec = JobSpec(
        kind=JobKind.SCHEDULED,
        project="shared",
        command="python main.py",
        user=user,
        resources={"cpus": cpus},
        parent_id=parent,
        env_mode="none",
    )
    return scheduler.submit(spec).id


def test_one_users_fifty_jobs_do_not_starve_anothers_one(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=2, gpus=0)
    ann = [submit(scheduler, "ann") for _ in range(50)]
    assert scheduler.tick(0.0).launched == ann[:2]
    bob = submit(scheduler, "bob")
    assert scheduler.tick(1.0).launched == []
    state = scheduler.state(limit=3)
    assert state.queue == [bob, ann[2], ann[3]]  # what `atlas queue` shows: the order used
    assert state.reservation == bob
    recorder.end(ann[0])
    assert scheduler.tick(2.0).launched == [bob]
    recorder.end(ann[1])
    assert scheduler.tick(3.0).launched == [ann[2]]
    # Bob submits again while he runs one job and Ann runs one: Bob's job was queued last,
    # so Ann's earlier one goes first, then they alternate.
    bob_again = submit(scheduler, "bob")
    assert scheduler.state(limit=3).queue == [ann[3], bob_again, ann[4]]
    recorder.end(bob)
    recorder.end(ann[2])
    assert scheduler.tick(4.0).launched == [ann[3], bob_again]


def test_a_child_still_borrows_its_parents_slot_when_another_user_is_first(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    scheduler = make_scheduler(cpus=1, gpus=0)
    parent = submit(scheduler, "ann")
    scheduler.tick(0.0)
    stranger = submit(scheduler, "bob")
    child = submit(scheduler, "ann", parent=parent)
    assert scheduler.tick(1.0).launched == [child]
    assert scheduler.state().queue == [stranger]
    recorder.end(child)
    recorder.end(parent)
    assert scheduler.tick(2.0).launched == [stranger]


def test_after_a_restart_and_in_standby_the_order_counts_who_runs_what(
    make_scheduler: MakeScheduler,
    recorder: RecordingExecutor,
    store: SqlStore,
    artifacts: LocalArtifactStore,
    tmp_path: Path,
) -> None:
    before = make_scheduler(cpus=2, gpus=0)
    ann = [submit(before, "ann") for _ in range(4)]
    before.tick(0.0)
    bob = submit(before, "bob")
    after_executor = RecordingExecutor()
    after_executor.adoptable = set(ann[:2])
    after = make_scheduler(after_executor, cpus=2, gpus=0)
    reconcile(after)
    assert after.state().queue == [bob, ann[2], ann[3]]
    standby = Scheduler(
        store,
        RecordingExecutor(),
        inventory(cpus=2, gpus=0),
        files=JobFiles(artifacts, tmp_path / "standby"),
        server_url="http://127.0.0.1:9",
        lease=FileLease(tmp_path / "never-taken.lock"),
    )
    state = standby.state()
    assert (state.mode, state.queue) == ("standby", [bob, ann[2], ann[3]])
    after_executor.end(ann[0])
    assert after.tick(1.0).launched == [bob]
