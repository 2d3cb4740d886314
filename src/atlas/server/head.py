"""``HEAD`` on every ``GET`` route: the same status and headers, no body.

FastAPI routes answer only the methods they declare, so ``HEAD`` of an artifact, a log or a
snapshot would be 405. ``HeadAsGet`` runs such a request as ``GET`` and sends the answer's
status and headers (``Content-Length``, ``ETag``, ``Content-Type``, ...) without its body; a
file's bytes stop being read as soon as the headers are out. Routes that declare ``HEAD``
themselves (``HEAD /api/v1/snapshots/{sha256}``) and paths no ``GET`` route matches (the
GUI answers ``HEAD`` of its pages itself) are left alone.
"""

from __future__ import annotations

import contextlib

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class _HeadersSentError(Exception):
    """Stops a ``GET`` answer once its headers went out as the ``HEAD`` answer."""


class HeadAsGet:
    """Answer ``HEAD`` like ``GET`` without a body wherever only ``GET`` is declared among
    ``routes`` (read when a request comes, so routes added later count)."""

    def __init__(self, app: ASGIApp, *, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    def _declares(self, scope: Scope, method: str) -> bool:
        probe = {**scope, "method": method}
        return any(route.matches(probe)[0] is Match.FULL for route in self.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or self._declares(scope, "HEAD")
            or not self._declares(scope, "GET")
        ):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                raise _HeadersSentError

        with contextlib.suppress(_HeadersSentError):
            await self.app({**scope, "method": "GET"}, receive, headers_only)
