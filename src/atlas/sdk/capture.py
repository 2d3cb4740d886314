"""Console capture: ``sys.stdout`` and ``sys.stderr`` keep printing and are copied into the
job log.

The capture works at the Python level: it replaces ``sys.stdout``/``sys.stderr`` with a tee
that writes to the original stream and keeps a copy. Output written below Python (C
extensions writing to file descriptor 1, subprocesses, ``sys.stdout.buffer``) is printed
but not captured. The sender takes the copy in chunks (``LogSink.take``) and appends it to
the job log.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
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


class _Tee:
    """A text stream that writes to ``stream`` and copies what it writes to ``sink``."""

    def __init__(self, stream: TextIO, sink: LogSink) -> None:
        self._atlas_stream = stream
        self._atlas_sink: LogSink | None = sink

    def write(self, text: str) -> int:
        sink = self._atlas_sink
        if sink is not None:
            sink.add(text)
        return self._atlas_stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._atlas_stream.flush()

    def detach_sink(self) -> None:
        """Stop copying (the stream keeps working for whoever still holds the tee)."""
        self._atlas_sink = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._atlas_stream, name)


class OutputCapture:
    """Installs tees on ``sys.stdout`` and ``sys.stderr`` and removes them again."""

    def __init__(self, sink: LogSink) -> None:
        self.sink = sink
        self._tees: dict[str, _Tee] = {}

    def install(self) -> None:
        """Start copying both streams into the sink (streams that are ``None`` are left)."""
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is not None and name not in self._tees:
                tee = _Tee(stream, self.sink)
                self._tees[name] = tee
                setattr(sys, name, tee)

    def uninstall(self) -> None:
        """Stop copying; restore the original streams where nobody replaced ours since."""
        for name, tee in self._tees.items():
            tee.flush()
            tee.detach_sink()
            if getattr(sys, name) is tee:
                setattr(sys, name, tee._atlas_stream)
        self._tees.clear()
