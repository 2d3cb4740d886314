"""What a job asks for and what is free: CPU slots, memory and GPUs, as plain numbers.

A job's ask is a :class:`Request` (GPUs as a count: any free GPU will do); what it gets is an
``Allocation`` with the GPU indices picked for it. The :class:`Ledger` holds the scheduler's
accounting in memory: free slots, free memory, and which job holds each GPU.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from atlas.domain import GIVEN_GPUS
from atlas.errors import InvalidInputError
from atlas.executors.base import Allocation
from atlas.units import parse_memory

__all__ = ["Ledger", "Loan", "Request", "request_from"]

logger = logging.getLogger(__name__)

MAX_COUNT = 1 << 20
"""Largest number of CPUs or GPUs a request may name (anything above is a typo)."""


@dataclass(frozen=True, slots=True)
class Request:
    """Resources one job asks for: CPU slots, bytes of memory (0: no amount asked), GPUs."""

    cpus: int = 1
    memory: int = 0
    gpus: int = 0

    def fits(self, cpus: int, memory: int, gpus: int) -> bool:
        """Whether this request fits in ``cpus`` slots, ``memory`` bytes and ``gpus`` GPUs."""
        return self.cpus <= cpus and self.memory <= memory and self.gpus <= gpus

    def as_resources(self, gpu_indices: Iterable[int] | None = None) -> dict[str, object]:
        """The job's ``resources`` object (``memory`` null when no amount was asked)."""
        resources: dict[str, object] = {
            "cpus": self.cpus,
            "gpus": self.gpus,
            "memory": self.memory or None,
        }
        if gpu_indices is not None:
            resources[GIVEN_GPUS] = sorted(gpu_indices)
        return resources


@dataclass(frozen=True, slots=True)
class Loan:
    """CPU slots and bytes of memory a nested job runs on that its running ancestor
    ``lender`` holds (see :mod:`atlas.scheduler.policy`)."""

    lender: str
    cpus: int
    memory: int


def request_from(resources: Mapping[str, object]) -> Request:
    """The :class:`Request` in a job's ``resources`` object (``cpus`` default 1, ``gpus`` 0,
    ``memory`` bytes or null)."""
    cpus = _count(resources.get("cpus", 1), "resources.cpus", minimum=1)
    gpus = _count(resources.get("gpus", 0), "resources.gpus", minimum=0)
    raw_memory = resources.get("memory")
    memory = (
        0
        if raw_memory is None
        else parse_memory(raw_memory, where="resources.memory", allow_zero=True)
    )
    return Request(cpus=cpus, memory=memory, gpus=gpus)


def _count(value: object, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise InvalidInputError(
            f"{field} must be an integer from {minimum} to {MAX_COUNT}, not {value!r}",
            detail={"errors": [{"field": field, "message": f"an integer >= {minimum}"}]},
        )
    return value


class Ledger:
    """Free CPU slots, memory and GPUs, and what each running job holds. Not thread-safe:
    the scheduler calls it under its lock.

    A job that borrowed from an ancestor (a :class:`Loan`) holds its whole allocation but
    counts only its GPUs against what is free; the lender can lend that much less. When a
    lender ends before its borrowers, what they borrowed counts as used until they end."""

    def __init__(self, *, cpus: int, memory: int, gpus: Iterable[int]) -> None:
        self.total_cpus = cpus
        self.total_memory = memory
        self.gpu_indices = tuple(sorted(set(gpus)))
        self._used_cpus = 0
        self._used_memory = 0
        self._gpu_holder: dict[int, str] = {}
        self._held: dict[str, Allocation] = {}
        self._loans: dict[str, Loan] = {}

    @property
    def free_cpus(self) -> int:
        """CPU slots no job holds (never below zero)."""
        return max(0, self.total_cpus - self._used_cpus)

    @property
    def free_memory(self) -> int:
        """Bytes of memory no job holds (never below zero)."""
        return max(0, self.total_memory - self._used_memory)

    @property
    def free_gpus(self) -> list[int]:
        """Indices of the GPUs no job holds, in order."""
        return [index for index in self.gpu_indices if index not in self._gpu_holder]

    @property
    def used_cpus(self) -> int:
        """CPU slots held by running jobs."""
        return self._used_cpus

    @property
    def used_memory(self) -> int:
        """Bytes of memory held by running jobs."""
        return self._used_memory

    def holder(self, gpu: int) -> str | None:
        """The id of the job holding GPU ``gpu``, if any."""
        return self._gpu_holder.get(gpu)

    def take(self, job_id: str, request: Request, *, loan: Loan | None = None) -> Allocation:
        """Give ``job_id`` what ``request`` asks, with the lowest free GPU indices; with a
        ``loan``, its CPU slots and memory come from the lender. The caller checked that it
        fits."""
        gpus = tuple(self.free_gpus[: request.gpus])
        own = request if loan is None else Request(cpus=0, memory=0, gpus=request.gpus)
        if len(gpus) < request.gpus or not own.fits(self.free_cpus, self.free_memory, 99):
            raise RuntimeError(f"job {job_id}: {request} does not fit what is free")
        if loan is not None and not self._can_lend(loan):
            raise RuntimeError(f"job {job_id}: job {loan.lender} cannot lend {loan}")
        allocation = Allocation(cpus=request.cpus, memory=request.memory or None, gpus=gpus)
        self.hold(job_id, allocation, loan=loan)
        return allocation

    def lendable(self, job_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """For each of ``job_ids`` that holds something: the CPU slots and bytes of memory
        it can still lend (what it holds minus what it lent)."""
        spare: dict[str, tuple[int, int]] = {}
        for job_id in job_ids:
            allocation = self._held.get(job_id)
            if allocation is not None:
                spare[job_id] = (allocation.cpus, allocation.memory or 0)
        for loan in self._loans.values():
            if loan.lender in spare:
                cpus, memory = spare[loan.lender]
                spare[loan.lender] = (cpus - loan.cpus, memory - loan.memory)
        return spare

    def _can_lend(self, loan: Loan) -> bool:
        cpus, memory = self.lendable([loan.lender]).get(loan.lender, (0, 0))
        return loan.cpus <= cpus and loan.memory <= memory

    def hold(self, job_id: str, allocation: Allocation, *, loan: Loan | None = None) -> None:
        """Record that ``job_id`` holds ``allocation`` (a job adopted after a restart keeps
        the GPUs it had, even when the inventory changed meanwhile), of which ``loan`` is
        borrowed."""
        self.release(job_id)
        for gpu in allocation.gpus:
            other = self._gpu_holder.get(gpu)
            if other is not None:
                logger.warning("GPU %d is held by jobs %s and %s", gpu, other, job_id)
            self._gpu_holder[gpu] = job_id
        self._used_cpus += allocation.cpus - (loan.cpus if loan else 0)
        self._used_memory += (allocation.memory or 0) - (loan.memory if loan else 0)
        self._held[job_id] = allocation
        if loan is not None:
            self._loans[job_id] = loan

    def release(self, job_id: str) -> None:
        """Free what ``job_id`` holds (nothing when it holds nothing); what it lent to jobs
        still running counts as theirs from now on."""
        allocation = self._held.pop(job_id, None)
        if allocation is None:
            return
        loan = self._loans.pop(job_id, None)
        self._used_cpus -= allocation.cpus - (loan.cpus if loan else 0)
        self._used_memory -= (allocation.memory or 0) - (loan.memory if loan else 0)
        for borrower, lent in list(self._loans.items()):
            if lent.lender == job_id:
                del self._loans[borrower]
                self._used_cpus += lent.cpus
                self._used_memory += lent.memory
        for gpu in allocation.gpus:
            if self._gpu_holder.get(gpu) == job_id:
                del self._gpu_holder[gpu]

    def allocation(self, job_id: str) -> Allocation | None:
        """What ``job_id`` holds, if anything."""
        return self._held.get(job_id)
