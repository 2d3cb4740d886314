"""Reading a TensorBoard event file of 10^6 scalars into metric columns, beside TensorBoard's
own ``EventAccumulator`` over the same file.

The file holds 10^6 scalar events of four tags, serialised by TensorBoard's protobuf
messages (as torch and tensorboardX write them: ``simple_value``) and framed with their
masked CRC32C checksums. Each round reads the whole file from a fresh reader: ours with
``atlas.tbevents.EventFile.read_scalars`` (checksums checked), the peer's with
``EventAccumulator(path, size_guidance={"scalars": 0}).Reload()`` (every scalar kept). Both
must find the 10^6 scalars.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

from bench.result import PeerFigure, Result
from bench.trial import Context, Sample, alternate, progress, stats
from bench.worker import BenchError

NAME = "tbevents"
SCALARS = 1_000_000
TAGS = ("train/loss", "train/accuracy", "val/loss", "learning_rate")
TARGET_RATE = 500_000
TARGET_RATIO = 5.0


def write_file(folder: Path) -> Path:
    """The event file of :data:`SCALARS` scalars (about 48 MB)."""
    import numpy as np
    from tensorboard.compat.proto import event_pb2, summary_pb2

    from atlas.tbevents.checksums import masked_crc32c_many

    records = [event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")]
    start = time.time()
    for index in range(SCALARS):
        step, tag = divmod(index, len(TAGS))
        value = summary_pb2.Summary.Value(tag=TAGS[tag], simple_value=1.0 / (step + 1))
        records.append(
            event_pb2.Event(
                wall_time=start + step * 0.01, step=step, summary=summary_pb2.Summary(value=[value])
            )
        )
    data = [r.SerializeToString() for r in records]
    lengths = [struct.pack("<Q", len(d)) for d in data]
    blob = b"".join(lengths) + b"".join(data)
    offsets = np.cumsum([0, *(len(d) for d in data)])[:-1] + 8 * len(data)
    head_crcs = masked_crc32c_many(blob, np.arange(len(data)) * 8, np.full(len(data), 8))
    data_crcs = masked_crc32c_many(blob, offsets, np.array([len(d) for d in data]))
    path = folder / "events.out.tfevents.1.bench"
    with path.open("wb") as file:
        for length, head, body, crc in zip(lengths, head_crcs, data, data_crcs, strict=True):
            file.write(length + struct.pack("<I", int(head)) + body + struct.pack("<I", int(crc)))
    return path


def run(context: Context) -> list[Result]:
    """Write the file, then read it both ways, alternating."""
    try:
        import tensorboard
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as exc:
        raise BenchError(f"tensorboard is not installed (the dev extra has it): {exc}") from exc

    from atlas.tbevents import EventFile

    with context.workdir(NAME) as folder:
        progress(NAME, f"writing {SCALARS:,} scalars")
        path = write_file(folder)

        def ours() -> Sample:
            began = time.perf_counter()
            found = EventFile(path).read_scalars(final=True)
            took = time.perf_counter() - began
            _check(found.points, "atlas")
            return {"value": found.points / took}

        def theirs() -> Sample:
            began = time.perf_counter()
            accumulator = EventAccumulator(str(path), size_guidance={"scalars": 0})
            accumulator.Reload()
            points = sum(len(accumulator.Scalars(tag)) for tag in TAGS)
            took = time.perf_counter() - began
            _check(points, "EventAccumulator")
            return {"value": points / took}

        mine, other = alternate(NAME, ours, theirs, repetitions=context.repetitions)
    atlas, peer = stats(mine), stats(other)
    ratio = atlas.median / peer.median if peer.median else 0.0
    return [
        Result(
            name=NAME,
            unit="scalars/s",
            ours=atlas,
            peer=PeerFigure("tensorboard EventAccumulator", tensorboard.__version__, peer),
            target=f">= {TARGET_RATE:,} scalars/s and >= {TARGET_RATIO:g}x EventAccumulator",
            meets_target=atlas.median >= TARGET_RATE and ratio >= TARGET_RATIO,
            note=(
                f"one event file of {SCALARS:,} simple_value scalars of {len(TAGS)} tags read "
                "whole by a fresh reader each round, checksums checked; one core"
            ),
            higher_is_better=True,
        )
    ]


def _check(points: int, who: str) -> None:
    if points != SCALARS:
        raise BenchError(f"{who} found {points:,} scalars, not {SCALARS:,}")
