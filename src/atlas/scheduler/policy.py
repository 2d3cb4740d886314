"""Which queued jobs start now: priority order, backfill without head-of-line blocking, and
a reservation so that a large job is never starved.

The rule, in dispatch order: a job that fits in what is free starts. The first job that
does not fit holds the *reservation*: from then on, a later job may start only if it fits in
what is free *minus what the reserved job needs*. So smaller jobs keep the machine busy
while the large one waits, but they never take anything the reserved job is waiting for:
every resource a running job frees goes towards the reserved job until it fits, and as
running jobs end it starts (jobs of higher priority submitted meanwhile go first, by
design). ``plan`` is a pure function of the queue and what is free, so tests step it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from atlas.scheduler.queue import QueueEntry
from atlas.scheduler.resources import Request

__all__ = ["Free", "Plan", "plan"]


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
    """The jobs to start now, in order, and the job holding the reservation (if any)."""

    starts: list[QueueEntry] = field(default_factory=list)
    reserved: str | None = None


def plan(queue: Iterable[QueueEntry], free: Free) -> Plan:
    """Pick the jobs of ``queue`` (in dispatch order) to start in ``free``."""
    result = Plan()
    budget = Free(free.cpus, free.memory, free.gpus)
    for entry in queue:
        if budget.fits(entry.request):
            budget.take(entry.request)
            result.starts.append(entry)
        elif result.reserved is None:
            result.reserved = entry.job_id
            budget = budget.without(entry.request)
        if budget.exhausted and result.reserved is not None:
            break  # nothing else can start: stop early, whatever the queue's length
    return result
