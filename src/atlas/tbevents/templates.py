"""Many scalar records read at once: those that differ only in wall time, step and value.

A writer's scalar records for one tag are byte for byte the same but for three places: the
wall time (8 bytes after the event's first byte), the step (a varint after it) and the value
(the record's last 4 bytes, a float32, whether a ``simple_value`` or a one-float tensor).
The rest, the *template*, holds the tag. Records are grouped by their length and the length
of their step, hashed by their template, and each distinct template is decoded once by the
full decoder, which proves its last 4 bytes are the value (the value read back changes with
them); then the wall times, steps and values of all its records are read as numpy columns.
Records of any other shape (several values, histograms, text, a file's first record) are
left to the record-by-record reader.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlas.tbevents.messages import DT_FLOAT, DecodeError, Event, Value, decode_event

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

__all__ = ["Template", "TemplatedPoints", "read_templated"]

_WALL_TIME_KEY, _STEP_KEY = 0x09, 0x10
_MIN_LENGTH = 9 + 2 + 4  # wall time, at least a two-byte summary, the value
_PROBE = 0.6875  # a float32 written over a template's value bytes to prove where they are
_HASH_PRIME = 0x100000001B3
_MAX_VARINT = 10
_MAX_TEMPLATES = 4096  # distinct templates remembered per file


@dataclass(frozen=True, slots=True)
class Template:
    """What one template holds: its tag, the plugin its metadata names (``None`` without
    metadata) and whether its value is a ``simple_value`` or a tensor."""

    tag: str
    plugin: str | None
    tensor: bool


@dataclass(slots=True)
class TemplatedPoints:
    """The records read here (``handled``, a mask over the records) and their points:
    for each tag, the record indices, steps, wall times and values."""

    handled: npt.NDArray[np.bool_]
    columns: dict[str, list[tuple[Ints, Ints, npt.NDArray[np.float64], npt.NDArray[np.float64]]]]


def _value_of(event: Event) -> tuple[Value, float] | None:
    """The single scalar-looking value of ``event`` and its number, else ``None``."""
    if len(event.values) != 1:
        return None
    value = event.values[0]
    if value.histogram is not None or value.image is not None:
        return None
    if value.simple_value is not None and value.tensor is None:
        return value, value.simple_value
    tensor = value.tensor
    if (
        value.simple_value is None
        and tensor is not None
        and tensor.dtype == DT_FLOAT
        and tensor.size == 1
        and len(tensor.values) == 1
    ):
        return value, float(tensor.values[0])
    return None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def decode_template(record: bytes, step: int, wall_time: float) -> Template | None:
    """The template of ``record`` when its last 4 bytes are its only value, as a float32,
    and its step and wall time are where they were read from; else ``None``."""
    try:
        event = decode_event(record)
        probe = bytearray(record)
        probe[-4:] = struct.pack("<f", _PROBE)
        probed = decode_event(bytes(probe))
    except (DecodeError, struct.error, IndexError):
        return None
    found, again = _value_of(event), _value_of(probed)
    if found is None or again is None:
        return None
    (value, number), (value_again, number_again) = found, again
    if (
        value.tag != value_again.tag
        or value.plugin != value_again.plugin
        or not _same(number, struct.unpack("<f", record[-4:])[0])
        or number_again != _PROBE
        or event.step != step
        or not _same(event.wall_time, wall_time)
    ):
        return None
    return Template(value.tag, value.plugin, value.tensor is not None)


def _step_lengths(data: npt.NDArray[np.uint8], starts: Ints, ok: npt.NDArray[np.bool_]) -> Ints:
    """Bytes of each record's step field (key and varint); 0 without one (step 0), -1 for
    a varint too long."""
    import numpy as np

    has_step = ok.copy()
    has_step[ok] = data[starts[ok] + 9] == _STEP_KEY
    size = np.zeros(len(starts), dtype=np.int64)
    going = has_step.copy()
    for j in range(_MAX_VARINT):
        rows = np.flatnonzero(going)
        if not len(rows):
            break
        size[rows] = j + 2
        going[rows] = (data[starts[rows] + 10 + j] & 0x80) != 0
    size[going] = -1
    return size


def read_templated(
    buffer: bytes, starts: Ints, lengths: Ints, templates: dict[bytes, Template | None],
    plugins: dict[str, str],
) -> TemplatedPoints:  # fmt: skip
    """Read the scalar records of ``buffer`` that share a template with others (see the
    module's docstring). ``templates`` caches decoded templates between reads; ``plugins``
    is the file's tag-to-plugin memory (updated from templates with metadata)."""
    import numpy as np

    n = len(starts)
    handled = np.zeros(n, dtype=bool)
    columns: dict[str, list[tuple[Ints, Ints, npt.NDArray[np.float64], npt.NDArray[np.float64]]]]
    columns = {}
    data = np.frombuffer(buffer, dtype=np.uint8)
    ok = lengths >= _MIN_LENGTH
    ok[ok] = data[starts[ok]] == _WALL_TIME_KEY
    step_size = _step_lengths(data, starts, ok)
    head = 9 + step_size
    ok &= (step_size >= 0) & (lengths - 4 - head >= 2)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return TemplatedPoints(handled, columns)
    group_key = lengths[rows] * 16 + step_size[rows]
    keys, group_of = np.unique(group_key, return_inverse=True)
    found: list[tuple[Template, Ints]] = []
    for g in range(len(keys)):
        members = rows[group_of == g]
        found += _templates_of(buffer, data, starts, lengths, head, members, templates)
    for template, _ in found:  # metadata first: TF2 sends it with a tag's first value
        if template.plugin:
            plugins[template.tag] = template.plugin
    for template, members in found:
        if template.tensor and plugins.get(template.tag) != "scalars":
            continue
        handled[members] = True
        columns.setdefault(template.tag, []).append(
            _points(data, starts, lengths, step_size, members)
        )
    return TemplatedPoints(handled, columns)


def _templates_of(
    buffer: bytes,
    data: npt.NDArray[np.uint8],
    starts: Ints,
    lengths: Ints,
    head: Ints,
    members: Ints,
    cache: dict[bytes, Template | None],
) -> list[tuple[Template, Ints]]:
    """The templates of records of one length and one step size, with their records."""
    import numpy as np

    begin = int(head[members[0]])
    size = int(lengths[members[0]]) - 4 - begin
    windows = np.lib.stride_tricks.sliding_window_view(data, size)
    matrix = windows[starts[members] + begin]
    hashes = np.zeros(len(members), dtype=np.uint64)
    for column in range(size):
        hashes = hashes * np.uint64(_HASH_PRIME) ^ matrix[:, column].astype(np.uint64)
    _, which, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    by_hash = np.argsort(which, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(counts)))
    result = []
    for h in range(len(counts)):
        chosen = by_hash[bounds[h] : bounds[h + 1]]
        first = chosen[0]
        same = chosen[(matrix[chosen] == matrix[first]).all(axis=1)]  # a hash collision: out
        key = matrix[first].tobytes()
        if key not in cache:
            if len(same) < 2:
                continue  # a record of its own (a histogram, an image): not worth a template
            if len(cache) >= _MAX_TEMPLATES:
                cache.clear()
            start = int(starts[members[first]])
            record = buffer[start : start + int(lengths[members[first]])]
            step = _step_at(record, int(head[members[first]]) - 9)
            cache[key] = decode_template(record, step, struct.unpack_from("<d", record, 1)[0])
        template = cache[key]
        if template is not None:
            result.append((template, members[same]))
    return result


def _step_at(record: bytes, size: int) -> int:
    step = 0
    for j in range(max(0, size - 1)):
        step |= (record[10 + j] & 0x7F) << (7 * j)
    return step - (1 << 64) if step >= 1 << 63 else step


def _points(
    data: npt.NDArray[np.uint8], starts: Ints, lengths: Ints, step_size: Ints, members: Ints
) -> tuple[Ints, Ints, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Record indices, steps, wall times and values of ``members``."""
    import numpy as np

    begin = starts[members]
    eights = np.lib.stride_tricks.sliding_window_view(data, 8)
    fours = np.lib.stride_tricks.sliding_window_view(data, 4)
    times = eights[begin + 1].copy().view("<f8").ravel()
    values = fours[begin + lengths[members] - 4].copy().view("<f4").ravel().astype(np.float64)
    steps = np.zeros(len(members), dtype=np.uint64)
    varint = int(step_size[members[0]]) - 1  # one group: one step size
    for j in range(max(0, varint)):
        steps |= (data[begin + 10 + j] & 0x7F).astype(np.uint64) << np.uint64(7 * j)
    return members, steps.view(np.int64), times, values
