"""Decoding metric batches: both encodings, and every way a batch can be wrong."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from atlas.errors import InvalidInputError, PayloadTooLargeError
from atlas.server.metrics_codec import MAX_POINTS, decode_batch


def body(**document: object) -> bytes:
    return json.dumps(document).encode()


def b64(values: object, dtype: str) -> str:
    return base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode()


def series(key: str = "loss", **columns: object) -> dict[str, object]:
    entry: dict[str, object] = {"key": key, "steps": [0, 1], "times": [1.0, 2.0]}
    entry["values"] = [0.5, 0.25]
    entry.update(columns)
    return entry


def field_of(error: InvalidInputError) -> str:
    errors = error.detail["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["field"])


def test_json_columns_decode_with_non_finite_strings() -> None:
    entry = series(values=[1, "NaN"], steps=[3, 4])
    batch = decode_batch(
        body(batch_id="b-1", series=[entry, series("acc", values=[2.5, "-Infinity"])])
    )
    assert batch.batch_id == "b-1"
    assert batch.points == 4
    loss, acc = batch.series
    assert loss.key == "loss"
    assert list(loss.steps) == [3, 4]
    assert loss.values[0] == 1.0
    assert math.isnan(loss.values[1])
    assert acc.values[1] == -math.inf
    assert np.asarray(loss.steps).dtype == np.int64


def test_base64_columns_round_trip_bit_for_bit() -> None:
    values = np.array([0.1, math.nan, math.inf, -math.inf, -0.0])
    entry = {
        "key": "system/cpu",
        "steps": b64([0, 1, 2, 2**63 - 1, -(2**63)], "<i8"),
        "times": b64([1.0, 2.0, 3.0, 4.0, 5.0], "<f8"),
        "values": b64(values, "<f8"),
    }
    batch = decode_batch(body(encoding="base64", series=[entry]))
    (decoded,) = batch.series
    assert decoded.key == "system/cpu"
    assert list(decoded.steps) == [0, 1, 2, 2**63 - 1, -(2**63)]
    assert np.asarray(decoded.values).tobytes() == values.astype("<f8").tobytes()


def test_an_empty_batch_is_valid() -> None:
    batch = decode_batch(body(series=[]))
    assert batch.series == []
    assert batch.points == 0
    assert batch.batch_id is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
        (b'{"series": [], "extra": 1}', "extra"),
        (b'{"series": {}}', "series"),
        (b'{"encoding": "msgpack", "series": []}', "encoding"),
        (b'{"batch_id": 7, "series": []}', "batch_id"),
        (b'{"batch_id": "", "series": []}', "batch_id"),
        (b'{"batch_id": "a\\u0000b", "series": []}', "batch_id"),
        (b'{"series": [7]}', "series.0"),
    ],
)
def test_malformed_documents_name_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        decode_batch(raw)
    assert field_of(caught.value) == field


def test_a_batch_id_over_100_characters_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        decode_batch(body(batch_id="x" * 101, series=[]))


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"key": "a", "steps": [0], "times": [1.0]}, "series.0.values"),
        ({**series(), "unit": "s"}, "series.0.unit"),
        (series(key=""), "series.0.key"),
        (series(key="x" * 251), "series.0.key"),
        (series(key="a\nb"), "series.0.key"),
        (series(key=3), "series.0.key"),
        (series(steps=[0, 1.5]), "series.0.steps"),
        (series(steps=[0, True]), "series.0.steps"),
        (series(steps=[0, "1"]), "series.0.steps"),
        (series(steps=[0, 2**63]), "series.0.steps"),
        (series(steps="AAAA"), "series.0.steps"),
        (series(values=[0.5, "nan"]), "series.0.values"),
        (series(values=[0.5, "1.5"]), "series.0.values"),
        (series(values=[0.5, None]), "series.0.values"),
        (series(values=[0.5, [1]]), "series.0.values"),
        (series(values=[0.5, True]), "series.0.values"),
        (series(values=[0.5, 10**400]), "series.0.values"),
        (series(values={"a": 1}), "series.0.values"),
        (series(times=[1.0, "NaN"]), "series.0.times"),
        (series(times=[1.0, "Infinity"]), "series.0.times"),
        (series(values=[0.5]), "series.0"),
        (series(steps=[0, 1, 2]), "series.0"),
    ],
)
def test_bad_json_series_name_the_field(entry: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        decode_batch(body(series=[entry]))
    assert field_of(caught.value) == field
    assert not isinstance(caught.value, PayloadTooLargeError)


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"steps": "not base64!"}, "series.0.steps"),
        ({"steps": b64([0, 1], "<i8")[:-2]}, "series.0.steps"),
        ({"times": base64.b64encode(b"1234567").decode()}, "series.0.times"),
        ({"values": [0.5, 0.25]}, "series.0.values"),
        ({"values": "w6k="}, "series.0.values"),
        ({"values": "é"}, "series.0.values"),
        ({"values": b64([0.5], "<f8")}, "series.0"),
        ({"times": b64([1.0, math.nan], "<f8")}, "series.0.times"),
    ],
)
def test_bad_base64_columns_name_the_field(columns: dict[str, object], field: str) -> None:
    entry = {
        "key": "loss",
        "steps": b64([0, 1], "<i8"),
        "times": b64([1.0, 2.0], "<f8"),
        "values": b64([0.5, 0.25], "<f8"),
    }
    entry.update(columns)
    with pytest.raises(InvalidInputError) as caught:
        decode_batch(body(encoding="base64", series=[entry]))
    assert field_of(caught.value) == field


def test_a_key_twice_in_one_batch_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        decode_batch(body(series=[series(), series()]))
    assert field_of(caught.value) == "series.1.key"


def test_more_than_a_million_points_is_too_large_before_decoding() -> None:
    half = MAX_POINTS // 2 + 1
    zeros = base64.b64encode(bytes(8 * half)).decode()
    entry = {"steps": zeros, "times": zeros, "values": zeros}
    document = {"encoding": "base64", "series": [{"key": k, **entry} for k in ("a", "b")]}
    with pytest.raises(PayloadTooLargeError) as caught:
        decode_batch(json.dumps(document).encode())
    assert caught.value.detail["max_points"] == MAX_POINTS


def test_exactly_a_million_points_is_accepted() -> None:
    zeros = base64.b64encode(bytes(8 * MAX_POINTS)).decode()
    entry = {"key": "a", "steps": zeros, "times": zeros, "values": zeros}
    batch = decode_batch(json.dumps({"encoding": "base64", "series": [entry]}).encode())
    assert batch.points == MAX_POINTS
