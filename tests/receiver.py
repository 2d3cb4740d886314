"""A real HTTP receiver for notification tests: a ``ThreadingHTTPServer`` on a free loopback
port that records every POST and answers as it is told, per path: a status (200, 500...), a
JSON body, ``HANG`` (no answer until :meth:`Receiver.close`) or ``TRICKLE`` (an answer of
one byte at a time, each well within any read timeout, until :meth:`Receiver.close`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["HANG", "TRICKLE", "Received", "Receiver", "receiver"]

HANG = -1
"""An answer that never comes (the handler waits until the receiver closes)."""
TRICKLE = -2
"""A 200 whose body comes one byte every 0.2 s, never ending before the receiver closes."""


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, object]
    at: float


class Receiver:
    """Records what is posted to it; ``url(path)`` is where to post."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._answers: dict[str, list[tuple[int, bytes]]] = {}
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}{path}"

    def answer(self, path: str, *codes: int, body: object = None) -> None:
        """Answer the next posts to ``path`` with ``codes`` in turn (then 200)."""
        data = b"" if body is None else json.dumps(body).encode()
        with self._changed:
            self._answers.setdefault(path, []).extend((code, data) for code in codes)

    def wait_for(
        self, count: int, *, path: str | None = None, timeout: float = 20.0
    ) -> list[Received]:
        """The first ``count`` posts (to ``path`` when given), waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [r for r in self.received if path is None or r.path == path]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"{len(found)} of {count} posts arrived: {found}"
                self._changed.wait(left)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, path: str) -> tuple[int, bytes]:
        with self._changed:
            queue = self._answers.get(path)
            return queue.pop(0) if queue else (200, b"ok")

    def _record(self, item: Received) -> None:
        with self._changed:
            self.received.append(item)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = json.loads(raw) if raw else {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner._record(Received(self.path, headers, body, time.monotonic()))
                code, data = owner._next(self.path)
                if code == HANG:
                    owner._closing.wait(60)
                    return
                if code == TRICKLE:
                    self._trickle()
                    return
                self.send_response(code)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.flush()
                while not owner._closing.wait(0.2):
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A running :class:`Receiver`, closed afterwards."""
    running = Receiver()
    try:
        yield running
    finally:
        running.close()
