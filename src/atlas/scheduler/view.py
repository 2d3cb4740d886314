"""What the scheduler holds, for people: the nodes with what each has and what its jobs
hold, the queue's head in dispatch order with what each job waits for, the running jobs
and the reservation (``GET /api/v1/scheduler``, ``atlas queue``, ``atlas nodes ls``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from atlas.executors.base import GpuInfo, Node
from atlas.scheduler.inventory import Inventory
from atlas.scheduler.policy import Free, waiting_for
from atlas.scheduler.queue import QueueEntry
from atlas.scheduler.resources import Ledger, NodeLedger, labels_text

__all__ = [
    "ACTIVE",
    "STANDBY",
    "Mode",
    "NodeState",
    "SchedulerState",
    "build_state",
    "node_states",
    "waits",
]

Mode = Literal["active", "standby"]
"""``active``: this scheduler starts jobs; ``standby``: another server holds the lease."""
ACTIVE: Mode = "active"
STANDBY: Mode = "standby"


@dataclass(frozen=True, slots=True)
class NodeState:
    """One node: what it has (``node``), whether it is still there (``alive``: false for
    a node that left while jobs were counted on it), what running jobs hold on it, each
    GPU's holder and the jobs running there."""

    node: Node
    alive: bool
    cpus_used: int
    memory_used: int
    gpus: list[tuple[GpuInfo, str | None]]
    running: list[str]


@dataclass(frozen=True, slots=True)
class SchedulerState:
    """A view of the scheduler: resources used (every node together), the GPUs' holders,
    the nodes, the first ``limit`` queued job ids in dispatch order (of ``queue_total``) and
    what each waits for, running ids, the reservation, and ``mode``."""

    cpus_total: int
    cpus_used: int
    memory_total: int
    memory_used: int
    gpus: list[tuple[GpuInfo, str | None]]
    queue: list[str]
    queue_total: int
    running: list[str]
    reservation: str | None
    mode: Mode = ACTIVE
    waiting_for: dict[str, str] = field(default_factory=dict)
    nodes: list[NodeState] = field(default_factory=list)


def node_states(inventory: Inventory, ledger: Ledger) -> list[NodeState]:
    """Each node of ``inventory`` with what ``ledger`` counts on it, then the nodes that
    left while jobs still count on them."""
    known = {node.id: node for node in inventory.nodes}
    states = [_state(node, ledger.nodes.get(node.id), alive=True) for node in inventory.nodes]
    for node_id, held in ledger.nodes.items():
        if node_id not in known:
            gone = Node(id=node_id, name=node_id[:12], address="", cpus=0, memory=0)
            states.append(_state(gone, held, alive=False))
    return states


def _state(node: Node, held: NodeLedger | None, *, alive: bool) -> NodeState:
    if held is None:
        return NodeState(node, alive, 0, 0, [(gpu, None) for gpu in node.gpus], [])
    gpus = {gpu.index: gpu for gpu in node.gpus}
    for index in held.gpu_indices:
        gpus.setdefault(index, GpuInfo(index=index, name=f"GPU {index}"))
    return NodeState(
        node=node,
        alive=alive,
        cpus_used=held.used_cpus,
        memory_used=held.used_memory,
        gpus=[(gpus[index], held.holder(index)) for index in sorted(gpus)],
        running=sorted(held.jobs),
    )


def waits(head: Iterable[QueueEntry], ledger: Ledger, reserved: str | None) -> dict[str, str]:
    """What each of the queued jobs ``head`` waits for, in words: measured against the node
    among those with its labels that has the most GPUs, then CPU slots, free."""
    rooms = {ledger_.node: ledger_ for ledger_ in ledger if ledger_.alive}
    result = {}
    for entry in head:
        request = entry.request
        able = [room for room in rooms.values() if request.matches(room.labels)]
        if not able:
            result[entry.job_id] = (
                f"a node with the labels {labels_text(request.labels)}: none of the nodes "
                "has them now"
            )
            continue
        best = max(able, key=lambda room: (len(room.free_gpus), room.free_cpus, room.free_memory))
        free = Free(best.free_cpus, best.free_memory, len(best.free_gpus))
        held = None if entry.parent_id is None else ledger.allocation(entry.parent_id)
        holds = None if held is None else Free(held.cpus, held.memory or 0, len(held.gpus))
        text = waiting_for(entry, free, reserved=reserved, parent_holds=holds)
        if len(rooms) > 1 and not text.startswith(("job ", "nothing")):
            text += " on any one node"
        result[entry.job_id] = text
    return result


def build_state(
    inventory: Inventory,
    ledger: Ledger,
    head: list[QueueEntry],
    *,
    queue_total: int,
    running: Iterable[str],
    reservation: str | None,
    mode: Mode = ACTIVE,
    waits_also: Mapping[str, str] | None = None,
) -> SchedulerState:
    """The view of ``ledger`` over ``inventory`` with the queue's ``head``; ``waits_also``
    says what some queued jobs wait for instead of resources (their retry)."""
    nodes = node_states(inventory, ledger)
    return SchedulerState(
        cpus_total=ledger.total_cpus,
        cpus_used=ledger.used_cpus,
        memory_total=ledger.total_memory,
        memory_used=ledger.used_memory,
        gpus=[gpu for node in nodes for gpu in node.gpus],
        queue=[entry.job_id for entry in head],
        queue_total=queue_total,
        running=sorted(running),
        reservation=reservation,
        mode=mode,
        nodes=nodes,
        waiting_for=waits(head, ledger, reservation) | dict(waits_also or {}),
    )
