"""What a job asks for and what is free: CPU slots, memory, GPUs and node labels.

A job's ask is a :class:`Request` (GPUs as a count: any free GPU will do; labels a node must
have); what it gets is an ``Allocation`` with the node and the GPU indices picked for it.
The :class:`Ledger` holds the scheduler's accounting in memory, per node: free slots, free
memory, and which job holds each GPU.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from atlas.domain import GIVEN_GPUS, GIVEN_NODE
from atlas.errors import InvalidInputError
from atlas.executors.base import HOST_NODE, Allocation, Node
from atlas.names import check_labels
from atlas.units import parse_memory

__all__ = ["Ledger", "Loan", "NodeLedger", "Request", "labels_text", "request_from"]

logger = logging.getLogger(__name__)

MAX_COUNT = 1 << 20
"""Largest number of CPUs or GPUs a request may name (anything above is a typo)."""


@dataclass(frozen=True, slots=True)
class Request:
    """Resources one job asks for: CPU slots, bytes of memory (0: no amount asked), GPUs,
    labels the node must have (sorted ``(key, value)`` pairs), and whether a job in a
    container image gets a network (``network``; a process on a node always has the node's)."""

    cpus: int = 1
    memory: int = 0
    gpus: int = 0
    labels: tuple[tuple[str, str], ...] = ()
    network: bool = False

    def fits(self, cpus: int, memory: int, gpus: int) -> bool:
        """Whether this request fits in ``cpus`` slots, ``memory`` bytes and ``gpus`` GPUs."""
        return self.cpus <= cpus and self.memory <= memory and self.gpus <= gpus

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a node with ``labels`` has every label this request asks for."""
        return all(labels.get(key) == value for key, value in self.labels)

    def as_resources(
        self, gpu_indices: Iterable[int] | None = None, node: str = HOST_NODE
    ) -> dict[str, object]:
        """The job's ``resources`` object (``memory`` null when no amount was asked), with
        the GPUs and the node it was given when it starts."""
        resources: dict[str, object] = {
            "cpus": self.cpus,
            "gpus": self.gpus,
            "memory": self.memory or None,
        }
        if self.labels:
            resources["labels"] = dict(self.labels)
        if self.network:
            resources["network"] = True
        if gpu_indices is not None:
            resources[GIVEN_GPUS] = sorted(gpu_indices)
        if node != HOST_NODE:
            resources[GIVEN_NODE] = node
        return resources


def labels_text(labels: Iterable[tuple[str, str]]) -> str:
    """``gpu_type=a100, zone=b`` for messages."""
    return ", ".join(f"{key}={value}" for key, value in labels)


@dataclass(frozen=True, slots=True)
class Loan:
    """CPU slots and bytes of memory a nested job runs on that its running ancestor
    ``lender`` holds (see :mod:`atlas.scheduler.policy`)."""

    lender: str
    cpus: int
    memory: int


def request_from(resources: Mapping[str, object]) -> Request:
    """The :class:`Request` in a job's ``resources`` object (``cpus`` default 1, ``gpus`` 0,
    ``memory`` bytes or null, ``labels`` an object of strings or absent, ``network`` a
    boolean or absent)."""
    cpus = _count(resources.get("cpus", 1), "resources.cpus", minimum=1)
    gpus = _count(resources.get("gpus", 0), "resources.gpus", minimum=0)
    raw_memory = resources.get("memory")
    memory = (
        0
        if raw_memory is None
        else parse_memory(raw_memory, where="resources.memory", allow_zero=True)
    )
    raw_labels = resources.get("labels") or {}
    labels = tuple(sorted(check_labels(raw_labels, field="resources.labels").items()))
    network = resources.get("network", False)
    if not isinstance(network, bool):
        raise InvalidInputError(
            f"resources.network must be true or false, not {network!r}",
            detail={"errors": [{"field": "resources.network", "message": "a boolean"}]},
        )
    return Request(cpus=cpus, memory=memory, gpus=gpus, labels=labels, network=network)


def _count(value: object, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise InvalidInputError(
            f"{field} must be an integer from {minimum} to {MAX_COUNT}, not {value!r}",
            detail={"errors": [{"field": field, "message": f"an integer >= {minimum}"}]},
        )
    return value


class NodeLedger:
    """One node's free CPU slots, memory and GPUs, and what each job running there holds.

    A job that borrowed from an ancestor (a :class:`Loan`) holds its whole allocation but
    counts only its GPUs against what is free; the lender can lend that much less. When a
    lender ends before its borrowers, what they borrowed counts as used until they end."""

    def __init__(
        self, *, cpus: int, memory: int, gpus: Iterable[int], node: str = HOST_NODE
    ) -> None:
        self.node = node
        self.labels: Mapping[str, str] = {}
        self.alive = True
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
        allocation = Allocation(
            cpus=request.cpus, memory=request.memory or None, gpus=gpus, node=self.node
        )
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

    @property
    def jobs(self) -> list[str]:
        """The jobs holding something on this node."""
        return list(self._held)


class Ledger:
    """The accounting of every node (a :class:`NodeLedger` each, by ``Node.id``), and on
    which node each running job is. Not thread-safe: the scheduler calls it under its lock.

    Nodes come and go (a Ray cluster): :meth:`update` adds new ones, updates what the known
    ones have, and marks a vanished one not ``alive``; it stays, holding its jobs' shares,
    until the last of them is released. A job adopted on a node the ledger does not know
    is held on a stand-in node of that id with nothing to hand out."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes: dict[str, NodeLedger] = {}
        self._where: dict[str, str] = {}
        self.update(nodes)

    def update(self, nodes: Iterable[Node]) -> None:
        """Take ``nodes`` as the live nodes from now on."""
        live = {node.id: node for node in nodes}
        for node_id, ledger in list(self.nodes.items()):
            if node_id not in live:
                ledger.alive = False
                if not ledger.jobs:
                    del self.nodes[node_id]
        for node in live.values():
            known = self.nodes.get(node.id)
            if known is None:
                known = NodeLedger(
                    cpus=node.cpus, memory=node.memory, gpus=node.gpu_indices, node=node.id
                )
                self.nodes[node.id] = known
            else:
                known.alive = True
                known.total_cpus, known.total_memory = node.cpus, node.memory
                known.gpu_indices = node.gpu_indices
            known.labels = node.labels

    def __iter__(self) -> Iterator[NodeLedger]:
        return iter(self.nodes.values())

    def node_of(self, job_id: str) -> str | None:
        """The node ``job_id`` runs on, if it holds anything."""
        return self._where.get(job_id)

    def take(
        self, job_id: str, request: Request, node: str, *, loan: Loan | None = None
    ) -> Allocation:
        """Give ``job_id`` what ``request`` asks on ``node`` (see ``NodeLedger.take``)."""
        allocation = self.nodes[node].take(job_id, request, loan=loan)
        self._where[job_id] = node
        return allocation

    def hold(self, job_id: str, allocation: Allocation, *, loan: Loan | None = None) -> None:
        """Record that ``job_id`` holds ``allocation`` on ``allocation.node``."""
        self.release(job_id)
        ledger = self.nodes.get(allocation.node)
        if ledger is None:
            logger.warning("job %s holds resources on unknown node %s", job_id, allocation.node)
            ledger = NodeLedger(cpus=0, memory=0, gpus=allocation.gpus, node=allocation.node)
            ledger.alive = False
            self.nodes[allocation.node] = ledger
        ledger.hold(job_id, allocation, loan=loan)
        self._where[job_id] = allocation.node

    def release(self, job_id: str) -> None:
        """Free what ``job_id`` holds; a vanished node goes once nothing is held on it."""
        node = self._where.pop(job_id, None)
        ledger = None if node is None else self.nodes.get(node)
        if ledger is None:
            return
        ledger.release(job_id)
        if not ledger.alive and not ledger.jobs:
            del self.nodes[ledger.node]

    def allocation(self, job_id: str) -> Allocation | None:
        """What ``job_id`` holds, if anything."""
        node = self._where.get(job_id)
        return None if node is None else self.nodes[node].allocation(job_id)

    def lendable(self, job_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """For each of ``job_ids`` that holds something: the CPU slots and bytes of memory
        it can still lend, on its own node."""
        spare: dict[str, tuple[int, int]] = {}
        for ledger in self.nodes.values():
            spare |= ledger.lendable(
                job_id for job_id in job_ids if self._where.get(job_id) == ledger.node
            )
        return spare

    @property
    def total_cpus(self) -> int:
        """CPU slots of the live nodes."""
        return sum(ledger.total_cpus for ledger in self.nodes.values() if ledger.alive)

    @property
    def total_memory(self) -> int:
        """Bytes of memory of the live nodes."""
        return sum(ledger.total_memory for ledger in self.nodes.values() if ledger.alive)

    @property
    def free_cpus(self) -> int:
        """CPU slots no job holds, on the live nodes together (a job runs on one)."""
        return sum(ledger.free_cpus for ledger in self.nodes.values() if ledger.alive)

    @property
    def used_cpus(self) -> int:
        """CPU slots held by running jobs, on every node."""
        return sum(ledger.used_cpus for ledger in self.nodes.values())

    @property
    def used_memory(self) -> int:
        """Bytes of memory held by running jobs, on every node."""
        return sum(ledger.used_memory for ledger in self.nodes.values())
