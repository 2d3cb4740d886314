"""``Job``: a handle on a submitted job, enough to drive a hyperparameter search from Python.

Every call asks the server afresh (nothing is cached), through the ``Client`` given to the
handle or, without one, a client made from the settings for that call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, overload

from atlas import domain
from atlas.domain import FINAL_STATUSES, JobStatus, ParamValue
from atlas.errors import NotFoundError

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["Job"]

_POLL_FIRST = 0.05
_POLL_MAX = 1.0
_LOG_CHUNK = 1 << 20


class Job:
    """A scheduled job, by id. ``client`` is used for every request (not closed by the
    handle); without one each call uses the SDK's client (``atlas.configure``, else one
    made from the settings: ``ATLAS_URL``...)."""

    def __init__(self, job_id: str, *, client: Client | None = None) -> None:
        self.id = job_id
        self._client = client

    def __repr__(self) -> str:
        return f"Job({self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @contextmanager
    def _use(self) -> Iterator[Client]:
        if self._client is not None:
            yield self._client
            return
        from atlas.sdk.client import sdk_client

        with sdk_client() as client:
            yield client

    def info(self) -> domain.Job:
        """Everything the server knows of the job (status, params, metrics, times, ...)."""
        with self._use() as client:
            return client.get_job(self.id)

    def status(self) -> JobStatus:
        """The job's status now."""
        return self.info().status

    def wait(self, timeout: float | None = None) -> JobStatus:
        """Block until the job ends; answer its final status. ``TimeoutError`` when it has
        not ended after ``timeout`` seconds (the job goes on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = _POLL_FIRST
        with self._use() as client:
            while True:
                status = client.get_job(self.id).status
                if status in FINAL_STATUSES:
                    return status
                if deadline is not None and time.monotonic() + pause > deadline:
                    raise TimeoutError(f"job {self.id} is still {status} after {timeout} s")
                time.sleep(pause)
                pause = min(pause * 2, _POLL_MAX)

    @overload
    def logs(self, follow: Literal[False] = False) -> str: ...

    @overload
    def logs(self, follow: Literal[True]) -> Iterator[str]: ...

    def logs(self, follow: bool = False) -> str | Iterator[str]:
        """The job's log so far as text; with ``follow``, an iterator of the log's text as
        it is written, which ends when the job does."""
        if follow:
            return self._follow()
        data = bytearray()
        with self._use() as client:
            while True:
                chunk = client.read_log(self.id, offset=len(data), limit=_LOG_CHUNK)
                data += chunk.data
                if not chunk.data or len(data) >= chunk.size:
                    return data.decode("utf-8", "replace")

    def _follow(self) -> Iterator[str]:
        with self._use() as client:
            for event in client.stream_log(self.id):
                if event.text:
                    yield event.text

    def metrics(self) -> dict[str, float]:
        """The last value of each of the job's metrics."""
        return {key: summary.last for key, summary in self.info().metrics.items()}

    def get_metric(self, name: str) -> float:
        """The last value of the metric ``name``; ``NotFoundError`` when the job has not
        logged it."""
        metrics = self.info().metrics
        if name not in metrics:
            raise NotFoundError(f"job {self.id} has no metric {name!r}")
        return metrics[name].last

    def get_param(self, name: str) -> ParamValue:
        """The value of the param ``name``; ``NotFoundError`` when the job has none."""
        params = self.info().params
        if name not in params:
            raise NotFoundError(f"job {self.id} has no param {name!r}")
        return params[name]

    def cancel(self) -> JobStatus:
        """Cancel the job (a running one is sent SIGTERM, then SIGKILL after the server's
        grace period); answer its status right after the request."""
        with self._use() as client:
            return client.cancel_job(self.id).status
