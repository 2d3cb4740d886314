"""What the artifact stores share: the hashing, size-limited writer and range checks."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import BinaryIO, NamedTuple, Self

from atlas.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    RangeNotSatisfiableError,
)

__all__ = [
    "READ_CHUNK_BYTES",
    "STALE_TEMP_S",
    "TEMP_SUFFIX",
    "HashingWriter",
    "StoredFile",
    "byte_range",
    "read_pieces",
    "temp_name",
    "write_all",
]

READ_CHUNK_BYTES = 1 << 20
"""Size of the pieces ``open_read`` yields."""
TEMP_SUFFIX = ".atlas-tmp"
"""How the temporary file of a write in progress ends (see :func:`temp_name`)."""
STALE_TEMP_S = 15 * 60.0
"""A temporary file not written for this long belongs to a write that ended without
cleaning up (its server was killed): removed at the next server start. An upload in
progress writes every megabyte, and another server on the same artifact store may be
writing, so only age tells."""


def read_pieces(
    opener: Callable[[], BinaryIO], relpath: str, start: int, stop: int
) -> Iterator[bytes]:
    """The bytes ``start:stop`` of the file ``opener`` opens, in pieces of at most
    :data:`READ_CHUNK_BYTES`; the file opens at the first piece asked for and closes with the
    generator. ``NotFoundError`` naming ``relpath`` when it does not exist."""
    if start >= stop:
        return
    try:
        file = opener()
    except FileNotFoundError:
        raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath}) from None
    with file:
        file.seek(start)
        left = stop - start
        while left > 0:
            piece = file.read(min(READ_CHUNK_BYTES, left))
            if not piece:
                return
            left -= len(piece)
            yield bytes(piece)


class StoredFile(NamedTuple):
    """A file as written: its size in bytes and the hex SHA-256 of its content."""

    size: int
    sha256: str


class HashingWriter:
    """A writer to a temporary file that hashes and counts what passes, enforces a size
    limit and moves the file into place on commit. Subclasses provide the three I/O steps
    ``_put``, ``_publish`` and ``_discard``."""

    def __init__(self, relpath: str, *, max_bytes: int | None = None) -> None:
        self.relpath = relpath
        self._max_bytes = max_bytes
        self._hash = hashlib.sha256()
        self._size = 0
        self._done = False

    def write(self, data: bytes) -> None:
        """Add ``data``; ``PayloadTooLargeError`` (and the file discarded) past the limit."""
        if self._done:
            raise RuntimeError(f"the writer of {self.relpath!r} is closed")
        if self._max_bytes is not None and self._size + len(data) > self._max_bytes:
            self.abort()
            raise PayloadTooLargeError(
                f"{self.relpath!r} is larger than {self._max_bytes} bytes",
                detail={"path": self.relpath, "max_bytes": self._max_bytes},
            )
        self._put(data)
        self._hash.update(data)
        self._size += len(data)

    def commit(self) -> StoredFile:
        """Move the file into place and return what was stored."""
        if self._done:
            raise RuntimeError(f"the writer of {self.relpath!r} is closed")
        self._done = True
        try:
            self._publish()
        except BaseException:
            self._discard()
            raise
        return StoredFile(self._size, self._hash.hexdigest())

    def abort(self) -> None:
        """Discard the file; nothing is left behind. Safe to call twice."""
        if not self._done:
            self._done = True
            self._discard()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._done:
            self.commit()

    def _put(self, data: bytes) -> None:
        raise NotImplementedError

    def _publish(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


def write_all(writer: HashingWriter, chunks: Iterable[bytes]) -> StoredFile:
    """Write ``chunks`` through ``writer`` and commit (discarding the file on any error)."""
    with writer:
        for chunk in chunks:
            writer.write(chunk)
        return writer.commit()


def temp_name(name: str) -> str:
    """A hidden, unique temporary name beside the file ``name``."""
    return f".{name[:100]}.{uuid.uuid4().hex}{TEMP_SUFFIX}"


def byte_range(start: int, end: int | None, size: int, relpath: str) -> tuple[int, int]:
    """``(start, stop)`` of a read of ``start:end`` in a file of ``size`` bytes (``end``
    exclusive, clamped). ``RangeNotSatisfiableError`` when it starts past the end."""
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise InvalidInputError("a read must start at an offset of at least 0")
    stop = size if end is None else min(end, size)
    if start > size or stop < start:
        raise RangeNotSatisfiableError(
            f"bytes {start}-{end} are outside {relpath!r} ({size} bytes)",
            detail={"path": relpath, "size": size},
        )
    return start, stop
