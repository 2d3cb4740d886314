"""Request body limits: a pure ASGI middleware that refuses bodies larger than a route takes.

JSON bodies are read whole by FastAPI before a route runs, so their size must be bounded
before that: a body whose ``Content-Length`` is over the limit is refused at its first read,
and a body sent without one is counted as it arrives. The refusal is an ``HTTPException``
413, which the app's error handlers answer in the one error shape (``payload_too_large``).

Each rule names a method and a path pattern with its limit; ``None`` leaves the body to the
route (uploads stream into the artifact store and count bytes themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyLimitRule"]


@dataclass(frozen=True, slots=True)
class BodyLimitRule:
    """Requests of ``method`` whose path matches ``pattern`` take at most ``max_bytes``
    (``None``: no limit here)."""

    method: str
    pattern: re.Pattern[str]
    max_bytes: int | None


class BodyLimit:
    """Refuse request bodies over ``default_bytes``, or over the first matching rule's limit."""

    def __init__(
        self, app: ASGIApp, *, default_bytes: int, rules: tuple[BodyLimitRule, ...] = ()
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.rules = rules

    def limit_for(self, method: str, path: str) -> int | None:
        """The most bytes a ``method`` request to ``path`` may carry (``None``: no limit)."""
        for rule in self.rules:
            if rule.method == method and rule.pattern.fullmatch(path):
                return rule.max_bytes
        return self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit, _declared_length(scope)), send)


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length", "")
    return int(value) if value.isdigit() else None


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is over the {limit} bytes this route accepts")


def _counting(receive: Receive, limit: int, declared: int | None) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        if declared is not None and declared > limit:
            raise _too_large(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return counted
