"""The metric buffer and what counts as a metric value or step."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from atlas.errors import ConflictError, InvalidInputError
from atlas.sdk.buffer import MetricBuffer, MetricColumns, metric_step, metric_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1.0),
        (0.5, 0.5),
        (Fraction(1, 4), 0.25),
        (Decimal("2.5"), 2.5),
        (np.float32(0.5), 0.5),
        (np.float64(1.25), 1.25),
        (np.int64(7), 7.0),
        (np.uint8(3), 3.0),
        (np.array(4.5), 4.5),
    ],
)
def test_numbers_and_numpy_scalars_are_metric_values(value: object, expected: float) -> None:
    result = metric_value("loss", value)
    assert type(result) is float
    assert result == expected


def test_non_finite_values_are_kept() -> None:
    assert math.isnan(metric_value("x", float("nan")))
    assert metric_value("x", np.float64("inf")) == math.inf
    assert metric_value("x", -math.inf) == -math.inf


@pytest.mark.parametrize(
    "value",
    [
        "0.5",
        None,
        [1.0],
        (1.0,),
        {"a": 1},
        True,
        np.bool_(False),
        1j,
        np.complex128(1),
        np.array([1.0]),
        np.array([[1.0]]),
        object(),
    ],
)
def test_other_values_raise_type_error_naming_the_key(value: object) -> None:
    with pytest.raises(TypeError, match="'val/acc'"):
        metric_value("val/acc", value)


def test_an_int_beyond_float_range_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="'big'"):
        metric_value("big", 10**400)


def test_steps_accept_python_and_numpy_integers_only() -> None:
    assert metric_step("x", np.int32(5)) == 5
    for bad in (1.0, "1", True, None):
        with pytest.raises(TypeError, match="'x'"):
            metric_step("x", bad)
    with pytest.raises(InvalidInputError, match="64-bit"):
        metric_step("x", 2**63)


class Recorder:
    """Collects what the buffer hands out."""

    def __init__(self) -> None:
        self.wakes = 0
        self.spilled: list[list[MetricColumns]] = []

    def wake(self) -> None:
        self.wakes += 1

    def spill(self, columns: list[MetricColumns]) -> None:
        self.spilled.append(columns)


def make_buffer(recorder: Recorder, batch: int = 10, capacity: int = 100) -> MetricBuffer:
    return MetricBuffer(
        batch_points=batch, capacity=capacity, wake=recorder.wake, spill=recorder.spill
    )


def test_steps_default_to_the_previous_step_plus_one_per_key() -> None:
    buffer = make_buffer(Recorder())
    buffer.append("a", 1.0, None)
    buffer.append("a", 2.0, None)
    buffer.append("b", 3.0, 10)
    buffer.append("b", 4.0, None)
    buffer.append("a", 5.0, 7)
    buffer.append("a", 6.0, None)
    taken = {c.key: c for c in buffer.take()}
    assert list(taken["a"].steps) == [0, 1, 7, 8]
    assert list(taken["a"].values) == [1.0, 2.0, 5.0, 6.0]
    assert list(taken["b"].steps) == [10, 11]
    assert len(buffer) == 0
    buffer.append("a", 7.0, None)  # the next step survives a take
    assert list(buffer.take()[0].steps) == [9]


def test_a_batch_wakes_the_sender_once_and_capacity_spills_everything() -> None:
    recorder = Recorder()
    buffer = make_buffer(recorder, batch=10, capacity=25)
    for i in range(24):
        buffer.append("x", float(i), None)
    assert recorder.wakes == 1
    assert recorder.spilled == []
    buffer.append("x", 24.0, None)
    assert len(recorder.spilled) == 1
    assert list(recorder.spilled[0][0].steps) == list(range(25))
    assert len(buffer) == 0


def test_invalid_keys_are_refused_before_anything_is_buffered() -> None:
    buffer = make_buffer(Recorder())
    with pytest.raises(InvalidInputError):
        buffer.append("", 1.0, None)
    with pytest.raises(InvalidInputError):
        buffer.append("a\nb", 1.0, None)
    with pytest.raises(TypeError):
        buffer.append(3, 1.0, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        buffer.extend([("ok", 1.0, None), ("x" * 251, 2.0, None)])
    assert len(buffer) == 0


def test_a_closed_buffer_refuses_points() -> None:
    buffer = make_buffer(Recorder())
    buffer.append("a", 1.0, None)
    assert len(buffer.take(close=True)) == 1
    with pytest.raises(ConflictError, match="ended"):
        buffer.append("a", 1.0, None)
