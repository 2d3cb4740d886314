"""The few protobuf messages of an event file, decoded by hand (no protobuf, no TensorFlow).

Only what Atlas reads is decoded; every other field is skipped by its wire type, so files
from newer writers read the same:

- ``Event``: ``wall_time`` (1), ``step`` (2), ``file_version`` (3), ``summary`` (5);
- ``Summary.Value``: ``tag`` (1), ``simple_value`` (2), ``image`` (4), ``histo`` (5),
  ``tensor`` (8), ``metadata`` (9: only ``plugin_data.plugin_name``);
- ``TensorProto``: ``dtype`` (1), ``tensor_shape`` (2), ``tensor_content`` (4) and the typed
  repeated fields (half, float, double, int, int64, bool, uint32, uint64), packed or not;
- ``HistogramProto``: min, max, num, sum, sum of squares, bucket limits and counts;
- ``Summary.Image``: height, width, colour space and the encoded image.

A message that does not parse raises :class:`DecodeError` (a ``ValueError``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "DecodeError",
    "Event",
    "Histogram",
    "Image",
    "Tensor",
    "Value",
    "decode_event",
    "decode_value",
    "read_varint",
    "skip_field",
]

_double = struct.Struct("<d").unpack_from
_float = struct.Struct("<f").unpack_from
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_INT64 = 1 << 64

# TensorFlow's DataType numbers and how tensor_content packs each
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8 = 1, 2, 3, 4, 5, 6
DT_STRING, DT_INT64, DT_BOOL, DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64 = 7, 9, 10, 17, 19, 22, 23
_CONTENT_FORMATS = {
    DT_FLOAT: "f",
    DT_DOUBLE: "d",
    DT_INT32: "i",
    DT_UINT8: "B",
    DT_INT16: "h",
    DT_INT8: "b",
    DT_INT64: "q",
    DT_BOOL: "?",
    DT_UINT16: "H",
    DT_HALF: "e",
    DT_UINT32: "I",
    DT_UINT64: "Q",
}


class DecodeError(ValueError):
    """Bytes that are not the message they should be."""


@dataclass(frozen=True, slots=True)
class Tensor:
    """A ``TensorProto``: its dtype number, shape and numbers (strings stay bytes)."""

    dtype: int
    shape: tuple[int, ...]
    values: tuple[float | int | bool, ...] = ()
    strings: tuple[bytes, ...] = ()

    @property
    def size(self) -> int:
        """How many elements the shape holds (1 for a scalar)."""
        count = 1
        for dim in self.shape:
            count *= dim
        return count


@dataclass(frozen=True, slots=True)
class Histogram:
    """A histogram: ``counts[i]`` values fell in ``(limits[i-1], limits[i]]``."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    limits: tuple[float, ...]
    counts: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Image:
    """An image as the writer encoded it (PNG, usually)."""

    height: int
    width: int
    colorspace: int
    encoded: bytes


@dataclass(frozen=True, slots=True)
class Value:
    """One ``Summary.Value``: its tag, the plugin its metadata names (``None`` when this
    value carries no metadata: writers send it with a tag's first value only) and what it
    holds."""

    tag: str
    plugin: str | None = None
    simple_value: float | None = None
    tensor: Tensor | None = None
    histogram: Histogram | None = None
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One ``Event`` record: when, at which step, and its summary's values."""

    wall_time: float
    step: int
    file_version: str | None = None
    values: tuple[Value, ...] = ()


def read_varint(buffer: bytes, pos: int, end: int) -> tuple[int, int]:
    """The varint at ``pos`` and the offset after it."""
    result = shift = 0
    while pos < end:
        byte = buffer[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            break
    raise DecodeError(f"bad varint at offset {pos}")


def skip_field(buffer: bytes, pos: int, end: int, wire_type: int) -> int:
    """The offset after the value of a field of ``wire_type`` that starts at ``pos``."""
    if wire_type == _VARINT:
        return read_varint(buffer, pos, end)[1]
    if wire_type == _FIXED64:
        pos += 8
    elif wire_type == _BYTES:
        length, pos = read_varint(buffer, pos, end)
        pos += length
    elif wire_type == _FIXED32:
        pos += 4
    else:
        raise DecodeError(f"unsupported wire type {wire_type} at offset {pos}")
    if pos > end:
        raise DecodeError(f"field runs past its message (offset {pos} > {end})")
    return pos


def _fields(buffer: bytes, pos: int, end: int) -> list[tuple[int, int, int, int]]:
    """``(number, wire type, start, end)`` of each field of the message in ``pos:end``;
    for a varint, ``start`` is its value and ``end`` the offset after it."""
    fields = []
    while pos < end:
        key, pos = read_varint(buffer, pos, end)
        number, wire_type = key >> 3, key & 7
        if wire_type == _VARINT:
            value, after = read_varint(buffer, pos, end)
            fields.append((number, wire_type, value, after))
            pos = after
        elif wire_type == _BYTES:
            length, start = read_varint(buffer, pos, end)
            pos = start + length
            if pos > end:
                raise DecodeError(f"field {number} runs past its message")
            fields.append((number, wire_type, start, pos))
        else:
            after = skip_field(buffer, pos, end, wire_type)
            fields.append((number, wire_type, pos, after))
            pos = after
    return fields


def _text(buffer: bytes, start: int, end: int) -> str:
    return bytes(buffer[start:end]).decode("utf-8", "replace")


def _signed(value: int) -> int:
    return value - _INT64 if value >= 1 << 63 else value


def decode_event(buffer: bytes, start: int = 0, end: int | None = None) -> Event:
    """The ``Event`` in ``buffer[start:end]``."""
    end = len(buffer) if end is None else end
    wall_time, step, version = 0.0, 0, None
    values: list[Value] = []
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number == 1 and wire_type == _FIXED64:
            wall_time = _double(buffer, a)[0]
        elif number == 2 and wire_type == _VARINT:
            step = _signed(a)
        elif number == 3 and wire_type == _BYTES:
            version = _text(buffer, a, b)
        elif number == 5 and wire_type == _BYTES:
            values += [
                decode_value(buffer, c, d)
                for n, w, c, d in _fields(buffer, a, b)
                if n == 1 and w == _BYTES
            ]
    return Event(wall_time, step, version, tuple(values))


def decode_value(buffer: bytes, start: int, end: int) -> Value:
    """The ``Summary.Value`` in ``buffer[start:end]``."""
    tag, plugin, simple = "", None, None
    tensor = histogram = image = None
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number == 1 and wire_type == _BYTES:
            tag = _text(buffer, a, b)
        elif number == 7 and wire_type == _BYTES and not tag:
            tag = _text(buffer, a, b)  # node_name: the tag of very old files
        elif number == 2 and wire_type == _FIXED32:
            simple = _float(buffer, a)[0]
        elif number == 9 and wire_type == _BYTES:
            plugin = _plugin_name(buffer, a, b)
        elif number == 8 and wire_type == _BYTES:
            tensor = decode_tensor(buffer, a, b)
        elif number == 5 and wire_type == _BYTES:
            histogram = decode_histogram(buffer, a, b)
        elif number == 4 and wire_type == _BYTES:
            image = _image(buffer, a, b)
    return Value(tag, plugin, simple, tensor, histogram, image)


def _plugin_name(buffer: bytes, start: int, end: int) -> str | None:
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number == 1 and wire_type == _BYTES:  # plugin_data
            for n, w, c, d in _fields(buffer, a, b):
                if n == 1 and w == _BYTES:
                    return _text(buffer, c, d)
    return None


def _image(buffer: bytes, start: int, end: int) -> Image:
    numbers = {1: 0, 2: 0, 3: 0}
    encoded = b""
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number in numbers and wire_type == _VARINT:
            numbers[number] = a
        elif number == 4 and wire_type == _BYTES:
            encoded = bytes(buffer[a:b])
    return Image(numbers[1], numbers[2], numbers[3], encoded)


def _repeated(buffer: bytes, wire_type: int, a: int, b: int, code: str) -> list[float]:
    """The values of one occurrence of a repeated number field: packed (a run of bytes) or
    one value; ``code`` is the struct code of a fixed-width value, ``""`` for varints."""
    if wire_type == _BYTES:
        if code:
            return list(struct.unpack_from(f"<{(b - a) // struct.calcsize(code)}{code}", buffer, a))
        values: list[float] = []
        pos = a
        while pos < b:
            value, pos = read_varint(buffer, pos, b)
            values.append(value)
        return values
    if wire_type == _VARINT:
        return [a]
    return [struct.unpack_from(f"<{code}", buffer, a)[0]]


def decode_histogram(buffer: bytes, start: int, end: int) -> Histogram:
    """The ``HistogramProto`` in ``buffer[start:end]``."""
    stats = [0.0] * 5
    limits: list[float] = []
    counts: list[float] = []
    for number, wire_type, a, b in _fields(buffer, start, end):
        if 1 <= number <= 5 and wire_type == _FIXED64:
            stats[number - 1] = _double(buffer, a)[0]
        elif number == 6:
            limits += _repeated(buffer, wire_type, a, b, "d")
        elif number == 7:
            counts += _repeated(buffer, wire_type, a, b, "d")
    low, high, num, total, squares = stats
    return Histogram(low, high, num, total, squares, tuple(limits), tuple(counts))


# TensorProto's typed repeated fields: number -> struct code ("" for varints)
_TYPED = {5: "f", 6: "d", 7: "", 10: "", 11: "", 13: "", 16: "", 17: ""}


def decode_tensor(buffer: bytes, start: int, end: int) -> Tensor:
    """The ``TensorProto`` in ``buffer[start:end]`` (numbers from ``tensor_content`` or the
    typed fields)."""
    dtype = 0
    shape: list[int] = []
    content: tuple[int, int] | None = None
    values: list[float] = []
    strings: list[bytes] = []
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number == 1 and wire_type == _VARINT:
            dtype = a
        elif number == 2 and wire_type == _BYTES:
            shape = _shape(buffer, a, b)
        elif number == 4 and wire_type == _BYTES:
            content = (a, b)
        elif number == 8 and wire_type == _BYTES:
            strings.append(bytes(buffer[a:b]))
        elif number in _TYPED:
            values += _repeated(buffer, wire_type, a, b, _TYPED[number])
    if content is not None and dtype in _CONTENT_FORMATS:
        code = _CONTENT_FORMATS[dtype]
        count = (content[1] - content[0]) // struct.calcsize(code)
        values = list(struct.unpack_from(f"<{count}{code}", buffer, content[0]))
    elif dtype == DT_HALF and values:  # half_val holds each half's 16 bits in an int32
        values = list(struct.unpack(f"<{len(values)}e", struct.pack(f"<{len(values)}H", *values)))
    elif dtype in (DT_INT64, DT_INT32):
        values = [_signed(int(v)) if dtype == DT_INT64 else _int32(int(v)) for v in values]
    return Tensor(dtype, tuple(shape), tuple(values), tuple(strings))


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _shape(buffer: bytes, start: int, end: int) -> list[int]:
    dims = []
    for number, wire_type, a, b in _fields(buffer, start, end):
        if number == 2 and wire_type == _BYTES:  # dim
            size = 0
            for n, w, c, _ in _fields(buffer, a, b):
                if n == 1 and w == _VARINT:
                    size = _signed(c)
            dims.append(size)
    return dims
