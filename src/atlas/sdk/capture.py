"""Console capture: ``sys.stdout`` and ``sys.stderr`` keep printing and are copied into the
job log of the job that printed.

The capture works at the Python level: while any run captures, ``sys.stdout``/``sys.stderr``
are replaced by one tee each (per process, however many runs capture) that writes to the
original stream and copies each write into one job's log: the sink its ``route`` names at
that moment, in the writing thread. The SDK's route is the run of the writing context
(``atlas.init`` in that thread or task), else the process's main run (the first started), so
with jobs tracked from several threads each job's log holds its own thread's output, and a
thread with no job of its own writes into the main job's log. Output written below Python (C
extensions writing to file descriptor 1, subprocesses, ``sys.stdout.buffer``) is printed but
not captured. The sender takes the copy in chunks (``LogSink.take``) and appends it to the
job log.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import TextIO

__all__ = ["LogSink", "OutputCapture"]


class LogSink:
    """Console text waiting to be sent, in the order it was written."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[str] = []

    def add(self, text: str) -> None:
        """Keep ``text`` (thread-safe)."""
        if text:
            with self._lock:
                self._parts.append(text)

    def take(self) -> bytes:
        """Everything kept so far as UTF-8 (characters that cannot be encoded are written
        as backslash escapes); the sink is left empty."""
        with self._lock:
            parts, self._parts = self._parts, []
        return "".join(parts).encode("utf-8", "backslashreplace")


Route = Callable[[], "LogSink | None"]
"""Which sink a write of the current thread goes to (None: not copied)."""


class _Tee:
    """A text stream that writes to ``stream`` and copies what it writes to the sink that
    ``route`` names at the time of the write."""

    def __init__(self, stream: TextIO, route: Route) -> None:
        self._atlas_stream = stream
        self._atlas_route: Route | None = route

    def write(self, text: str) -> int:
        route = self._atlas_route
        if route is not None:
            sink = route()
            if sink is not None:
                sink.add(text)
        return self._atlas_stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._atlas_stream.flush()

    def detach(self) -> None:
        """Stop copying (the stream keeps working for whoever still holds the tee)."""
        self._atlas_route = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._atlas_stream, name)


class _Installed:
    """The process's tees and how many captures use them."""

    tees: dict[str, _Tee] = {}
    users = 0
    lock = threading.Lock()


class OutputCapture:
    """One run's use of the process's console tees: installed by the first capture, removed
    when the last one is uninstalled. ``sink`` is this run's; ``route`` picks the sink of
    each write (the same function for every run of a process)."""

    def __init__(self, sink: LogSink, route: Route) -> None:
        self.sink = sink
        self._route = route
        self._installed = False

    def install(self) -> None:
        """Start copying both streams (streams that are ``None`` are left alone)."""
        with _Installed.lock:
            if self._installed:
                return
            self._installed = True
            _Installed.users += 1
            for name in ("stdout", "stderr"):
                stream = getattr(sys, name)
                if stream is not None and name not in _Installed.tees:
                    tee = _Tee(stream, self._route)
                    _Installed.tees[name] = tee
                    setattr(sys, name, tee)

    def uninstall(self) -> None:
        """Stop this run's use; the last one out restores the original streams where
        nobody replaced the tees since."""
        with _Installed.lock:
            if not self._installed:
                return
            self._installed = False
            _Installed.users -= 1
            for tee in _Installed.tees.values():
                tee.flush()
            if _Installed.users > 0:
                return
            for name, tee in _Installed.tees.items():
                tee.detach()
                if getattr(sys, name) is tee:
                    setattr(sys, name, tee._atlas_stream)
            _Installed.tees = {}


def forget_after_fork() -> None:
    """In a forked child: the parent's captures are not the child's (its runs stop
    capturing), and the lock may have been held by another thread at the fork."""
    _Installed.lock = threading.Lock()
