"""The reader on event files written by the real writers: scalars of every form,
histograms, a file read while it grows, a record cut off, corrupt records."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as reference
from tensorboardX import SummaryWriter

from atlas.tbevents import EventFile
from atlas.tbevents.checksums import masked_crc32c, masked_crc32c_many
from atlas.tbevents.messages import decode_event
from atlas.tbevents.records import split_records
from tests.tbevents.writers import T0, event_file, simple, tf2_histogram, tf2_scalar, write_events


def points(event_file: EventFile, tag: str) -> list[tuple[int, float]]:
    series = event_file.read_scalars(final=True).series[tag]
    return list(zip(series.steps, series.values, strict=True))


def f32(x: float) -> float:
    return float(np.float32(x))


def test_tensorboardx_scalars_histograms_and_add_scalars(tmp_path: Path) -> None:
    with SummaryWriter(str(tmp_path / "run")) as writer:
        for step in range(300):  # steps past 127 and 16383 change the record's length
            writer.add_scalar("train/loss", 1 / (step + 1), step * 100)
            writer.add_scalar("lr", 0.1, step * 100, walltime=T0 + step)
        writer.add_histogram("weights", np.arange(100.0), 7)
        writer.add_scalars("acc", {"train": 0.5, "val": 0.25}, 3)
        writer.add_text("note", "hello", 0)
    found = EventFile(event_file(tmp_path / "run"), keep_histograms=True).read_scalars()
    loss = found.series["train/loss"]
    assert list(loss.steps) == [s * 100 for s in range(300)]
    assert list(loss.values) == [f32(1 / (s + 1)) for s in range(300)]
    assert list(found.series["lr"].times) == [T0 + s for s in range(300)]
    assert found.histogram_count == 1
    (histogram,) = found.histograms
    assert (histogram.tag, histogram.step) == ("weights", 7)
    assert histogram.histogram.num == 100
    assert sum(histogram.histogram.counts) == 100
    assert found.other_count == 1  # the text
    sub = EventFile(event_file(tmp_path / "run" / "acc" / "train")).read_scalars()
    assert list(sub.series["acc"].values) == [0.5]


def test_tf2_scalars_named_by_their_first_value_and_histogram_tensors(tmp_path: Path) -> None:
    events = [
        (0, [tf2_scalar("loss", 2.0, first=True), tf2_histogram("w", [(0, 1, 3)], first=True)]),
        (1, [tf2_scalar("loss", 1.5, first=False)]),
        (2, [tf2_scalar("loss", 1.0, first=False, content=True), simple("old", 4.0)]),
        (3, [tf2_histogram("w", [(0, 1, 1), (1, 2, 5)], first=False)]),
    ] + [(step, [tf2_scalar("loss", step / 10, first=False)]) for step in range(4, 50)]
    path = write_events(tmp_path, events)
    found = EventFile(path, keep_histograms=True).read_scalars()
    loss = found.series["loss"]
    assert list(loss.steps) == [0, 1, 2, *range(4, 50)]
    assert list(loss.values) == [2.0, 1.5, 1.0, *(f32(s / 10) for s in range(4, 50))]
    assert list(loss.times)[:3] == [T0, T0 + 1, T0 + 2]
    assert list(found.series["old"].values) == [4.0]
    assert [h.histogram.counts for h in found.histograms] == [(3.0,), (1.0, 5.0)]
    assert found.histograms[1].histogram.limits == (1.0, 2.0)
    assert found.first_time is not None
    assert found.first_time <= T0


def test_a_tensor_of_another_plugin_is_not_a_scalar(tmp_path: Path) -> None:
    value = tf2_scalar("pr", 1.0, first=True)
    value.metadata.plugin_data.plugin_name = "pr_curves"  # type: ignore[attr-defined]
    path = write_events(tmp_path, [(0, [value]), (1, [tf2_scalar("pr", 1.0, first=False)])])
    found = EventFile(path).read_scalars()
    assert found.series == {}
    assert found.other_count == 2


def test_the_decoder_agrees_with_protobuf_on_every_record(tmp_path: Path) -> None:
    events = [(s, [tf2_scalar("a", s, first=s == 0), simple("b", -s)]) for s in range(20)]
    events.append((-5, [simple("negative step", 1.0)]))
    path = write_events(tmp_path, events)
    data = path.read_bytes()
    frames = split_records(data)
    assert len(frames) == 22  # the file's version record, then ours
    for start, length in zip(frames.starts.tolist(), frames.lengths.tolist(), strict=True):
        ours = decode_event(data, start, start + length)
        theirs = event_pb2.Event.FromString(data[start : start + length])
        assert (ours.wall_time, ours.step) == (theirs.wall_time, theirs.step)
        assert [v.tag for v in ours.values] == [v.tag for v in theirs.summary.value]
    assert points(EventFile(path), "negative step") == [(-5, 1.0)]


def test_checksums_match_tensorflows(tmp_path: Path) -> None:
    data = os.urandom(70_000)
    pairs = [(0, 0), (1, 1), (2, 3), (5, 4), (7, 8), (9, 2048), (3, 2049), (11, 65_000)]
    pairs += [(i * 7, i % 300) for i in range(500)]
    ours = masked_crc32c_many(data, [a for a, _ in pairs], [n for _, n in pairs]).tolist()
    assert ours == [reference(data[a : a + n]) for a, n in pairs]
    assert masked_crc32c(data[:100]) == reference(data[:100])


def test_a_growing_file_is_tailed_and_a_cut_record_waits(tmp_path: Path) -> None:
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(10):
            writer.add_scalar("loss", step, step)
    whole = event_file(tmp_path).read_bytes()
    path = tmp_path / "growing" / "events.out.tfevents.1.host"
    path.parent.mkdir()
    cut = len(whole) - 7  # inside the last record
    path.write_bytes(whole[:cut])
    tail = EventFile(path)
    assert list(tail.read_scalars().series["loss"].steps) == list(range(9))
    assert tail.read_scalars().series == {}  # nothing new: the cut record waits
    with path.open("ab") as file:
        file.write(whole[cut:])
    assert list(tail.read_scalars().series["loss"].steps) == [9]
    assert tail.offset == len(whole)
    assert tail.warnings == 0


def test_a_file_cut_for_good_keeps_its_records_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(5):
            writer.add_scalar("loss", step, step)
    path = event_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-3])
    with caplog.at_level(logging.WARNING, logger="atlas.tbevents"):
        assert [s for s, _ in points(EventFile(path), "loss")] == [0, 1, 2, 3]
    assert "ends inside a record" in caplog.text
    assert str(path) in caplog.text


def _corrupt(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _records(path: Path) -> list[tuple[int, int]]:
    frames = split_records(path.read_bytes())
    return list(zip(frames.starts.tolist(), frames.lengths.tolist(), strict=True))


def test_a_record_whose_data_fails_its_checksum_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_events(tmp_path, [(s, [simple("loss", s)]) for s in range(50)])
    start, _ = _records(path)[11]  # step 10
    _corrupt(path, start + 3)
    with caplog.at_level(logging.WARNING, logger="atlas.tbevents"):
        steps = [s for s, _ in points(EventFile(path), "loss")]
    assert steps == [s for s in range(50) if s != 10]
    assert f"offset {start - 12}: record data fails its checksum" in caplog.text


def test_a_corrupt_length_skips_to_the_next_sound_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_events(tmp_path, [(s, [simple("loss", s)]) for s in range(50)])
    start, _ = _records(path)[21]  # step 20
    _corrupt(path, start - 12 + 1)  # its length field
    with caplog.at_level(logging.WARNING, logger="atlas.tbevents"):
        steps = [s for s, _ in points(EventFile(path), "loss")]
    assert steps == [s for s in range(50) if s != 20]
    assert "corrupt record header" in caplog.text


def test_garbage_is_never_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "events.out.tfevents.0.x"
    path.write_bytes(os.urandom(5000))
    found = EventFile(path).read_scalars(final=True)
    assert found.series == {}


def test_nan_and_infinities_are_kept(tmp_path: Path) -> None:
    path = write_events(tmp_path, [(0, [simple("x", math.nan)]), (1, [simple("x", math.inf)])])
    values = [v for _, v in points(EventFile(path), "x")]
    assert math.isnan(values[0])
    assert values[1] == math.inf


def test_importing_the_reader_does_not_import_numpy() -> None:
    code = "import sys, atlas.tbevents, atlas.tbevents.live; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_many_mixed_records_read_as_protobuf_reads_them(tmp_path: Path) -> None:
    """Records of several tags, forms and step sizes interleaved (read together by
    template where they can be): every point, in order, as protobuf decodes them."""
    rng = np.random.default_rng(7)
    tags = ["loss", "acc", "a/long/tag/name", "lr"]
    events = []
    for index in range(3000):
        tag = tags[int(rng.integers(len(tags)))]
        step = int(rng.choice([index, index * 1000, -index, 2**40 + index]))
        value = float(rng.choice([rng.normal(), math.nan, math.inf]))
        if tag == "lr":
            form = tf2_scalar(tag, value, first=index < 4, content=bool(index % 2))
        else:
            form = simple(tag, value)
        events.append((step, [form]))
    path = write_events(tmp_path, events)
    data = path.read_bytes()
    expected: dict[str, list[tuple[int, float]]] = {}
    frames = split_records(data)
    for start, length in zip(frames.starts.tolist(), frames.lengths.tolist(), strict=True):
        event = event_pb2.Event.FromString(data[start : start + length])
        for value in event.summary.value:
            number = value.simple_value if value.HasField("simple_value") else None
            if value.HasField("tensor"):
                tensor = value.tensor
                number = tensor.float_val[0] if tensor.float_val else None
                if number is None:
                    number = float(np.frombuffer(tensor.tensor_content, "<f4")[0])
            expected.setdefault(value.tag, []).append((event.step, number))
    found = EventFile(path).read_scalars().series
    assert set(found) == set(expected)
    for tag, series in found.items():
        ours = list(zip(series.steps, series.values, strict=True))
        assert [s for s, _ in ours] == [s for s, _ in expected[tag]]
        assert np.array_equal(
            np.array([v for _, v in ours]), np.array([v for _, v in expected[tag]]), equal_nan=True
        )
