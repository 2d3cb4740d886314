"""How the process ends, as the job's final status.

Installed once, when the first job this process reports on starts:

- ``sys.excepthook`` is chained: an uncaught exception fails the job with its type, message
  and traceback (``KeyboardInterrupt`` cancels it), then the previous hook prints it as usual;
- ``sys.exit`` is wrapped: a non-zero (or text) exit code fails the job;
- ``SIGTERM`` (when its handler is the default) cancels the job: the handler raises
  ``SystemExit(143)`` so ``finally`` blocks and ``atexit`` still run;
- ``atexit`` ends every job still open, with the outcome above, or completed.

``os._exit`` and ``SIGKILL`` skip all of this; the server marks such a job lost.
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import NoReturn

from atlas.domain import JobError, JobStatus

__all__ = ["Outcome", "exception_outcome", "install", "outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A job's end: status, exit code and, unless it completed, why."""

    status: JobStatus
    exit_code: int
    error: JobError | None = None


_COMPLETED = Outcome(JobStatus.COMPLETED, 0)
_state: dict[str, Outcome] = {}
_installed = False
_lock = threading.Lock()


def outcome() -> Outcome:
    """How the process is ending, as far as is known now."""
    return _state.get("outcome", _COMPLETED)


def exception_outcome(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> Outcome:
    """The outcome of a job ended by ``exc``."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    module = exc_type.__module__
    name = exc_type.__qualname__ if module == "builtins" else f"{module}.{exc_type.__qualname__}"
    error = JobError(type=name, message=str(exc), traceback=text)
    if issubclass(exc_type, KeyboardInterrupt):
        return Outcome(JobStatus.CANCELLED, 130, error)
    if issubclass(exc_type, SystemExit):
        return _exit_outcome(exc.code if isinstance(exc, SystemExit) else None, text)
    return Outcome(JobStatus.FAILED, 1, error)


def _exit_outcome(code: object, stack: str) -> Outcome:
    if code is None or code == 0:
        return _COMPLETED
    if isinstance(code, int) and not isinstance(code, bool):
        error = JobError(type="SystemExit", message=f"exit code {code}", traceback=stack)
        return Outcome(JobStatus.FAILED, code, error)
    return Outcome(JobStatus.FAILED, 1, JobError("SystemExit", str(code), stack))


def install(on_exit: Callable[[], None]) -> None:
    """Install the hooks of the module docstring once; ``on_exit`` runs at exit."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous_hook = sys.excepthook

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        _state.setdefault("outcome", exception_outcome(exc_type, exc, tb))
        previous_hook(exc_type, exc, tb)

    sys.excepthook = excepthook
    sys.exit = _wrap_exit(sys.exit)
    _install_sigterm()
    atexit.register(on_exit)


def _wrap_exit(original: Callable[..., NoReturn]) -> Callable[..., NoReturn]:
    def exit(status: object = None) -> NoReturn:
        if threading.current_thread() is threading.main_thread():
            stack = "".join(traceback.format_stack(limit=20)[:-1])
            _state["outcome"] = _exit_outcome(status, stack)
        original(status)

    exit.__doc__ = original.__doc__
    exit.__wrapped__ = original  # type: ignore[attr-defined]
    return exit


def _install_sigterm() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # the program handles SIGTERM itself

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        error = JobError(type="SIGTERM", message="terminated by SIGTERM")
        _state["outcome"] = Outcome(JobStatus.CANCELLED, 128 + signum, error)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
