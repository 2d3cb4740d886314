"""Which queued jobs start now: priority order, backfill without head-of-line blocking, and
a reservation so that a large job is never starved.

The rule, in dispatch order: a job that fits in what is free starts. The first job that
does not fit holds the *reservation*: from then on, a later job may start only if it fits in
what is free *minus what the reserved job needs*. So smaller jobs keep the machine busy
while the large one waits, but they never take anything the reserved job is waiting for:
every resource a running job frees goes towards the reserved job until it fits, and as
running jobs end it starts (jobs of higher priority submitted meanwhile go first, by
design). ``plan`` is a pure function of the queue and what is free, so tests step it.

**Fair share between users.** The dispatch order is :func:`fair_order`: priority first;
within one priority, users take turns, and the next turn goes to the user who runs the
fewest jobs, counting the jobs placed before in this order (ties: the user whose next job
was queued first). Each user's own jobs keep their order. So one user's 500 queued jobs
never starve another's one: that one is next as soon as a slot frees, and a user who
already runs jobs lets the others catch up before taking more. The turn counts what runs
now, not a memory of who was served when: it is a function of the queue and the running
jobs alone, the same after a restart, and the order ``atlas queue`` shows is the order
jobs start in. With a single user (or none named) it is plain priority order.

**Nested jobs borrow from their ancestors.** A job submitted from inside a running job (its
``parent_id``) that does not fit in what is free may start on the CPU slots and memory its
running parent (or a running ancestor further up) holds, when one ancestor holds enough for
its whole ask; GPUs are never lent (a child's GPUs come from what is free). A parent that
submits a child and waits for it would otherwise hold its slots forever while the child
waits for them: with one slot, a deadlock. The price: a parent that computes while its
children run shares its slots with them. What a queued job waits for is said in words by
:func:`waiting_for`.

**Nodes.** What is free is counted per node (a :class:`Room` each), and a job runs on one
node: one whose labels include the labels the job asks for and where all of its ask is
free. Among those, the node where the fewest GPUs stay free afterwards (so that large GPU
jobs find whole nodes, and CPU-only jobs leave the slots of nodes with idle GPUs to GPU
jobs), then the one with the most CPU slots left (among equal nodes, CPU jobs spread out),
then the first in the nodes' order. The reservation is held on one node: the one of the
job's nodes that can hold it with the most GPUs, then CPU slots, free now. A borrowing child
runs on its lender's node.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from atlas.executors.base import HOST_NODE
from atlas.scheduler.queue import JobQueue, QueueEntry
from atlas.scheduler.resources import Loan, Request
from atlas.units import format_size

__all__ = ["Free", "Plan", "Room", "fair_order", "one_room", "plan", "turns", "waiting_for"]


@dataclass(slots=True)
class Free:
    """What is free: CPU slots, bytes of memory and a number of GPUs."""

    cpus: int
    memory: int
    gpus: int

    def fits(self, request: Request) -> bool:
        """Whether ``request`` fits in what is free."""
        return request.fits(self.cpus, self.memory, self.gpus)

    def take(self, request: Request) -> None:
        """Count ``request`` as used."""
        self.cpus -= request.cpus
        self.memory -= request.memory
        self.gpus -= request.gpus

    def without(self, request: Request) -> Free:
        """What is left for others when ``request`` is set aside (never below zero)."""
        return Free(
            cpus=max(0, self.cpus - request.cpus),
            memory=max(0, self.memory - request.memory),
            gpus=max(0, self.gpus - request.gpus),
        )

    @property
    def exhausted(self) -> bool:
        """Whether no job at all can start (every job needs a CPU slot)."""
        return self.cpus <= 0


@dataclass(slots=True)
class Room:
    """One node in a plan: what is free there, what it has in all (``None``: not known; the
    submit already refused what can never fit), and its labels."""

    free: Free
    total: Free | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def admits(self, request: Request) -> bool:
        """Whether the node could ever run ``request``: it has the labels, and its totals
        (when known) hold the ask."""
        if not request.matches(self.labels):
            return False
        total = self.total
        return total is None or request.fits(total.cpus, total.memory, total.gpus)


def one_room(free: Free) -> dict[str, Room]:
    """A plan's nodes when there is one node (the server's machine) with ``free``."""
    return {HOST_NODE: Room(free)}


@dataclass(slots=True)
class Plan:
    """The jobs to start now, in order, the node each starts on, the job holding the
    reservation (if any), and for each job that starts on what an ancestor holds, its loan."""

    starts: list[QueueEntry] = field(default_factory=list)
    nodes: dict[str, str] = field(default_factory=dict)
    reserved: str | None = None
    loans: dict[str, Loan] = field(default_factory=dict)


class _HasUser(Protocol):
    @property
    def user(self) -> str: ...


def turns(jobs: Iterable[_HasUser]) -> Counter[str]:
    """How many of ``jobs`` (running or starting) each user has: fair share's turns."""
    return Counter(job.user for job in jobs)


def fair_order(queue: JobQueue, running: Mapping[str, int]) -> Iterator[QueueEntry]:
    """The queued jobs in dispatch order, lazily (a dispatch that stops early reads only
    what it needs): by priority, and within one priority by turns between users, each turn
    to the user with the fewest of ``running`` (jobs running per user) plus turns taken in
    this order, ties to the user whose next job was queued first. Iterate it before the
    queue changes."""
    for by_user in queue.levels():
        turns = [
            (running.get(user, 0), jobs[0].queued_at, jobs[0].job_id, user, 0)
            for user, jobs in by_user.items()
        ]
        heapq.heapify(turns)
        while turns:
            served, _, _, user, index = heapq.heappop(turns)
            jobs = by_user[user]
            yield jobs[index]
            if index + 1 < len(jobs):
                following = jobs[index + 1]
                turn = (served + 1, following.queued_at, following.job_id, user, index + 1)
                heapq.heappush(turns, turn)


def plan(
    queue: Iterable[QueueEntry],
    rooms: Mapping[str, Room],
    *,
    lenders: Mapping[str, Free] | None = None,
    parents: Mapping[str, str | None] | None = None,
    placed: Mapping[str, str] | None = None,
) -> Plan:
    """Pick the jobs of ``queue`` (in dispatch order) to start on the nodes ``rooms``.

    ``lenders`` are the running jobs whose children may borrow, with the CPU slots and
    memory each can still lend; ``parents`` gives each running job's parent (to find a
    child's ancestors further up); ``placed`` the node each running job is on (default: the
    server's machine)."""
    result = Plan()
    budgets = {node: Free(r.free.cpus, r.free.memory, r.free.gpus) for node, r in rooms.items()}
    lend = {job_id: Free(f.cpus, f.memory, 0) for job_id, f in (lenders or {}).items()}
    for entry in queue:
        if (node := _place(entry.request, rooms, budgets)) is not None:
            budgets[node].take(entry.request)
            result.starts.append(entry)
            result.nodes[entry.job_id] = node
        elif (
            lent := _borrow(entry, rooms, budgets, lend, parents or {}, placed or {})
        ) is not None:
            loan, node = lent
            result.starts.append(entry)
            result.nodes[entry.job_id] = node
            result.loans[entry.job_id] = loan
        elif result.reserved is None and (node := _reserve(entry.request, rooms, budgets)):
            result.reserved = entry.job_id
            budgets[node] = budgets[node].without(entry.request)
        if (
            result.reserved is not None
            and all(budget.exhausted for budget in budgets.values())
            and not _lending(lend)
        ):
            break  # nothing else can start: stop early, whatever the queue's length
    return result


def _place(request: Request, rooms: Mapping[str, Room], budgets: Mapping[str, Free]) -> str | None:
    """The node ``request`` starts on now (see the module), or ``None``."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, (node, room) in enumerate(rooms.items()):
        budget = budgets[node]
        if budget.fits(request) and request.matches(room.labels):
            rank = (budget.gpus - request.gpus, -(budget.cpus - request.cpus), order)
            if best is None or rank < best:
                best, chosen = rank, node
    return chosen


def _reserve(
    request: Request, rooms: Mapping[str, Room], budgets: Mapping[str, Free]
) -> str | None:
    """The node a job that fits nowhere now waits on: of the nodes that could ever hold
    it, the one with the most GPUs, then CPU slots, free now."""
    able = [(node, budgets[node]) for node, room in rooms.items() if room.admits(request)]
    if not able:
        return None
    return max(able, key=lambda item: (item[1].gpus, item[1].cpus, item[1].memory))[0]


def _borrow(
    entry: QueueEntry,
    rooms: Mapping[str, Room],
    budgets: Mapping[str, Free],
    lend: dict[str, Free],
    parents: Mapping[str, str | None],
    placed: Mapping[str, str],
) -> tuple[Loan, str] | None:
    """A loan from the nearest running ancestor of ``entry`` that can cover its whole ask
    of CPU slots and memory (its GPUs must be free on the ancestor's node), and that node;
    taken from ``lend`` and the node's budget."""
    request = entry.request
    for ancestor in _ancestors(entry.parent_id, lend, parents):
        node = placed.get(ancestor, HOST_NODE)
        budget, room = budgets.get(node), rooms.get(node)
        if budget is None or room is None or not request.matches(room.labels):
            continue
        spare = lend[ancestor]
        if (
            request.gpus <= budget.gpus
            and request.cpus <= spare.cpus
            and request.memory <= spare.memory
        ):
            spare.take(Request(cpus=request.cpus, memory=request.memory, gpus=0))
            budget.gpus -= request.gpus
            return Loan(lender=ancestor, cpus=request.cpus, memory=request.memory), node
    return None


def _ancestors(
    parent: str | None, lend: Mapping[str, Free], parents: Mapping[str, str | None]
) -> Iterable[str]:
    seen: set[str] = set()
    while parent is not None and parent in lend and parent not in seen:
        seen.add(parent)
        yield parent
        parent = parents.get(parent)


def _lending(lend: Mapping[str, Free]) -> bool:
    return any(spare.cpus > 0 for spare in lend.values())


def waiting_for(
    entry: QueueEntry,
    free: Free,
    *,
    reserved: str | None = None,
    parent_holds: Free | None = None,
) -> str:
    """What the queued job ``entry`` waits for, in words, given what is ``free`` now, the
    job holding the reservation, and what its running parent holds (``None``: no parent
    runs)."""
    request = entry.request
    short = []
    if request.cpus > free.cpus:
        short.append(f"{_count(request.cpus, 'CPU slot')} ({free.cpus} free)")
    if request.memory > free.memory:
        short.append(f"{format_size(request.memory)} of memory ({format_size(free.memory)} free)")
    if request.gpus > free.gpus:
        short.append(f"{_count(request.gpus, 'GPU')} ({free.gpus} free)")
    if not short:
        if reserved is not None and reserved != entry.job_id:
            return f"job {reserved}, first in line for what frees up"
        return "nothing: it starts at the next dispatch"
    text = ", ".join(short)
    if parent_holds is not None and entry.parent_id is not None:
        text += (
            f"; its parent job {entry.parent_id} holds {_count(parent_holds.cpus, 'CPU slot')}"
            f" and {format_size(parent_holds.memory)} of memory (a child borrows them only "
            "when they cover its whole ask)"
        )
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
