"""What the scheduler keeps of each job the executor runs for it."""

from __future__ import annotations

from dataclasses import dataclass

from atlas.executors.base import Allocation

__all__ = ["RunningJob"]


@dataclass(slots=True)
class RunningJob:
    """A job the executor runs for us: what it holds and when its clock started.

    ``since`` is the scheduler clock when its command started running (its timeout counts
    from there), ``None`` while it is still starting; ``stop`` says why it was asked to stop
    (``cancelled``, ``timeout``, ``memory`` or ``deleted``); ``parent_id`` is the job that
    submitted it (its children may borrow what it holds); ``user`` who submitted it (fair
    share counts each user's running jobs); ``launching`` while the executor's ``launch``
    has not returned (the scheduler makes it without its lock): a stop asked meanwhile is
    sent to the executor once it has."""

    job_id: str
    allocation: Allocation
    timeout: float | None = None
    since: float | None = None
    stop: str | None = None
    parent_id: str | None = None
    user: str = ""
    launching: bool = False
