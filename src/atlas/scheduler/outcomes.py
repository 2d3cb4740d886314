"""How a scheduled job's end is recorded: the final status and error from what the executor
reports and why the scheduler stopped it (a cancel, a timeout)."""

from __future__ import annotations

from atlas.domain import FINAL_STATUSES, JobError, JobStatus
from atlas.errors import AtlasError
from atlas.executors.base import Outcome

__all__ = ["error_message", "final_status"]


def final_status(
    stop: str | None, timeout: float | None, outcome: Outcome
) -> tuple[JobStatus, JobError | None]:
    """The status and error to record for a job that ended with ``outcome`` after the
    scheduler asked it to ``stop`` (``"cancelled"``, ``"timeout"`` or ``None``).

    A timeout (the scheduler's or the launcher's own) fails the job with the error type
    ``Timeout``; a cancel ends it ``cancelled`` whatever its exit code; a job stopped for
    using more memory than it asked for fails with the type ``MemoryLimit`` and how much it
    used; otherwise the executor's status stands (``completed`` only for exit code 0).
    """
    if stop == "timeout" or outcome.details.get("timed_out"):
        limit = "" if timeout is None else f" of {timeout:g} seconds"
        message = f"the job ran longer than its timeout{limit}"
        return JobStatus.FAILED, JobError(type="Timeout", message=message)
    if stop == "cancelled" or outcome.status == JobStatus.CANCELLED:
        # the launcher was cancelled by this server, or by a server in standby beside it
        return JobStatus.CANCELLED, None
    if outcome.details.get("memory_exceeded"):
        message = outcome.error or "the job used more memory than it asked for"
        return JobStatus.FAILED, JobError(type="MemoryLimit", message=message)
    status = outcome.status if outcome.status in FINAL_STATUSES else JobStatus.FAILED
    if status == JobStatus.COMPLETED or outcome.error is None:
        return status, None
    return status, JobError(type=_error_type(status, outcome), message=outcome.error)


def error_message(exc: Exception) -> str:
    """The sentence recorded for a job that could not be launched because of ``exc``."""
    return exc.message if isinstance(exc, AtlasError) else str(exc) or type(exc).__name__


def _error_type(status: JobStatus, outcome: Outcome) -> str:
    if status == JobStatus.LOST:
        return "Lost"
    if outcome.signal is not None:
        return "Signal"
    return "ExitCode" if outcome.exit_code not in (None, 0) else "LaunchError"
