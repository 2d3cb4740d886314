"""What there is to hand out: the nodes jobs run on, each with its CPU slots, memory, GPUs by
index and labels.

Without a cluster there is one node, the server's machine, detected at start
(``os.cpu_count``, the physical memory, NVIDIA GPUs through nvidia-ml-py when it is installed
and a driver answers); each can be set instead (settings ``cpus``, ``memory``,
``gpus="0,1,2,3"``, ``labels="gpu_type=a100"``), for tests and for machines without NVML. On a
Ray cluster the executor lists the nodes. A request that no node can ever hold is refused at
submit (:func:`check_request`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from atlas.errors import InvalidInputError, ResourceUnavailableError
from atlas.executors.base import HOST_NODE, GpuInfo, Node
from atlas.names import check_labels, parse_label
from atlas.scheduler.resources import Request, labels_text
from atlas.settings import Settings
from atlas.units import format_size, parse_memory

__all__ = [
    "GpuInfo",
    "Inventory",
    "check_request",
    "detect_inventory",
    "parse_gpu_list",
    "parse_labels",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every node jobs run on (in a stable order)."""

    nodes: tuple[Node, ...]

    @classmethod
    def host(
        cls,
        *,
        cpus: int,
        memory: int,
        gpus: Iterable[GpuInfo] = (),
        labels: dict[str, str] | None = None,
        name: str | None = None,
    ) -> Inventory:
        """The server's machine as the only node."""
        node = Node(
            id=HOST_NODE,
            name=name or socket.gethostname(),
            address="127.0.0.1",
            cpus=cpus,
            memory=memory,
            gpus=tuple(gpus),
            labels=labels or {},
        )
        return cls((node,))

    @property
    def cpus(self) -> int:
        """CPU slots of every node together."""
        return sum(node.cpus for node in self.nodes)

    @property
    def memory(self) -> int:
        """Bytes of memory of every node together."""
        return sum(node.memory for node in self.nodes)

    @property
    def gpus(self) -> tuple[GpuInfo, ...]:
        """The GPUs of every node, node by node."""
        return tuple(gpu for node in self.nodes for gpu in node.gpus)

    def describe(self) -> str:
        """The inventory in words, for errors and the server's start message."""
        if len(self.nodes) == 1:
            return _describe(self.nodes[0])
        memory = format_size(self.memory)
        largest = max(self.nodes, key=lambda node: (len(node.gpus), node.cpus, node.memory))
        return (
            f"{len(self.nodes)} nodes with {self.cpus} CPU slots, {memory} of memory and "
            f"{len(self.gpus)} GPUs in all; the largest: {_describe(largest)}"
        )


def _describe(node: Node) -> str:
    gpus = ", ".join(str(i) for i in node.gpu_indices) or "none"
    text = f"{node.cpus} CPU slots, {format_size(node.memory)} of memory, {len(node.gpus)} GPUs"
    text += f" ({gpus})"
    if node.labels:
        text += f", labels {labels_text(sorted(node.labels.items()))}"
    return text


def parse_gpu_list(text: str) -> tuple[int, ...]:
    """``"0,1,3"`` -> ``(0, 1, 3)``; ``""`` -> ``()``. ``InvalidInputError`` naming the
    setting for anything else."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts) or len(set(parts)) != len(parts):
        raise InvalidInputError(
            f"setting gpus must list distinct GPU indices such as 0,1,2,3, not {text!r}",
            detail={"setting": "gpus"},
        )
    return tuple(sorted(int(part) for part in parts))


def parse_labels(text: str) -> dict[str, str]:
    """``"gpu_type=a100,zone=b"`` -> ``{"gpu_type": "a100", "zone": "b"}`` (the ``labels``
    setting); ``InvalidInputError`` naming the setting for anything else."""
    pairs = [parse_label(part, field="labels") for part in text.split(",") if part.strip()]
    return check_labels(dict(pairs), field="labels")


def detect_inventory(settings: Settings) -> Inventory:
    """The server's machine: detected, with what ``settings`` sets taking precedence."""
    cpus = settings.cpus if settings.cpus is not None else os.cpu_count() or 1
    if cpus < 1:
        raise InvalidInputError("setting cpus must be at least 1", detail={"setting": "cpus"})
    memory = _physical_memory()
    if settings.memory is not None:
        memory = parse_memory(settings.memory)
    found = {gpu.index: gpu for gpu in _nvml_gpus()}
    if settings.gpus is None:
        gpus = tuple(found[index] for index in sorted(found))
    else:
        gpus = tuple(
            found.get(index, GpuInfo(index=index, name=f"GPU {index}"))
            for index in parse_gpu_list(settings.gpus)
        )
    labels = parse_labels(settings.labels)
    return Inventory.host(cpus=cpus, memory=memory, gpus=gpus, labels=labels)


def check_request(request: Request, inventory: Inventory) -> None:
    """``ResourceUnavailableError`` saying what exists when no node can ever hold
    ``request`` (a job runs on one node: the cluster's total is not enough)."""
    labelled = [node for node in inventory.nodes if request.matches(node.labels)]
    if not labelled:
        known = sorted({f"{k}={v}" for node in inventory.nodes for k, v in node.labels.items()})
        raise ResourceUnavailableError(
            f"this job can never run here: no node has the labels "
            f"{labels_text(request.labels)} (the nodes' labels: {', '.join(known) or 'none'})",
            detail={"asked": request.as_resources(), "labels": known},
        )
    if any(request.fits(node.cpus, node.memory, len(node.gpus)) for node in labelled):
        return
    largest = max(labelled, key=lambda node: (len(node.gpus), node.cpus, node.memory))
    problems = []
    if request.gpus > len(largest.gpus):
        problems.append(f"{request.gpus} GPUs asked, {len(largest.gpus)} exist")
    if request.cpus > largest.cpus:
        problems.append(f"{request.cpus} CPU slots asked, {largest.cpus} exist")
    if request.memory > largest.memory:
        asked, exist = format_size(request.memory), format_size(largest.memory)
        problems.append(f"{asked} of memory asked, {exist} exist")
    if not problems:  # each part fits some node, but no node holds all of them
        problems.append("no single node has all of it")
    where = "the server has" if len(inventory.nodes) == 1 else "the largest node has"
    raise ResourceUnavailableError(
        f"this job can never run here: {'; '.join(problems)} ({where} {_describe(largest)})",
        detail={
            "asked": request.as_resources(),
            "available": {
                "cpus": largest.cpus,
                "memory": largest.memory,
                "gpus": list(largest.gpu_indices),
            },
        },
    )


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def _nvml_gpus() -> list[GpuInfo]:
    """The NVIDIA GPUs NVML sees; none when nvidia-ml-py or a driver is missing."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    try:
        return [_nvml_gpu(pynvml, i) for i in range(pynvml.nvmlDeviceGetCount())]
    except pynvml.NVMLError as exc:
        logger.warning("NVML could not list the GPUs: %s", exc)
        return []
    finally:
        pynvml.nvmlShutdown()


def _nvml_gpu(pynvml: object, index: int) -> GpuInfo:
    nvml = pynvml  # typed loosely: nvidia-ml-py ships no type hints
    handle = nvml.nvmlDeviceGetHandleByIndex(index)  # type: ignore[attr-defined]
    name = nvml.nvmlDeviceGetName(handle)  # type: ignore[attr-defined]
    memory = nvml.nvmlDeviceGetMemoryInfo(handle).total  # type: ignore[attr-defined]
    text = name.decode() if isinstance(name, bytes) else str(name)
    return GpuInfo(index=index, name=text, memory_total=int(memory))
