"""Event files written by the real writers: tensorboard's own ``EventFileWriter`` (with
tensorboard's protobuf messages, as TF2's ``tf.summary`` and Keras write them) and
tensorboardX's ``SummaryWriter`` (as ``torch.utils.tensorboard`` writes them)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

T0 = 1_700_000_000.0
"""The wall time of the first event the helpers write."""


def event_file(folder: Path) -> Path:
    """The single event file in ``folder``."""
    (path,) = [p for p in folder.iterdir() if "tfevents" in p.name]
    return path


def tf2_scalar(tag: str, value: float, *, first: bool, content: bool = False) -> object:
    """A TF2 ``tf.summary.scalar`` value: a float tensor, the ``scalars`` plugin named only
    with a tag's first value; ``content`` packs the number in ``tensor_content``."""
    tensor = tensor_pb2.TensorProto(dtype=1, tensor_shape=tensor_shape_pb2.TensorShapeProto())
    if content:
        tensor.tensor_content = struct.pack("<f", value)
    else:
        tensor.float_val.append(value)
    summary_value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        summary_value.metadata.plugin_data.plugin_name = "scalars"
    return summary_value


def tf2_histogram(tag: str, rows: Iterable[tuple[float, float, float]], *, first: bool) -> object:
    """A TF2 ``tf.summary.histogram`` value: a ``[k, 3]`` double tensor of the
    ``histograms`` plugin."""
    rows = list(rows)
    shape = tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(rows)),
             tensor_shape_pb2.TensorShapeProto.Dim(size=3)]
    )  # fmt: skip
    tensor = tensor_pb2.TensorProto(dtype=2, tensor_shape=shape)
    tensor.tensor_content = struct.pack(f"<{3 * len(rows)}d", *[x for row in rows for x in row])
    summary_value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        summary_value.metadata.plugin_data.plugin_name = "histograms"
    return summary_value


def write_events(folder: Path, events: Iterable[tuple[int, list[object]]]) -> Path:
    """Write ``(step, values)`` events with tensorboard's own writer, one second apart from
    :data:`T0`; the file's path."""
    writer = EventFileWriter(str(folder))
    for index, (step, values) in enumerate(events):
        summary = summary_pb2.Summary(value=values)
        writer.add_event(event_pb2.Event(wall_time=T0 + index, step=step, summary=summary))
    writer.close()
    return event_file(folder)


def simple(tag: str, value: float) -> object:
    """A ``simple_value`` summary value (TF1, torch, tensorboardX)."""
    return summary_pb2.Summary.Value(tag=tag, simple_value=value)
