"""Requests to ``/tensorboard/<id>/<path>`` forwarded to that TensorBoard, streamed both ways.

Only ever to the instance's own loopback port, and only below its path prefix (which starts
with the instance's secret: ``TensorBoard.upstream``): the path is rebuilt from its segments,
and a ``.`` or ``..`` segment, or one holding a backslash, is refused (404), so no request
reaches anything else. A redirect TensorBoard answers is given back without the secret.
Hop-by-hop headers are dropped both ways, and so are the caller's credentials (the Atlas
session cookie, ``Authorization``, the CSRF token): TensorBoard never sees them. A cookie
TensorBoard would set is not passed on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from atlas.errors import NotFoundError, ResourceUnavailableError
from atlas.server.tensorboards import TensorBoard

__all__ = ["DROPPED_REQUEST_HEADERS", "HOP_BY_HOP", "forward", "upstream_path"]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
"""Headers that concern one connection, never forwarded (RFC 9110, 7.6.1)."""
DROPPED_REQUEST_HEADERS = HOP_BY_HOP | {
    "host",
    "cookie",
    "authorization",
    "x-csrf-token",
    "content-length",  # set again for the body as sent
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
}
DROPPED_RESPONSE_HEADERS = HOP_BY_HOP | {"set-cookie", "set-cookie2"}


def upstream_path(instance: TensorBoard, path: str) -> str:
    """The path on the instance's process that ``path`` (decoded, as routed, below
    ``/tensorboard/<id>/``) names, each segment quoted again; ``NotFoundError`` for a
    segment that would leave it."""
    segments = path.split("/")
    if any(s in (".", "..") or "\\" in s or "\x00" in s for s in segments):
        raise NotFoundError("no such TensorBoard page", detail={"path": path[:200]})
    return instance.upstream + "/".join(quote(s, safe="!$&'()*+,;=:@-._~") for s in segments)


async def forward(
    http: httpx.AsyncClient, instance: TensorBoard, path: str, request: Request
) -> Response:
    """Send ``request`` to ``instance`` at ``path`` (below its prefix) and stream the answer
    back. ``ResourceUnavailableError`` when TensorBoard does not answer."""
    target = upstream_path(instance, path)
    connection_named = {
        name.strip().lower() for name in request.headers.get("connection", "").split(",")
    }
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name not in DROPPED_REQUEST_HEADERS and name not in connection_named
    ]
    body = await request.body() if request.method not in ("GET", "HEAD") else None
    outgoing = http.build_request(
        request.method,
        httpx.URL(
            scheme="http",
            host="127.0.0.1",
            port=instance.port,
            path=target,
            query=request.url.query.encode("ascii", "replace"),
        ),
        headers=headers,
        content=body,
    )
    try:
        answer = await http.send(outgoing, stream=True)
    except httpx.HTTPError as exc:
        raise ResourceUnavailableError(
            f"TensorBoard {instance.id} does not answer: {exc}",
            detail={"tensorboard_id": instance.id},
        ) from exc
    kept = {
        name: _without_secret(instance, value) if name.lower() == "location" else value
        for name, value in answer.headers.multi_items()
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    }
    return StreamingResponse(
        _pieces(answer),
        status_code=answer.status_code,
        headers=kept,
        background=BackgroundTask(answer.aclose),
    )


async def _pieces(answer: httpx.Response) -> AsyncIterator[bytes]:
    async for piece in answer.aiter_raw():
        yield piece


def _without_secret(instance: TensorBoard, location: str) -> str:
    """A redirect's target as the browser must see it: the process's own prefix (with the
    secret) made the public one."""
    secret = f"/{instance.secret}"
    for start in (secret, f"http://127.0.0.1:{instance.port}{secret}"):
        if location.startswith(start):
            return location[len(start) :]
    return location
