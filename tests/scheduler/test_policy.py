"""The dispatch rule on its own: queue order, backfill and the reservation (pure functions)."""

from __future__ import annotations

import pytest

from atlas.errors import InvalidInputError
from atlas.scheduler.policy import Free, one_room, plan
from atlas.scheduler.queue import JobQueue
from atlas.scheduler.resources import NodeLedger, Request, request_from
from atlas.units import parse_memory


def queue_of(*jobs: tuple[str, int, Request]) -> JobQueue:
    """A queue of (id, priority, request), submitted in the order given."""
    queue = JobQueue()
    for at, (job_id, priority, request) in enumerate(jobs):
        queue.add(job_id, priority=priority, queued_at=float(at), request=request)
    return queue


def test_the_queue_orders_by_priority_then_submission_time() -> None:
    one = Request()
    queue = queue_of(("a", 0, one), ("b", 5, one), ("c", 5, one), ("d", -1, one))
    assert [e.job_id for e in queue] == ["b", "c", "a", "d"]
    queue.reprioritise("d", 9)
    assert [e.job_id for e in queue] == ["d", "b", "c", "a"]
    assert queue.discard("b") is not None
    assert queue.discard("b") is None
    assert [e.job_id for e in queue] == ["d", "c", "a"]
    assert queue.position("a") == 2
    assert "c" in queue
    assert len(queue) == 3


def test_jobs_that_fit_all_start_in_order() -> None:
    queue = queue_of(("a", 0, Request(cpus=2)), ("b", 0, Request(cpus=2)), ("c", 0, Request()))
    chosen = plan(queue, one_room(Free(cpus=4, memory=0, gpus=0)))
    assert [e.job_id for e in chosen.starts] == ["a", "b"]
    assert chosen.reserved == "c"


def test_small_jobs_backfill_around_a_job_waiting_for_gpus() -> None:
    # The head wants 4 GPUs and 2 are free: CPU-only jobs still run on the free CPUs.
    queue = queue_of(
        ("big", 0, Request(cpus=1, gpus=4)),
        ("small1", 0, Request(cpus=1)),
        ("small2", 0, Request(cpus=1)),
    )
    chosen = plan(queue, one_room(Free(cpus=4, memory=0, gpus=2)))
    assert chosen.reserved == "big"
    assert [e.job_id for e in chosen.starts] == ["small1", "small2"]


def test_backfill_never_takes_what_the_reserved_job_waits_for() -> None:
    # 2 GPUs free, the reserved job needs 4: a 1-GPU job must not take one of them.
    queue = queue_of(
        ("big", 0, Request(gpus=4)),
        ("one_gpu", 0, Request(gpus=1)),
        ("cpu_only", 0, Request(cpus=1)),
    )
    chosen = plan(queue, one_room(Free(cpus=8, memory=0, gpus=2)))
    assert chosen.reserved == "big"
    assert [e.job_id for e in chosen.starts] == ["cpu_only"]
    # Nor CPUs or memory it needs: here it needs 6 of the 8 CPUs.
    queue = queue_of(("big", 0, Request(cpus=6, gpus=4)), ("cpus3", 0, Request(cpus=3)))
    assert plan(queue, one_room(Free(cpus=8, memory=0, gpus=2))).starts == []
    queue = queue_of(("big", 0, Request(cpus=6, gpus=4)), ("cpus2", 0, Request(cpus=2)))
    assert [e.job_id for e in plan(queue, one_room(Free(cpus=8, memory=0, gpus=2))).starts] == [
        "cpus2"
    ]


def test_memory_counts_like_cpus() -> None:
    queue = queue_of(("a", 0, Request(memory=6)), ("b", 0, Request(memory=6)))
    chosen = plan(queue, one_room(Free(cpus=4, memory=10, gpus=0)))
    assert [e.job_id for e in chosen.starts] == ["a"]
    assert chosen.reserved == "b"


def test_planning_stops_early_when_nothing_more_can_start() -> None:
    queue = queue_of(*((f"j{i}", 0, Request()) for i in range(10_000)))
    chosen = plan(queue, one_room(Free(cpus=2, memory=0, gpus=0)))
    assert [e.job_id for e in chosen.starts] == ["j0", "j1"]
    assert chosen.reserved == "j2"


def test_the_ledger_hands_out_the_lowest_free_gpus_and_takes_them_back() -> None:
    ledger = NodeLedger(cpus=8, memory=100, gpus=[0, 1, 2, 3])
    first = ledger.take("a", Request(cpus=2, memory=10, gpus=2))
    second = ledger.take("b", Request(gpus=1))
    assert first.gpus == (0, 1)
    assert second.gpus == (2,)
    assert (ledger.free_cpus, ledger.free_memory, ledger.free_gpus) == (5, 90, [3])
    assert ledger.holder(1) == "a"
    ledger.release("a")
    assert ledger.free_gpus == [0, 1, 3]
    assert ledger.take("c", Request(gpus=3)).gpus == (0, 1, 3)


@pytest.mark.parametrize(
    ("text", "size"),
    [("4G", 4 << 30), ("512M", 512 << 20), ("1.5g", 3 << 29), ("2GiB", 2 << 30), ("100", 100)],
)
def test_memory_sizes(text: str, size: int) -> None:
    assert parse_memory(text) == size


@pytest.mark.parametrize(
    "resources",
    [{"cpus": 0}, {"cpus": "2"}, {"gpus": -1}, {"gpus": True}, {"memory": "lots"}],
)
def test_bad_requests_are_invalid_input(resources: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        request_from(resources)
