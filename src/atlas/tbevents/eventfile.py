"""One event file, read incrementally: each read starts where the last one stopped.

A file that grows while its job runs is tailed: a read takes the whole records written since
the last one and leaves a record still being written for the next read. A read marked
``final`` (the job has ended, or an import) reports such a cut-off record as a warning and
goes past it. Records that fail their checksums or do not decode are skipped with a warning
naming the file and the offset; nothing here raises for the content of a file.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from atlas.tbevents.messages import DecodeError, Event, decode_event
from atlas.tbevents.records import HEADER, Frames, split_records
from atlas.tbevents.scalars import ScalarReader, Scalars

__all__ = ["EVENT_FILE_MARKER", "EventFile", "is_event_file"]

logger = logging.getLogger(__name__)

EVENT_FILE_MARKER = "tfevents"
"""Event files are named ``events.out.tfevents.<time>.<host>...``: what every writer puts in
the name."""
READ_SIZE = 32 * 1024 * 1024
"""Bytes read at a time (more for a record longer than this)."""


def is_event_file(name: str) -> bool:
    """Whether a file's name is that of an event file (TensorBoard's own rule)."""
    return EVENT_FILE_MARKER in name and not name.endswith((".tmp", ".partial"))


class EventFile:
    """An event file, read from :attr:`offset` (the byte after the last record read)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        keep_histograms: bool = False,
        keep_images: bool = False,
    ) -> None:
        self.path = Path(path)
        self.offset = 0
        self.warnings = 0
        self._reader = ScalarReader(keep_histograms=keep_histograms, keep_images=keep_images)

    def read_scalars(self, *, final: bool = False) -> Scalars:
        """The scalars (and histograms) of the records written since the last read."""
        total = Scalars()
        for buffer, base, frames in self._frames(final=final):
            found = self._reader.read(buffer, frames.starts, frames.lengths)
            for start, reason in found.undecodable:
                self._warn(base + start - HEADER, f"record does not decode ({reason}): skipped")
            found.undecodable = []
            total.merge(found)
        return total

    def read_events(self, *, final: bool = False) -> list[Event]:
        """Every record written since the last read, decoded (those that do not decode are
        skipped with a warning)."""
        events = []
        for buffer, base, frames in self._frames(final=final):
            for start, length in zip(frames.starts.tolist(), frames.lengths.tolist(), strict=True):
                try:
                    events.append(decode_event(buffer, start, start + length))
                except (DecodeError, struct.error, IndexError) as exc:
                    self._warn(base + start - HEADER, f"record does not decode ({exc}): skipped")
        return events

    def _frames(self, *, final: bool) -> Iterator[tuple[bytes, int, Frames]]:
        """The records of what the file holds after :attr:`offset`, a buffer at a time."""
        try:
            file = open(self.path, "rb")  # noqa: SIM115 (closed below, after the loop)
        except FileNotFoundError:
            return  # removed meanwhile: nothing more to read
        except OSError as exc:  # not ours to read, a folder named like an event file...
            self._warn(self.offset, f"cannot be read: {exc.strerror or exc}")
            return
        with file:
            size = os.fstat(file.fileno()).st_size
            if size < self.offset:
                self._warn(size, f"the file shrank below offset {self.offset}: read again")
                self.offset = 0
            want = READ_SIZE
            while self.offset < size:
                file.seek(self.offset)
                buffer = file.read(want)
                frames = split_records(buffer)
                for problem in frames.problems:
                    self._warn(self.offset + problem.offset, problem.message)
                yield buffer, self.offset, frames
                self.offset += frames.end
                if not frames.truncated:
                    continue
                if self.offset + len(buffer) - frames.end < size and len(buffer) == want:
                    if frames.end == 0:
                        want = max(want * 2, _record_size(buffer))  # one record longer
                    continue
                if final:
                    self._warn(
                        self.offset,
                        f"the file ends inside a record ({size - self.offset} bytes: its "
                        "writer stopped while writing it): ignored",
                    )
                    self.offset = size
                return

    def _warn(self, offset: int, message: str) -> None:
        self.warnings += 1
        logger.warning("%s, offset %d: %s", self.path, offset, message)


def _record_size(buffer: bytes) -> int:
    """The whole size of the record that starts ``buffer`` (per its length field)."""
    if len(buffer) < 8:
        return 0
    return HEADER + int.from_bytes(buffer[:8], "little") + 4
