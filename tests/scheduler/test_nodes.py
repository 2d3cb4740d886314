"""Per-node accounting and placement: the pure policy over several nodes, and the scheduler
stepped by ``tick(now)`` over a real store with an executor that reports a cluster whose
nodes join and leave."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.errors import InvalidInputError, ResourceUnavailableError
from atlas.executors.base import GpuInfo, Node
from atlas.scheduler.inventory import Inventory, check_request, parse_labels
from atlas.scheduler.policy import Free, Room, plan
from atlas.scheduler.queue import JobQueue
from atlas.scheduler.reconcile import reconcile
from atlas.scheduler.resources import Request, request_from
from atlas.scheduler.scheduler import Scheduler
from tests.scheduler.conftest import GIB, RecordingExecutor

MakeScheduler = Callable[..., Scheduler]


def node(name: str, *, cpus: int = 4, gpus: int = 0, **labels: str) -> Node:
    return Node(
        id=f"id-{name}",
        name=name,
        address="127.0.0.1",
        cpus=cpus,
        memory=16 * GIB,
        gpus=tuple(GpuInfo(i, f"GPU {i}") for i in range(gpus)),
        labels=labels,
    )


def rooms(*nodes: Node, used: dict[str, Free] | None = None) -> dict[str, Room]:
    result = {}
    for n in nodes:
        total = Free(n.cpus, n.memory, len(n.gpus))
        result[n.id] = Room(free=(used or {}).get(n.id, total), total=total, labels=n.labels)
    return result


def queue_of(*jobs: tuple[str, Request]) -> JobQueue:
    queue = JobQueue()
    for order, (job_id, request) in enumerate(jobs):
        queue.add(job_id, priority=0, queued_at=float(order), request=request)
    return queue


def test_gpu_jobs_pack_onto_the_fullest_node_and_cpu_jobs_spread() -> None:
    nodes = rooms(node("big", gpus=4), node("small", gpus=2, cpus=4))
    chosen = plan(queue_of(("g1", Request(gpus=2)), ("g2", Request(gpus=2))), nodes)
    assert chosen.nodes == {"g1": "id-small", "g2": "id-big"}  # big keeps 2 whole GPUs free
    cpu_only = rooms(node("a"), node("b"))
    spread = plan(queue_of(("c1", Request()), ("c2", Request())), cpu_only)
    assert sorted(spread.nodes.values()) == ["id-a", "id-b"]


def test_a_job_runs_only_on_a_node_with_its_labels() -> None:
    nodes = rooms(node("plain", gpus=2), node("fast", gpus=2, gpu_type="a100"))
    wants = Request(gpus=1, labels=(("gpu_type", "a100"),))
    chosen = plan(queue_of(("a", wants), ("b", wants), ("c", wants)), nodes)
    assert chosen.nodes == {"a": "id-fast", "b": "id-fast"}
    assert chosen.reserved == "c"  # waits for the labelled node, not for "plain"


def test_a_job_never_spans_nodes_even_when_the_total_would_fit() -> None:
    nodes = rooms(node("a", gpus=2), node("b", gpus=2))
    chosen = plan(queue_of(("four", Request(gpus=4)), ("one", Request(gpus=1))), nodes)
    assert [entry.job_id for entry in chosen.starts] == ["one"]
    assert chosen.reserved is None  # no node can ever hold it: it reserves nothing
    with pytest.raises(ResourceUnavailableError, match="4 GPUs asked, 2 exist"):
        check_request(Request(gpus=4), Inventory((node("a", gpus=2), node("b", gpus=2))))


def test_the_reservation_holds_back_only_its_own_node() -> None:
    busy = Free(cpus=4, memory=16 * GIB, gpus=0)
    nodes = rooms(node("a", gpus=2), node("b", gpus=2), used={"id-a": busy})
    queue = queue_of(("big", Request(gpus=2, cpus=2)), ("small", Request(gpus=1)))
    first = plan(queue, nodes)
    assert first.nodes == {"big": "id-b"}
    nodes["id-b"].free = Free(cpus=4, memory=16 * GIB, gpus=1)  # b is half taken now
    second = plan(queue_of(("big", Request(gpus=2)), ("small", Request(gpus=1))), nodes)
    assert second.reserved == "big"
    assert second.nodes == {}  # the GPU b frees goes to big; a has no free GPU


def test_a_label_no_node_has_is_refused_at_submit_naming_the_labels_there() -> None:
    inventory = Inventory((node("a", gpu_type="t4"), node("b")))
    with pytest.raises(ResourceUnavailableError, match=r"no node has the labels gpu_type=a100"):
        check_request(Request(labels=(("gpu_type", "a100"),)), inventory)
    check_request(Request(labels=(("gpu_type", "t4"),)), inventory)


def test_labels_are_checked_where_they_enter() -> None:
    assert request_from({"labels": {"gpu_type": "a100"}}).labels == (("gpu_type", "a100"),)
    for bad in ({"gpu type": "a100"}, {"gpu_type": "a 100"}, {"k": 3}, ["gpu_type"]):
        with pytest.raises(InvalidInputError):
            request_from({"labels": bad})
    assert parse_labels("gpu_type=a100, zone=b") == {"gpu_type": "a100", "zone": "b"}
    with pytest.raises(InvalidInputError, match="KEY=VALUE"):
        parse_labels("gpu_type")


def labelled_spec(**labels: str) -> JobSpec:
    return JobSpec(
        kind=JobKind.SCHEDULED,
        project="vision",
        command="python main.py",
        resources={"cpus": 1, "gpus": 1, "labels": labels},
        env_mode="none",
    )


def test_the_scheduler_places_each_job_on_a_node_with_that_nodes_gpus(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    recorder.cluster = (node("a", gpus=2), node("b", gpus=2, gpu_type="a100"))
    scheduler = make_scheduler()
    jobs = [scheduler.submit(labelled_spec()).id for _ in range(4)]
    scheduler.tick(0.0)
    placed = {j: recorder.specs[j].allocation for j in jobs}
    assert sorted((a.node, a.gpus) for a in placed.values()) == [
        ("id-a", (0,)),
        ("id-a", (1,)),
        ("id-b", (0,)),
        ("id-b", (1,)),
    ]
    stored = scheduler.store.get_job(jobs[0]).resources
    assert stored["node"] == placed[jobs[0]].node
    assert scheduler.store.get_job(jobs[0]).spec.resources == {
        "cpus": 1,
        "gpus": 1,
        "memory": None,
    }
    state = scheduler.state()
    assert [(n.node.name, n.cpus_used, len(n.running)) for n in state.nodes] == [
        ("a", 2, 2),
        ("b", 2, 2),
    ]


def test_a_job_waiting_for_a_label_starts_when_such_a_node_joins(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    recorder.cluster = (node("a", gpus=1, gpu_type="t4"), node("b", gpus=1, gpu_type="a100"))
    scheduler = make_scheduler()
    first = scheduler.submit(labelled_spec(gpu_type="a100")).id
    second = scheduler.submit(labelled_spec(gpu_type="a100")).id
    scheduler.tick(0.0)
    assert list(recorder.specs) == [first]
    assert "1 GPU (0 free) on any one node" in scheduler.state().waiting_for[second]
    recorder.cluster = (*recorder.cluster, node("c", gpus=1, gpu_type="a100"))
    scheduler.tick(1.0)
    assert recorder.specs[second].allocation.node == "id-c"


def test_a_node_that_leaves_keeps_its_jobs_counted_until_they_end(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    a, b = node("a", gpus=1), node("b", gpus=1)
    recorder.cluster = (a, b)
    scheduler = make_scheduler()
    jobs = [scheduler.submit(labelled_spec()).id for _ in range(2)]
    scheduler.tick(0.0)
    on_b = next(j for j in jobs if recorder.specs[j].allocation.node == "id-b")
    recorder.cluster = (a,)
    scheduler.tick(1.0)
    gone = [n for n in scheduler.state().nodes if not n.alive]
    assert [(n.node.id, n.running) for n in gone] == [("id-b", [on_b])]
    recorder.end(on_b, status=JobStatus.LOST)
    scheduler.tick(2.0)
    assert [n.node.id for n in scheduler.state().nodes] == ["id-a"]


def test_a_submit_no_node_can_hold_is_refused_against_the_current_nodes(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    recorder.cluster = (node("a", gpus=1),)
    scheduler = make_scheduler()
    with pytest.raises(ResourceUnavailableError, match="gpu_type=a100"):
        scheduler.submit(labelled_spec(gpu_type="a100"))
    assert scheduler.store.list_queued() == []


def test_a_restart_adopts_each_running_job_back_on_its_node(
    make_scheduler: MakeScheduler, recorder: RecordingExecutor
) -> None:
    recorder.cluster = (node("a", gpus=1), node("b", gpus=1))
    scheduler = make_scheduler()
    jobs = [scheduler.submit(labelled_spec()).id for _ in range(2)]
    scheduler.tick(0.0)
    placed = {j: recorder.specs[j].allocation.node for j in jobs}
    recorder.adoptable = set(jobs)
    again = make_scheduler()
    reconcile(again)
    assert {j: again.ledger.node_of(j) for j in jobs} == placed
    third = again.submit(labelled_spec()).id
    again.tick(1.0)
    assert third not in recorder.specs  # both nodes' GPUs are still held
