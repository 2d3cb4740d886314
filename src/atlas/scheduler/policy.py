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
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from atlas.scheduler.queue import JobQueue, QueueEntry
from atlas.scheduler.resources import Loan, Request
from atlas.units import format_size

__all__ = ["Free", "Plan", "fair_order", "plan", "waiting_for"]


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
class Plan:
    """The jobs to start now, in order, the job holding the reservation (if any), and for
    each job that starts on what an ancestor holds, its loan."""

    starts: list[QueueEntry] = field(default_factory=list)
    reserved: str | None = None
    loans: dict[str, Loan] = field(default_factory=dict)


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
    free: Free,
    *,
    lenders: Mapping[str, Free] | None = None,
    parents: Mapping[str, str | None] | None = None,
) -> Plan:
    """Pick the jobs of ``queue`` (in dispatch order) to start in ``free``.

    ``lenders`` are the running jobs whose children may borrow, with the CPU slots and
    memory each can still lend; ``parents`` gives each running job's parent (to find a
    child's ancestors further up)."""
    result = Plan()
    budget = Free(free.cpus, free.memory, free.gpus)
    lend = {job_id: Free(f.cpus, f.memory, 0) for job_id, f in (lenders or {}).items()}
    for entry in queue:
        if budget.fits(entry.request):
            budget.take(entry.request)
            result.starts.append(entry)
        elif (loan := _borrow(entry, budget, lend, parents or {})) is not None:
            result.starts.append(entry)
            result.loans[entry.job_id] = loan
        elif result.reserved is None:
            result.reserved = entry.job_id
            budget = budget.without(entry.request)
        if budget.exhausted and result.reserved is not None and not _lending(lend):
            break  # nothing else can start: stop early, whatever the queue's length
    return result


def _borrow(
    entry: QueueEntry, budget: Free, lend: dict[str, Free], parents: Mapping[str, str | None]
) -> Loan | None:
    """A loan from the nearest running ancestor of ``entry`` that can cover its whole ask
    of CPU slots and memory (its GPUs must be free), taken from ``lend`` and ``budget``."""
    request = entry.request
    if request.gpus > budget.gpus:
        return None
    for ancestor in _ancestors(entry.parent_id, lend, parents):
        spare = lend[ancestor]
        if request.cpus <= spare.cpus and request.memory <= spare.memory:
            spare.take(Request(cpus=request.cpus, memory=request.memory, gpus=0))
            budget.gpus -= request.gpus
            return Loan(lender=ancestor, cpus=request.cpus, memory=request.memory)
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
