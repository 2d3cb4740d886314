"""An ``httpx`` transport that hands requests to the app in the same process.

The server uses it to import the local spool at start: the SDK's ``upload_spool`` talks HTTP
through an ``atlas.sdk.client.Client``, and with this transport its requests go through the
app's full stack (validation, errors, the same code as any client) without a socket, so it
works whatever address and port the server binds.

It must be used from a worker thread started by anyio (``anyio.to_thread.run_sync``) while
the app's event loop runs: each request is run on that loop with ``anyio.from_thread.run``.
Request bodies are streamed to the app piece by piece; answers are read whole (they are
small JSON documents).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

import anyio.from_thread
import anyio.to_thread
import httpx
from starlette.types import ASGIApp

__all__ = ["LOOPBACK_URL", "LoopbackTransport"]

LOOPBACK_URL = "http://atlas.localhost"
"""The base URL of a client over a ``LoopbackTransport`` (never resolved; a ``.localhost``
name, which the app's host guard accepts)."""


class _ThreadedBody(httpx.AsyncByteStream):
    """A synchronous request body read on a worker thread, piece by piece."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces: Iterator[bytes] = iter(pieces)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            piece = await anyio.to_thread.run_sync(next, self._pieces, None)
            if piece is None:
                return
            yield piece


class LoopbackTransport(httpx.BaseTransport):
    """Sends each request of a synchronous ``httpx.Client`` to ``app`` in process."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run ``request`` through the app on its event loop and return the whole answer."""
        assert isinstance(request.stream, Iterable)
        forwarded = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            stream=_ThreadedBody(request.stream),
            extensions=request.extensions,
        )
        return anyio.from_thread.run(self._send, forwarded)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )
