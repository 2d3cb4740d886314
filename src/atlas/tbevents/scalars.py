"""Scalars out of event records: the hot path of reading an event file.

A value is a scalar when it carries ``simple_value`` (``torch.utils.tensorboard``,
tensorboardX, TF1's ``tf.summary.scalar``), or when it is a one-element numeric tensor of the
``scalars`` plugin (TF2's ``tf.summary.scalar`` and the Keras TensorBoard callback). TF2
writes a tag's plugin only with its first value, so :class:`ScalarReader` remembers each
tag's plugin for the whole file. Histograms (``histo``, or tensors of the ``histograms``
plugin) and images (``image``, or tensors of the ``images`` plugin) are counted, and kept
when asked.

Records that share a template with others (:mod:`~atlas.tbevents.templates`: a writer's
scalars of one tag) are read together as numpy columns; the others one by one, the common
``simple_value`` record inline, without building
:class:`~atlas.tbevents.messages.Event` objects. Points come back in the order of the records.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from atlas.tbevents.messages import (
    DT_STRING,
    DecodeError,
    Histogram,
    Value,
    decode_value,
    read_varint,
    skip_field,
)
from atlas.tbevents.templates import Template, TemplatedPoints, read_templated

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

__all__ = [
    "HistogramPoint",
    "ImagePoint",
    "ScalarReader",
    "ScalarSeries",
    "Scalars",
    "histogram_of",
]

_double = struct.Struct("<d").unpack_from
_float = struct.Struct("<f").unpack_from
_SCALARS, _HISTOGRAMS, _IMAGES = "scalars", "histograms", "images"
_TAG, _SIMPLE_VALUE = 0x0A, 0x15  # keys (field number << 3 | wire type) of Summary.Value
_WALL_TIME, _STEP, _SUMMARY, _SUMMARY_VALUE = 0x09, 0x10, 0x2A, 0x0A  # keys in Event, Summary
_DECODE_ERRORS = (DecodeError, struct.error, IndexError, UnicodeDecodeError)


@dataclass(slots=True)
class ScalarSeries:
    """The points of one tag: parallel int64 steps, float64 wall times and values."""

    tag: str
    steps: array[int] = field(default_factory=lambda: array("q"))
    times: array[float] = field(default_factory=lambda: array("d"))
    values: array[float] = field(default_factory=lambda: array("d"))

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class HistogramPoint:
    """One histogram value: its tag, step, wall time and buckets."""

    tag: str
    step: int
    wall_time: float
    histogram: Histogram


@dataclass(frozen=True, slots=True)
class ImagePoint:
    """One image value: its tag, step, wall time and encoded bytes (PNG, usually)."""

    tag: str
    step: int
    wall_time: float
    encoded: bytes


@dataclass(slots=True)
class Scalars:
    """What a read found: scalar series by tag, histograms (when kept), how many values of
    other kinds were passed over, the records that did not decode (offset and reason), and
    the earliest and latest wall times of its events."""

    series: dict[str, ScalarSeries] = field(default_factory=dict)
    histograms: list[HistogramPoint] = field(default_factory=list)
    histogram_count: int = 0
    images: list[ImagePoint] = field(default_factory=list)
    image_count: int = 0
    other_count: int = 0
    undecodable: list[tuple[int, str]] = field(default_factory=list)
    first_time: float | None = None
    last_time: float | None = None

    @property
    def points(self) -> int:
        """Scalar points in all series."""
        return sum(len(s) for s in self.series.values())

    def add(self, tag: str, step: int, wall_time: float, value: float) -> None:
        """Append one point to ``tag``'s series."""
        series = self.series.get(tag)
        if series is None:
            series = self.series[tag] = ScalarSeries(tag)
        series.steps.append(step)
        series.times.append(wall_time)
        series.values.append(value)

    def see_time(self, wall_time: float) -> None:
        """Widen the wall-time range to ``wall_time``."""
        if self.first_time is None or wall_time < self.first_time:
            self.first_time = wall_time
        if self.last_time is None or wall_time > self.last_time:
            self.last_time = wall_time

    def merge(self, other: Scalars) -> None:
        """Add what ``other`` found (its points after this one's, key by key)."""
        for tag, series in other.series.items():
            into = self.series.get(tag)
            if into is None:
                self.series[tag] = series
            else:
                into.steps += series.steps
                into.times += series.times
                into.values += series.values
        self.histograms += other.histograms
        self.histogram_count += other.histogram_count
        self.images += other.images
        self.image_count += other.image_count
        self.other_count += other.other_count
        self.undecodable += other.undecodable
        for wall_time in (other.first_time, other.last_time):
            if wall_time is not None:
                self.see_time(wall_time)


def histogram_of(value: Value, plugin: str | None) -> Histogram | None:
    """The histogram ``value`` holds: its ``histo``, or a TF2 ``histograms`` tensor of
    ``[left, right, count]`` rows."""
    if value.histogram is not None:
        return value.histogram
    tensor = value.tensor
    if tensor is None or plugin != _HISTOGRAMS or len(tensor.shape) != 2 or tensor.shape[1] != 3:
        return None
    rows = [tensor.values[i : i + 3] for i in range(0, len(tensor.values), 3)]
    if not rows:
        return Histogram(0.0, 0.0, 0.0, 0.0, 0.0, (), ())
    counts = tuple(float(r[2]) for r in rows)
    return Histogram(
        float(rows[0][0]), float(rows[-1][1]), sum(counts), 0.0, 0.0,
        tuple(float(r[1]) for r in rows), counts,
    )  # fmt: skip


def _image_of(value: Value, plugin: str | None) -> bytes | None:
    """The encoded image ``value`` holds: its ``image``, or the first image of a TF2
    ``images`` tensor (``[width, height, image, ...]`` as strings)."""
    if value.image is not None:
        return value.image.encoded
    tensor = value.tensor
    if tensor is not None and plugin == _IMAGES and len(tensor.strings) > 2:
        return tensor.strings[2]
    return None


class ScalarReader:
    """Reads scalars out of the records of one event file, remembering each tag's plugin
    from one read to the next."""

    def __init__(self, *, keep_histograms: bool = False, keep_images: bool = False) -> None:
        self.keep_histograms = keep_histograms
        self.keep_images = keep_images
        self.plugins: dict[str, str] = {}
        self._templates: dict[bytes, Template | None] = {}

    def read(self, buffer: bytes, starts: Ints, lengths: Ints) -> Scalars:
        """The scalars of the records at ``starts`` (``lengths`` bytes each) of ``buffer``,
        in the order of the records."""
        import numpy as np

        fast = read_templated(buffer, starts, lengths, self._templates, self.plugins)
        slow = _Indexed()
        for index in np.flatnonzero(~fast.handled).tolist():
            start = int(starts[index])
            slow.index = index
            try:
                end = start + int(lengths[index])
                slow.see_time(self._record(buffer, start, end, slow))
            except _DECODE_ERRORS as exc:
                slow.undecodable.append((start, str(exc) or type(exc).__name__))
        return _in_record_order(fast, slow)

    def _record(self, buffer: bytes, pos: int, end: int, found: Scalars) -> float:
        """Read one Event record inline; its wall time."""
        wall_time = 0.0
        step = 0
        summary = None
        while pos < end:
            key = buffer[pos]
            pos += 1
            if key == _WALL_TIME:
                wall_time = _double(buffer, pos)[0]
                pos += 8
            elif key == _STEP:
                byte = buffer[pos]
                if byte < 0x80:
                    step = byte
                    pos += 1
                else:
                    step, pos = read_varint(buffer, pos, end)
                    if step >= 1 << 63:
                        step -= 1 << 64
            elif key == _SUMMARY:
                length, pos = read_varint(buffer, pos, end)
                summary = (pos, pos + length)
                pos += length
            else:
                if key >= 0x80:
                    key, pos = read_varint(buffer, pos - 1, end)
                pos = skip_field(buffer, pos, end, key & 7)
        if pos != end:
            raise DecodeError("event runs past its record")
        if summary is not None:
            self._summary(buffer, summary[0], summary[1], step, wall_time, found)
        return wall_time

    def _summary(
        self, buffer: bytes, pos: int, end: int, step: int, wall_time: float, found: Scalars
    ) -> None:
        while pos < end:
            key = buffer[pos]
            length, start = read_varint(buffer, pos + 1, end)
            pos = start + length
            if pos > end:
                raise DecodeError("summary value runs past its summary")
            if key != _SUMMARY_VALUE:
                continue
            if not self._simple(buffer, start, pos, step, wall_time, found):
                self._value(decode_value(buffer, start, pos), step, wall_time, found)

    def _simple(
        self, buffer: bytes, pos: int, end: int, step: int, wall_time: float, found: Scalars
    ) -> bool:
        """Read a value that is only a tag and a ``simple_value``; ``False`` for any other."""
        if pos + 2 > end or buffer[pos] != _TAG:
            return False
        length = buffer[pos + 1]
        if length >= 0x80:
            return False
        tag_end = pos + 2 + length
        if tag_end + 5 != end or buffer[tag_end] != _SIMPLE_VALUE:
            return False
        tag = buffer[pos + 2 : tag_end].decode("utf-8", "replace")
        found.add(tag, step, wall_time, _float(buffer, tag_end + 1)[0])
        return True

    def _value(self, value: Value, step: int, wall_time: float, found: Scalars) -> None:
        if value.plugin:
            self.plugins[value.tag] = value.plugin
        plugin = value.plugin or self.plugins.get(value.tag)
        if value.simple_value is not None:
            found.add(value.tag, step, wall_time, value.simple_value)
            return
        tensor = value.tensor
        if (
            tensor is not None
            and plugin == _SCALARS
            and tensor.size == 1
            and len(tensor.values) == 1
            and tensor.dtype != DT_STRING
        ):
            found.add(value.tag, step, wall_time, float(tensor.values[0]))
            return
        histogram = histogram_of(value, plugin)
        if histogram is not None:
            found.histogram_count += 1
            if self.keep_histograms:
                found.histograms.append(HistogramPoint(value.tag, step, wall_time, histogram))
            return
        encoded = _image_of(value, plugin)
        if encoded is not None:
            found.image_count += 1
            if self.keep_images:
                found.images.append(ImagePoint(value.tag, step, wall_time, encoded))
            return
        found.other_count += 1


class _Indexed(Scalars):
    """Scalars that remember which record each point came from."""

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self.order: dict[str, array[int]] = {}

    def add(self, tag: str, step: int, wall_time: float, value: float) -> None:
        super().add(tag, step, wall_time, value)
        order = self.order.get(tag)
        if order is None:
            order = self.order[tag] = array("q")
        order.append(self.index)


def _in_record_order(fast: TemplatedPoints, slow: _Indexed) -> Scalars:
    """The points read both ways, each tag's in the order of its records."""
    import numpy as np

    found = Scalars(
        histograms=slow.histograms,
        histogram_count=slow.histogram_count,
        images=slow.images,
        image_count=slow.image_count,
        other_count=slow.other_count,
        undecodable=slow.undecodable,
        first_time=slow.first_time,
        last_time=slow.last_time,
    )
    for tag in [*fast.columns, *(t for t in slow.series if t not in fast.columns)]:
        pieces = list(fast.columns.get(tag, []))
        for _, _, times, _ in pieces:
            if len(times):
                found.see_time(float(times.min()))
                found.see_time(float(times.max()))
        series = slow.series.get(tag)
        if series is not None:
            pieces.append(
                (
                    np.frombuffer(slow.order[tag], dtype=np.int64),
                    np.frombuffer(series.steps, dtype=np.int64),
                    np.frombuffer(series.times, dtype=np.float64),
                    np.frombuffer(series.values, dtype=np.float64),
                )
            )
        index, steps, times, values = (
            np.concatenate(column) for column in zip(*pieces, strict=True)
        )
        if len(index) > 1 and not bool((np.diff(index) >= 0).all()):
            order = np.argsort(index, kind="stable")
            steps, times, values = steps[order], times[order], values[order]
        found.series[tag] = ScalarSeries(
            tag, _array("q", steps), _array("d", times), _array("d", values)
        )
    return found


def _array(code: str, column: object) -> array[Any]:
    result = array(code)
    result.frombytes(memoryview(column).cast("B"))  # type: ignore[arg-type]
    return result
