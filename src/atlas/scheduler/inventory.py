"""What the machine has to hand out: CPU slots, memory and GPUs by index.

Detected at start (``os.cpu_count``, the physical memory, NVIDIA GPUs through nvidia-ml-py
when it is installed and a driver answers); each can be set instead (settings ``cpus``,
``memory``, ``gpus="0,1,2,3"``), for tests and for machines without NVML. A request that can
never fit the inventory is refused at submit (:func:`check_request`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from atlas.errors import InvalidInputError, ResourceUnavailableError
from atlas.scheduler.resources import Request
from atlas.settings import Settings
from atlas.units import format_size, parse_memory

__all__ = ["GpuInfo", "Inventory", "check_request", "detect_inventory", "parse_gpu_list"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GpuInfo:
    """One GPU: its index (as ``CUDA_VISIBLE_DEVICES`` names it), model name and memory in
    bytes (``None`` when unknown)."""

    index: int
    name: str
    memory_total: int | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything the scheduler hands out: CPU slots, bytes of memory, GPUs."""

    cpus: int
    memory: int
    gpus: tuple[GpuInfo, ...] = ()

    @property
    def gpu_indices(self) -> tuple[int, ...]:
        """The GPUs' indices, in order."""
        return tuple(gpu.index for gpu in self.gpus)

    def describe(self) -> str:
        """The inventory in words, for errors and the server's start message."""
        gpus = ", ".join(str(i) for i in self.gpu_indices) or "none"
        memory = format_size(self.memory)
        return f"{self.cpus} CPU slots, {memory} of memory, {len(self.gpus)} GPUs ({gpus})"


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


def detect_inventory(settings: Settings) -> Inventory:
    """The inventory: detected, with what ``settings`` sets taking precedence."""
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
    return Inventory(cpus=cpus, memory=memory, gpus=gpus)


def check_request(request: Request, inventory: Inventory) -> None:
    """``ResourceUnavailableError`` saying what exists when ``request`` can never fit."""
    problems = []
    if request.gpus > len(inventory.gpus):
        problems.append(f"{request.gpus} GPUs asked, {len(inventory.gpus)} exist")
    if request.cpus > inventory.cpus:
        problems.append(f"{request.cpus} CPU slots asked, {inventory.cpus} exist")
    if request.memory > inventory.memory:
        asked, exist = format_size(request.memory), format_size(inventory.memory)
        problems.append(f"{asked} of memory asked, {exist} exist")
    if problems:
        raise ResourceUnavailableError(
            f"this job can never run here: {'; '.join(problems)} (the server has "
            f"{inventory.describe()})",
            detail={
                "asked": request.as_resources(),
                "available": {
                    "cpus": inventory.cpus,
                    "memory": inventory.memory,
                    "gpus": list(inventory.gpu_indices),
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
