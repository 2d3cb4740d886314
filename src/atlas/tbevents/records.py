"""The record framing of TensorFlow's record files (``events.out.tfevents.*``).

Each record is ``length`` (8 bytes, little-endian), the masked CRC32C of those 8 bytes (4),
``length`` bytes of data and their masked CRC32C (4). :func:`split_records` cuts a buffer read
from a file into records, checking both checksums of every record:

- a record whose data fails its checksum is skipped (its length was sound, so the next
  record is found after it);
- a header that fails its checksum means its length cannot be trusted: the bytes up to the
  next sound header (both checksums) are skipped;
- a record cut short at the end of the buffer (a writer still writing it, or killed while
  writing it) is left for the next read: the buffer's ``end`` stops before it.

Every skip is a :class:`Problem` with the offset and what was wrong, never an exception.
Following the length fields is the one step that cannot be done for all records at once;
where records of one length follow each other (a writer's scalars), a run of them is taken
in one numpy step.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from atlas.tbevents.checksums import masked_crc32c, masked_crc32c_many

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

__all__ = ["FOOTER", "Frames", "HEADER", "Problem", "split_records"]

HEADER = 12
"""Bytes before a record's data: its length and the length's checksum."""
FOOTER = 4
"""Bytes after a record's data: the data's checksum."""
_SEARCH_BLOCK = 1 << 16
_RUN_PROBE = 4096  # cycles of record lengths looked ahead at once
_MAX_PERIOD = 8  # longest cycle of record lengths looked for
_PERIOD_CHECK = 2 * _MAX_PERIOD  # records walked one by one before looking for a cycle
_PERIOD_BACKOFF = 64  # ... and after a look that found none
_length_at = struct.Struct("<Q").unpack_from


@dataclass(frozen=True, slots=True)
class Problem:
    """Bytes skipped while reading: where (offset in the buffer) and why."""

    offset: int
    message: str


def _empty() -> Ints:
    import numpy as np

    return np.zeros(0, dtype=np.int64)


@dataclass(slots=True)
class Frames:
    """The sound records of a buffer: the offsets and lengths of their data (numpy int64),
    where reading stopped (``end``: after the last whole record, or inside a corrupt region
    not resolved yet), whether the bytes after ``end`` begin a record not complete yet
    (``truncated``), and what was skipped."""

    starts: Ints = field(default_factory=_empty)
    lengths: Ints = field(default_factory=_empty)
    end: int = 0
    truncated: bool = False
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)


def _walk(buffer: bytes, pos: int) -> tuple[list[int], int]:
    """Follow the length fields from ``pos`` while whole records fit: the offsets of the
    records' headers, and where the walk stopped.

    A writer's records often repeat a cycle of lengths (one tag: one length; four tags
    logged each step: a cycle of four). Every few records the last lengths are checked for
    such a cycle; when there is one, the lengths ahead are checked against it in one numpy
    step per place in the cycle, and the whole cycles that match are taken at once."""
    heads: list[int] = []
    append = heads.append
    size = len(buffer)
    lengths: list[int] = []
    remember = lengths.append
    probe_at = _PERIOD_CHECK
    while pos + HEADER <= size:
        length = _length_at(buffer, pos)[0]
        after = pos + HEADER + length + FOOTER
        if after > size:
            break
        append(pos)
        remember(length)
        pos = after
        if len(lengths) < probe_at:
            continue
        taken = _take_cycles(buffer, pos, lengths[-2 * _MAX_PERIOD :], heads)
        pos += taken  # whole cycles: the last lengths remembered still end one
        del lengths[: -2 * _MAX_PERIOD]
        probe_at = len(lengths) + (_PERIOD_CHECK if taken else _PERIOD_BACKOFF)
    return heads, pos


def _take_cycles(buffer: bytes, pos: int, recent: list[int], heads: list[int]) -> int:
    """Find a cycle in the ``recent`` lengths (its last repeat ending at ``pos``), take the
    whole cycles after ``pos`` whose lengths follow it into ``heads``; the bytes taken."""
    import numpy as np

    for period in range(1, min(_MAX_PERIOD, len(recent) // 2) + 1):
        cycle = recent[-period:]
        if cycle != recent[-2 * period : -period]:
            continue
        sizes = [HEADER + n + FOOTER for n in cycle]
        span = sum(sizes)
        count = min(_RUN_PROBE, (len(buffer) - pos) // span)
        if count < 2:
            return 0
        offsets = np.cumsum([0, *sizes[:-1]])
        taken = count
        for offset, length in zip(offsets.tolist(), cycle, strict=True):
            ahead = np.ndarray(
                (taken,), dtype="<u8", buffer=buffer, offset=pos + offset, strides=(span,)
            )
            differ = np.flatnonzero(ahead != length)
            if len(differ):
                taken = int(differ[0])
                if not taken:
                    return 0
        starts = pos + np.arange(taken, dtype=np.int64)[:, None] * span + offsets[None, :]
        heads += starts.ravel().tolist()
        return taken * span
    return 0


def _stored(data: npt.NDArray[np.uint8], offsets: Ints) -> npt.NDArray[np.uint32]:
    """The 4-byte little-endian checksums stored at ``offsets``."""
    import numpy as np

    windows = np.lib.stride_tricks.sliding_window_view(data, 4)
    stored: npt.NDArray[np.uint32] = windows[offsets].copy().view("<u4")[:, 0]
    return stored


def _bad_headers(buffer: bytes, heads: Ints) -> Ints:
    """Indices of ``heads`` whose length fails its checksum (a length's checksum depends on
    the length alone: computed once per distinct length)."""
    import numpy as np

    if not len(heads):
        return _empty()
    data = np.frombuffer(buffer, dtype=np.uint8)
    lengths = np.lib.stride_tricks.sliding_window_view(data, 8)[heads].copy().view("<u8")[:, 0]
    distinct, which = np.unique(lengths, return_inverse=True)
    expected = np.array(
        [masked_crc32c(int(n).to_bytes(8, "little")) for n in distinct.tolist()], dtype=np.uint32
    )
    return np.flatnonzero(expected[which] != _stored(data, heads + 8))


def _bad_data(buffer: bytes, starts: Ints, lengths: Ints) -> Ints:
    """Indices of the records whose data fails its checksum."""
    import numpy as np

    if not len(starts):
        return _empty()
    data = np.frombuffer(buffer, dtype=np.uint8)
    crcs = masked_crc32c_many(buffer, starts, lengths)
    return np.flatnonzero(crcs != _stored(data, starts + lengths))


def _next_sound(buffer: bytes, pos: int) -> int | None:
    """The first offset after ``pos`` holding a sound header whose record, when whole in
    the buffer, also has sound data; ``None`` when none is in the buffer."""
    import numpy as np

    size = len(buffer)
    data = np.frombuffer(buffer, dtype=np.uint8)
    first = pos + 1
    while first + HEADER <= size:
        last = min(size - HEADER, first + _SEARCH_BLOCK)
        heads = np.arange(first, last + 1, dtype=np.int64)
        crcs = masked_crc32c_many(buffer, heads, np.full(len(heads), 8, dtype=np.int64))
        for index in np.flatnonzero(crcs == _stored(data, heads + 8)).tolist():
            candidate = first + index
            length = _length_at(buffer, candidate)[0]
            if candidate + HEADER + length + FOOTER > size:
                return candidate  # a sound header of a record not whole yet
            start = np.array([candidate + HEADER], dtype=np.int64)
            if not len(_bad_data(buffer, start, np.array([length], dtype=np.int64))):
                return candidate
        first = last + 1
    return None


def split_records(buffer: bytes) -> Frames:
    """The records of ``buffer`` (which starts at a record boundary), checked; see the
    module's docstring for what is skipped and what is left for the next read."""
    import numpy as np

    frames = Frames()
    starts: list[Ints] = []
    lengths: list[Ints] = []
    pos = 0
    while True:
        walked, stop = _walk(buffer, pos)
        heads = np.array(walked, dtype=np.int64)
        bad = _bad_headers(buffer, heads)
        if len(bad):  # a record whose length is wrong: the walk after it is meaningless
            stop = int(heads[bad[0]])
            heads = heads[: bad[0]]
        kept, sizes = _sound_data(buffer, heads, frames)
        starts.append(kept)
        lengths.append(sizes)
        if not len(bad) and (
            stop + HEADER > len(buffer) or not len(_bad_headers(buffer, np.array([stop])))
        ):
            frames.end = stop
            frames.truncated = stop < len(buffer)
            break
        found = _next_sound(buffer, stop)
        if found is None:
            frames.problems.append(
                Problem(stop, "corrupt bytes (no sound record header after them yet)")
            )
            frames.end = max(stop + 1, len(buffer) - HEADER + 1)
            frames.truncated = True
            break
        frames.problems.append(
            Problem(stop, f"corrupt record header: {found - stop} bytes skipped")
        )
        pos = found
    frames.starts = np.concatenate(starts)
    frames.lengths = np.concatenate(lengths)
    return frames


def _sound_data(buffer: bytes, heads: Ints, frames: Frames) -> tuple[Ints, Ints]:
    """The data offsets and lengths of the records at ``heads`` whose data passes its
    checksum; a :class:`Problem` for each other one."""
    import numpy as np

    if not len(heads):
        return _empty(), _empty()
    data = np.frombuffer(buffer, dtype=np.uint8)
    sizes = np.lib.stride_tricks.sliding_window_view(data, 8)[heads].copy().view("<u8")[:, 0]
    sizes = sizes.astype(np.int64)
    starts = heads + HEADER
    bad = _bad_data(buffer, starts, sizes)
    if not len(bad):
        return starts, sizes
    for index in bad.tolist():
        frames.problems.append(
            Problem(int(heads[index]), "record data fails its checksum: record skipped")
        )
    keep = np.ones(len(heads), dtype=bool)
    keep[bad] = False
    return starts[keep], sizes[keep]
