"""Files over HTTP: streamed uploads into the artifact store, and downloads with ranges.

An upload is streamed from the request into an ``ArtifactWriter`` (never held whole in
memory), bounded by ``max_bytes`` (413 past it), and moved into place only when complete.
A download honours one ``Range: bytes=...`` (206, or 416 outside the file); a header this
module cannot read is ignored as HTTP allows, and the whole file is sent. Content types come
from the file name; the artifact kind (image, table, ...) from the content type.
"""

from __future__ import annotations

import functools
import mimetypes
import re
from collections.abc import Iterator

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from atlas.domain import ArtifactKind
from atlas.errors import InvalidInputError, PayloadTooLargeError, RangeNotSatisfiableError
from atlas.store.artifacts import ArtifactStore, StoredFile

__all__ = [
    "SAFE_FILE_HEADERS",
    "guess_kind",
    "guess_mime",
    "open_pieces",
    "parse_range",
    "read_body",
    "receive_upload",
    "stream_file",
]

FLUSH_BYTES = 1 << 20
"""Bytes gathered from the request before one write to the artifact store."""

SAFE_FILE_HEADERS = {
    # A user's HTML or SVG must not run scripts in the GUI's origin.
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
}

_EXTRA_TYPES = {
    ".webp": "image/webp",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/opus",
    ".m4a": "audio/mp4",
    ".md": "text/markdown",
    ".log": "text/plain",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".toml": "application/toml",
    ".jsonl": "application/jsonl",
    ".ipynb": "application/x-ipynb+json",
}
_COMPRESSED = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "br": "application/x-brotli",
    "compress": "application/x-compress",
}
_TEXT_APPLICATION = frozenset(
    {
        "application/json",
        "application/jsonl",
        "application/toml",
        "application/x-ipynb+json",
        "application/xml",
        "application/yaml",
    }
)
_TABLES = frozenset({"text/csv", "text/tab-separated-values"})
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


@functools.cache
def _types() -> mimetypes.MimeTypes:
    # Python's own table only: the answer must not depend on the machine's /etc/mime.types.
    types = mimetypes.MimeTypes()
    for extension, mime in _EXTRA_TYPES.items():
        types.add_type(mime, extension)
    return types


def guess_mime(path: str) -> str:
    """The content type of a file named ``path`` (``application/octet-stream`` if unknown)."""
    mime, encoding = _types().guess_type(path, strict=False)
    if encoding is not None:
        return _COMPRESSED.get(encoding, "application/octet-stream")
    return mime or "application/octet-stream"


def guess_kind(mime: str) -> ArtifactKind:
    """What viewer suits a file of content type ``mime``."""
    major = mime.partition("/")[0]
    if mime == "image/gif":
        return ArtifactKind.GIF
    if major in ("image", "audio", "video"):
        return ArtifactKind(major)
    if mime in _TABLES:
        return ArtifactKind.TABLE
    if major == "text" or mime in _TEXT_APPLICATION:
        return ArtifactKind.TEXT
    return ArtifactKind.FILE


def _check_declared_length(request: Request, max_bytes: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLargeError(
            f"the upload has {declared} bytes, more than the {max_bytes} the server accepts",
            detail={"size": int(declared), "max_bytes": max_bytes},
        )


async def receive_upload(
    request: Request, artifacts: ArtifactStore, relpath: str, *, max_bytes: int
) -> StoredFile:
    """Stream the request body into the file ``relpath`` of ``artifacts``.

    The file appears only when the whole body was received; on any failure (too large, the
    client gone) nothing is left. ``PayloadTooLargeError`` past ``max_bytes``.
    """
    _check_declared_length(request, max_bytes)
    writer = await run_in_threadpool(artifacts.open_writer, relpath, max_bytes=max_bytes)
    try:
        pending = bytearray()
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= FLUSH_BYTES:
                await run_in_threadpool(writer.write, bytes(pending))
                pending.clear()
        if pending:
            await run_in_threadpool(writer.write, bytes(pending))
        return await run_in_threadpool(writer.commit)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(writer.abort)
        if isinstance(exc, ClientDisconnect):
            raise InvalidInputError("the client went away before the upload ended") from None
        raise


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """The whole request body, refused with ``PayloadTooLargeError`` past ``max_bytes``."""
    _check_declared_length(request, max_bytes)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_bytes:
                raise PayloadTooLargeError(
                    f"the request body is over the {max_bytes} bytes the server accepts",
                    detail={"max_bytes": max_bytes},
                )
    except ClientDisconnect:
        raise InvalidInputError("the client went away before the body ended") from None
    return bytes(body)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The byte range ``(start, end)`` (``end`` exclusive) that a ``Range`` header asks of a
    file of ``size`` bytes, or ``None`` to send the whole file (no header, or one that is
    not a single well-formed byte range). ``RangeNotSatisfiableError`` when the range lies
    outside the file."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size
        if int(last) == 0 or size == 0:
            raise _unsatisfiable(header or "", size)
        return start, end
    start = int(first)
    if last != "" and int(last) < start:
        return None  # last < first: not a valid range, so ignored
    if start >= size:
        raise _unsatisfiable(header or "", size)
    end = size if last == "" else min(int(last) + 1, size)
    return start, end


def _unsatisfiable(header: str, size: int) -> RangeNotSatisfiableError:
    return RangeNotSatisfiableError(
        f"the range {header[:100]!r} is outside the file of {size} bytes",
        detail={"size": size, "range": header[:100]},
    )


async def stream_file(
    artifacts: ArtifactStore,
    relpath: str,
    *,
    size: int,
    mime: str,
    range_header: str | None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A response with the file ``relpath`` (200), or the part ``range_header`` asks (206).

    Errors (a missing file, a bad range) are raised before any byte is sent.
    """
    span = parse_range(range_header, size)
    start, end = span if span is not None else (0, size)
    pieces = await open_pieces(artifacts, relpath, start, end)
    all_headers = {**SAFE_FILE_HEADERS, **(headers or {}), "Accept-Ranges": "bytes"}
    all_headers["Content-Length"] = str(end - start)
    if span is not None:
        all_headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    status = 206 if span is not None else 200
    return StreamingResponse(pieces, status_code=status, media_type=mime, headers=all_headers)


async def open_pieces(
    artifacts: ArtifactStore, relpath: str, start: int, end: int
) -> Iterator[bytes]:
    """The bytes ``start:end`` of ``relpath`` in pieces, with the file already opened and
    its first piece read, so that a missing file or a bad range raises here and not in the
    middle of a response."""
    pieces = await run_in_threadpool(artifacts.open_read, relpath, start, end)
    first = await run_in_threadpool(next, pieces, b"")
    return _chain(first, pieces)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest
