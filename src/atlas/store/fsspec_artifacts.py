"""Artifacts on any fsspec filesystem (``s3://bucket/prefix``, ``gs://...``, ``memory://``).

A file is written under a temporary key and moved to its name when complete (the S3 store,
:mod:`atlas.store.s3_artifacts`, uploads in parts to the name itself instead). Object stores
cannot append, so a file that ``append`` grows is a run of part objects
(:mod:`atlas.store.part_files`): an append writes only its own bytes, a read fetches only
the parts its range touches. A file is one object, or a run of parts once appended to; a
whole ``write`` replaces either.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from fsspec.core import url_to_fs

from atlas.errors import ConflictError, NotFoundError
from atlas.store.artifact_paths import safe_relpath
from atlas.store.artifact_writing import (
    STALE_TEMP_S,
    TEMP_SUFFIX,
    HashingWriter,
    StoredFile,
    byte_range,
    read_pieces,
    temp_name,
    write_all,
)
from atlas.store.part_files import PartRun, part_key, part_offset, parts_prefix

__all__ = ["FsspecArtifactStore"]

KNOWN_RUNS = 4096
"""Appended files whose parts a store remembers, so a reader polling a growing log lists
only what is new."""
APPEND_TRIES = 20
"""Appends that lose the race for the file's end to another writer before giving up."""


class FsspecArtifactStore:
    """An ``ArtifactStore`` under the fsspec URL ``url``; ``storage_options`` go to the
    filesystem (credentials, endpoint, ...)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url
        fs, root = url_to_fs(url, **storage_options)
        self._fs: Any = fs
        self._root = str(root).rstrip("/")
        self._append_lock = threading.Lock()
        self._runs_lock = threading.Lock()
        self._runs: OrderedDict[str, PartRun] = OrderedDict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    def open_writer(self, relpath: str, *, max_bytes: int | None = None) -> HashingWriter:
        """A writer that replaces ``relpath`` when committed."""
        key = self._key(relpath)
        return _FsspecWriter(
            self._fs, relpath, key, max_bytes=max_bytes, after=lambda: self._drop_parts(key)
        )

    def write(
        self, relpath: str, chunks: Iterable[bytes], *, max_bytes: int | None = None
    ) -> StoredFile:
        """Write ``chunks`` as the file ``relpath`` and return its size and hash."""
        return write_all(self.open_writer(relpath, max_bytes=max_bytes), chunks)

    def append(self, relpath: str, data: bytes) -> int:
        """Append ``data`` to ``relpath`` (created when missing) as one new part; return
        the new size. ``ConflictError`` when other writers kept taking the end."""
        key = self._key(relpath)
        with self._append_lock:
            if not data:
                try:
                    return self.size(relpath)
                except NotFoundError:
                    self._fs.pipe_file(key, b"")  # created, as a local file would be
                    return 0
            for _ in range(APPEND_TRIES):
                run = self._run(key) or self._start_run(key)
                offset = run.end if run is not None else 0
                if self._create_part(key, offset, bytes(data)):
                    self._remember(key, run, offset, len(data))
                    return offset + len(data)
        raise ConflictError(
            f"{relpath!r} kept growing under other writers", detail={"path": relpath}
        )

    def size(self, relpath: str) -> int:
        """The size of the file in bytes."""
        key = self._key(relpath)
        run = self._run(key)
        if run is not None:
            return run.end
        size = self._object_size(key)
        if size is None:
            raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath})
        return size

    def exists(self, relpath: str) -> bool:
        """Whether the file exists."""
        key = self._key(relpath)
        return self._run(key) is not None or self._object_size(key) is not None

    def open_read(self, relpath: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start:end`` of the file in pieces (see ``ArtifactStore.open_read``);
        only those bytes are fetched."""
        key = self._key(relpath)
        run = self._run(key)
        size = run.end if run is not None else self._object_size(key)
        if size is None:
            raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath})
        first, stop = byte_range(start, end, size, relpath)
        if run is None:
            return self._read_range(key, relpath, first, stop)
        return self._read_parts(key, relpath, run, first, stop)

    def delete(self, relpath: str) -> None:
        """Remove the file; nothing happens when it is missing."""
        key = self._key(relpath)
        self._drop_parts(key)
        if self._object_size(key) is not None:
            self._fs.rm_file(key)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file under ``prefix``."""
        key = self._key(prefix)
        with self._runs_lock:
            for known in [k for k in self._runs if k.startswith(f"{key}/")]:
                del self._runs[known]
        if self._fs.exists(key):
            self._fs.rm(key, recursive=True)

    def remove_stale_temp_files(self, *, older_than: float = STALE_TEMP_S) -> int:
        """Remove temporary keys not written for ``older_than`` seconds; how many. A key
        whose time the filesystem cannot tell is kept."""
        cutoff = time.time() - older_than
        removed = 0
        for key in self._fs.glob(f"{self._root}/**/*{TEMP_SUFFIX}"):
            try:
                modified = self._fs.modified(key)
            except (NotImplementedError, FileNotFoundError, OSError):
                continue
            stamp = modified.timestamp() if hasattr(modified, "timestamp") else float(modified)
            if stamp < cutoff:
                self._fs.rm_file(key)
                removed += 1
        return removed

    # The filesystem's part: subclasses (S3) do these with fewer or cheaper requests.

    def _object_size(self, key: str) -> int | None:
        """The size of the object ``key``; ``None`` when there is none (or a folder)."""
        try:
            info = self._fs.info(key)
        except FileNotFoundError:
            return None
        return int(info["size"]) if info.get("type") == "file" else None

    def _list_parts(self, key: str, start: int) -> list[tuple[int, int]]:
        """``(offset, size)`` of the parts of ``key`` from offset ``start`` on, sorted."""
        try:
            listed = self._fs.ls(parts_prefix(key).rstrip("/"), detail=True)
        except FileNotFoundError:
            return []
        found = ((part_offset(item["name"]), int(item["size"])) for item in listed)
        return sorted((o, s) for o, s in found if o is not None and o >= start)

    def _create_part(self, key: str, offset: int, data: bytes) -> bool:
        """Write the part of ``key`` at ``offset`` unless one is there; whether it was."""
        try:
            self._fs.pipe_file(part_key(key, offset), data, mode="create")
        except FileExistsError:
            return False
        return True

    def _read_range(self, key: str, relpath: str, start: int, stop: int) -> Iterator[bytes]:
        """The bytes ``start:stop`` of the object ``key`` in pieces."""
        return read_pieces(lambda: self._fs.open(key, "rb"), relpath, start, stop)

    # Appended files.

    def _run(self, key: str) -> PartRun | None:
        """The parts of ``key`` now, listing only those newer than the last one known."""
        with self._runs_lock:
            known = self._runs.get(key)
            known = PartRun(list(known.offsets), known.end) if known is not None else None
        if known is not None:
            last = known.last()
            fresh = self._list_parts(key, last[0])
            if fresh[:1] == [last] and known.extend(fresh[1:]):
                self._keep(key, known)
                return known
        run = PartRun.from_listing(self._list_parts(key, 0))
        if run is None:
            with self._runs_lock:
                self._runs.pop(key, None)
        else:
            self._keep(key, run)
        return run

    def _start_run(self, key: str) -> PartRun | None:
        """Make the whole object ``key`` (if any) the first part of an appended file."""
        size = self._object_size(key)
        if size is None:
            return None
        if size == 0:
            self._fs.rm_file(key)
            return None
        self._fs.copy(key, part_key(key, 0))
        self._fs.rm_file(key)
        return self._run(key)

    def _remember(self, key: str, run: PartRun | None, offset: int, size: int) -> None:
        grown = PartRun(list(run.offsets), run.end) if run is not None else PartRun()
        if grown.extend([(offset, size)]):
            self._keep(key, grown)

    def _keep(self, key: str, run: PartRun) -> None:
        with self._runs_lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            while len(self._runs) > KNOWN_RUNS:
                self._runs.popitem(last=False)

    def _drop_parts(self, key: str) -> None:
        """Remove the parts of ``key`` (a whole write replaced them, or a delete)."""
        with self._runs_lock:
            self._runs.pop(key, None)
        folder = parts_prefix(key).rstrip("/")
        if self._list_parts(key, 0):
            self._fs.rm(folder, recursive=True)

    def _read_parts(
        self, key: str, relpath: str, run: PartRun, start: int, stop: int
    ) -> Iterator[bytes]:
        for offset, first, part_stop in run.spans(start, stop):
            yield from self._read_range(part_key(key, offset), relpath, first, part_stop)

    def _key(self, relpath: str) -> str:
        return f"{self._root}/{safe_relpath(relpath)}"


class _FsspecWriter(HashingWriter):
    def __init__(
        self, fs: Any, relpath: str, key: str, *, max_bytes: int | None, after: Any
    ) -> None:
        super().__init__(relpath, max_bytes=max_bytes)
        self._fs = fs
        self._key = key
        self._after = after
        parent, name = posixpath.split(key)
        self._temp = posixpath.join(parent, temp_name(name))
        fs.makedirs(parent, exist_ok=True)
        self._file: Any = fs.open(self._temp, "wb")

    def _put(self, data: bytes) -> None:
        self._file.write(data)

    def _publish(self) -> None:
        file, self._file = self._file, None
        file.close()
        self._fs.mv(self._temp, self._key)
        self._after()

    def _discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._fs.exists(self._temp):
            self._fs.rm_file(self._temp)
