"""Scalars of event files sent as a job's metrics, in batches of the SDK's size.

A batch keeps the id it was sealed with until the server stores it, so a batch sent again
after a timeout is stored once (the server remembers the ids it stored).
"""

from __future__ import annotations

import logging
import uuid
from array import array
from collections.abc import Iterable

from atlas.errors import AtlasError, ServerUnavailableError
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.client import Client
from atlas.settings import Settings
from atlas.tbevents.scalars import ScalarSeries

__all__ = ["DEFAULT_BATCH_POINTS", "Outbox", "batches"]

logger = logging.getLogger(__name__)

DEFAULT_BATCH_POINTS: int = Settings().batch_points
"""Most points in one request: the SDK's ``batch_points`` setting's default."""


def batches(
    series: Iterable[tuple[str, ScalarSeries]], batch_points: int
) -> list[list[MetricColumns]]:
    """``(key, series)`` pairs cut into batches of at most ``batch_points`` points, a key at
    most once in a batch (a long series spans several)."""
    size = max(1, batch_points)
    result: list[list[MetricColumns]] = []
    current: list[MetricColumns] = []
    room = size
    for key, points in series:
        start = 0
        while start < len(points):
            if room == 0:
                result.append(current)
                current, room = [], size
            end = min(len(points), start + room)
            current.append(
                MetricColumns(
                    key,
                    array("q", points.steps[start:end]),
                    array("d", points.times[start:end]),
                    array("d", points.values[start:end]),
                )
            )
            room -= end - start
            start = end
    if current:
        result.append(current)
    return result


class Outbox:
    """Batches of one job waiting to be stored, sent in order.

    Each sealed batch gets a random id, kept until the server stores it; a server that does
    not answer keeps the batches for the next :meth:`flush`; any other refusal (the job was
    deleted, its token ended) drops them all and closes the outbox (:attr:`refusal` says
    why).
    """

    def __init__(
        self,
        client: Client,
        job_id: str,
        *,
        batch_points: int = DEFAULT_BATCH_POINTS,
    ) -> None:
        self.client = client
        self.job_id = job_id
        self.batch_points = batch_points
        self.closed = False
        self.refusal: AtlasError | None = None
        self.sent_points = 0
        self._waiting: list[tuple[str, list[MetricColumns]]] = []

    def add(self, series: Iterable[tuple[str, ScalarSeries]]) -> None:
        """Seal ``(key, series)`` pairs into batches."""
        if self.closed:
            return
        for columns in batches(series, self.batch_points):
            self._waiting.append((uuid.uuid4().hex, columns))

    @property
    def pending(self) -> int:
        """Points sealed and not yet stored."""
        return sum(len(c) for _, batch in self._waiting for c in batch)

    def flush(self) -> bool:
        """Send the waiting batches; ``True`` when none is left. ``ServerUnavailableError``
        is not raised: the batches wait for the next flush."""
        while self._waiting and not self.closed:
            batch_id, columns = self._waiting[0]
            try:
                self.client.send_metrics(self.job_id, columns, batch_id=batch_id)
            except ServerUnavailableError as exc:
                logger.debug("job %s: TensorBoard scalars kept for later: %s", self.job_id, exc)
                return False
            except AtlasError as exc:
                logger.warning("job %s: TensorBoard scalars refused: %s", self.job_id, exc)
                self.closed = True
                self.refusal = exc
                self._waiting.clear()
                return False
            self.sent_points += sum(len(c) for c in columns)
            del self._waiting[0]
        return not self._waiting
