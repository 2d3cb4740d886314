"""System metrics of a running job, recorded as metrics under ``system/``.

Every few seconds the job's launcher samples the job's process tree (the command and all its
descendants): ``system/cpu_percent`` (100 = one core busy), ``system/rss_mb`` (resident
memory, MiB), and for each GPU given to the job, by its index on the machine,
``system/gpu<i>_util`` (percent) and ``system/gpu<i>_memory_mb`` (memory used on that GPU,
MiB, by every process). GPUs are read through nvidia-ml-py when an NVIDIA driver is present;
without one no GPU metric is recorded. Samples are sent through the SDK's ``Client``; while
the server does not answer they are kept (up to :data:`MAX_PENDING` points) and sent later.

A job that asked for an amount of memory is held to it by :class:`MemoryGuard`: its tree's
resident memory is sampled every second, and a job above its request for
:data:`MEMORY_SAMPLES_OVER` samples in a row, or above it by :data:`MEMORY_MARGIN` at once,
is stopped (failed, with how much it used in its error).
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

import psutil

from atlas.errors import AtlasError, ServerUnavailableError
from atlas.units import format_size

if TYPE_CHECKING:
    from atlas.sdk.buffer import MetricColumns
    from atlas.sdk.client import Client

__all__ = [
    "GpuReader",
    "MAX_PENDING",
    "MEMORY_MARGIN",
    "MEMORY_SAMPLES_OVER",
    "MemoryGuard",
    "MetricsReporter",
    "ProcessTreeSampler",
]

logger = logging.getLogger(__name__)

MAX_PENDING = 100_000
MEMORY_SAMPLES_OVER = 3
"""Samples in a row above its memory request that stop a job."""
MEMORY_MARGIN = 1.5
"""A job above this many times its memory request is stopped at the first sample."""
_MIB = 1024 * 1024


class MemoryGuard:
    """Says when a job's resident memory stays above the ``limit`` bytes it asked for:
    :data:`MEMORY_SAMPLES_OVER` samples in a row above it, or one above ``limit`` times
    :data:`MEMORY_MARGIN` (a job allocating fast would exhaust the machine before the next
    samples). A brief peak above the limit is tolerated."""

    def __init__(
        self, limit: int, *, samples: int = MEMORY_SAMPLES_OVER, margin: float = MEMORY_MARGIN
    ) -> None:
        self.limit = limit
        self.samples = samples
        self.margin = margin
        self._over = 0

    def check(self, rss: int) -> str | None:
        """Count a sample of ``rss`` bytes; the reason to stop the job, or ``None``."""
        self._over = self._over + 1 if rss > self.limit else 0
        if self._over >= self.samples or rss > self.limit * self.margin:
            return (
                f"the job used {format_size(rss)} of memory, above the "
                f"{format_size(self.limit)} it asked for"
            )
        return None


class ProcessTreeSampler:
    """CPU % and RSS of the process ``pid`` and all its descendants."""

    def __init__(self, pid: int) -> None:
        self._root = psutil.Process(pid)
        self._known: dict[int, psutil.Process] = {}

    def sample(self) -> dict[str, float]:
        """``system/cpu_percent`` and ``system/rss_mb`` now; ``{}`` once the process is gone.

        A process's CPU % counts from the previous sample (0 for a process first seen now).
        """
        try:
            if self._root.status() == psutil.STATUS_ZOMBIE:
                return {}
            tree = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return {}
        cpu = 0.0
        rss = 0
        alive: dict[int, psutil.Process] = {}
        for process in tree:
            known = self._known.get(process.pid, process)
            try:
                with known.oneshot():
                    cpu += known.cpu_percent(None)
                    rss += known.memory_info().rss
            except psutil.Error:
                continue
            alive[process.pid] = known
        self._known = alive
        return {"system/cpu_percent": cpu, "system/rss_mb": rss / _MIB}


class GpuReader:
    """Utilisation and memory of the GPUs ``indices`` through NVML (nothing without it)."""

    def __init__(self, indices: Sequence[int]) -> None:
        self._handles: list[tuple[int, object]] = []
        if not indices:
            return
        try:
            import pynvml
        except ImportError:  # nvidia-ml-py is a dependency, but be safe
            return
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:  # no NVIDIA driver on this machine
            logger.debug("no GPU metrics: %s", exc)
            return
        try:
            self._handles = [(i, pynvml.nvmlDeviceGetHandleByIndex(i)) for i in indices]
        except pynvml.NVMLError as exc:  # an index NVML does not know
            logger.warning("no GPU metrics for GPUs %s: %s", list(indices), exc)
            with contextlib.suppress(pynvml.NVMLError):
                pynvml.nvmlShutdown()

    def sample(self) -> dict[str, float]:
        """``system/gpu<i>_util`` and ``system/gpu<i>_memory_mb`` for each readable GPU."""
        values: dict[str, float] = {}
        if not self._handles:
            return values
        import pynvml

        for index, handle in self._handles:
            try:
                rates = pynvml.nvmlDeviceGetUtilizationRates(handle)
                memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            except pynvml.NVMLError as exc:
                logger.debug("GPU %d unreadable: %s", index, exc)
                continue
            values[f"system/gpu{index}_util"] = float(rates.gpu)
            values[f"system/gpu{index}_memory_mb"] = float(memory.used) / _MIB
        return values

    def close(self) -> None:
        """Release NVML."""
        if self._handles:
            import pynvml

            with contextlib.suppress(pynvml.NVMLError):
                pynvml.nvmlShutdown()
            self._handles = []


class MetricsReporter:
    """Sends samples of one job as metric points, step 0, 1, 2, ... per key.

    Each flush seals what was added since the last one into a batch with its own id; a batch
    is resent with the same id until the server stores it, so a retry never duplicates
    points. At most :data:`MAX_PENDING` points wait; the oldest batches go first beyond that.
    """

    def __init__(self, job_id: str, client: Client) -> None:
        self.job_id = job_id
        self._client = client
        self._step = 0
        self._samples: list[tuple[float, dict[str, float]]] = []
        self._outbox: list[tuple[str, list[MetricColumns], int]] = []
        self.stopped = False

    def add(self, values: dict[str, float], *, now: float | None = None) -> None:
        """Queue one sample (taken at ``now``, default: the current time)."""
        if values:
            self._samples.append((time.time() if now is None else now, dict(values)))

    def close(self) -> None:
        """Close the client the samples were sent through."""
        self._client.close()

    def pending(self) -> int:
        """Points queued and not yet stored by the server."""
        sealed = sum(size for _, _, size in self._outbox)
        return sealed + sum(len(values) for _, values in self._samples)

    def flush(self) -> bool:
        """Send what is queued; ``True`` when nothing is left queued. A server that does not
        answer keeps the points for the next flush; any other refusal (the job was deleted)
        drops them and stops the reporter."""
        self._seal()
        while self._outbox and not self.stopped:
            batch_id, columns, _ = self._outbox[0]
            try:
                self._client.send_metrics(self.job_id, columns, batch_id=batch_id)
            except ServerUnavailableError as exc:
                logger.debug("job %s: system metrics kept for later: %s", self.job_id, exc)
                return False
            except AtlasError as exc:
                logger.warning("job %s: system metrics refused: %s", self.job_id, exc)
                self.stopped = True
            del self._outbox[0]
        if self.stopped:
            self._outbox.clear()
        return not self._outbox

    def _seal(self) -> None:
        if not self._samples:
            return
        from atlas.sdk.buffer import MetricColumns

        series: dict[str, MetricColumns] = {}
        for at, values in self._samples:
            for key, value in values.items():
                cols = series.get(key)
                if cols is None:
                    cols = series[key] = MetricColumns(key, array("q"), array("d"), array("d"))
                cols.steps.append(self._step)
                cols.times.append(at)
                cols.values.append(value)
            self._step += 1
        size = sum(len(values) for _, values in self._samples)
        self._samples = []
        self._outbox.append((uuid.uuid4().hex, list(series.values()), size))
        while len(self._outbox) > 1 and self.pending() > MAX_PENDING:
            del self._outbox[0]
