"""Params flattening, JSON normalisation, tags and the job parameter files."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import numpy as np
import pytest

from atlas.errors import InvalidInputError
from atlas.sdk.params import flatten_params, normalize_tags, read_parameter_file


class Optimizer(enum.Enum):
    ADAM = "adam"


def test_nested_dicts_are_flattened_with_dots() -> None:
    params = {
        "lr": 0.01,
        "model": {"layers": 3, "head": {"width": 128}, "names": ["a", "b"]},
        "empty": {},
        "run.seed": 7,
    }
    assert flatten_params(params) == {
        "lr": 0.01,
        "model.layers": 3,
        "model.head.width": 128,
        "model.names": ["a", "b"],
        "empty": {},
        "run.seed": 7,
    }


def test_values_are_normalised_to_json() -> None:
    flat = flatten_params(
        {
            "np_float": np.float32(0.5),
            "np_int": np.int64(3),
            "np_bool": np.bool_(True),
            "array": np.array([1, 2]),
            "tuple": (1, "x"),
            "path": Path("/data/train"),
            "enum": Optimizer.ADAM,
            "none": None,
            "list_of_dicts": [{"a": np.float64(1.5)}],
        }
    )
    assert flat == {
        "np_float": 0.5,
        "np_int": 3,
        "np_bool": True,
        "array": [1, 2],
        "tuple": [1, "x"],
        "path": "/data/train",
        "enum": "adam",
        "none": None,
        "list_of_dicts": [{"a": 1.5}],
    }
    json.dumps(flat, allow_nan=False)  # all plain JSON


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"'a\.b'"):
        flatten_params({"a.b": 1, "a": {"b": 2}})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_non_finite_params_are_refused(value: object) -> None:
    with pytest.raises(InvalidInputError, match="'lr'"):
        flatten_params({"lr": value})


def test_values_that_are_not_json_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"'model\.fn'"):
        flatten_params({"model": {"fn": print}})
    with pytest.raises(TypeError, match="names must be strings"):
        flatten_params({1: "x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        flatten_params(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_bad_keys_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        flatten_params({"x" * 251: 1})
    with pytest.raises(InvalidInputError):
        flatten_params({"tab\there": 1})


def test_tags_from_a_dict_or_a_list_of_names() -> None:
    assert normalize_tags(["baseline", "gpu"]) == {"baseline": "", "gpu": ""}
    assert normalize_tags({"stage": "prod", "epochs": 10, "best": True}) == {
        "stage": "prod",
        "epochs": "10",
        "best": "True",
    }
    with pytest.raises(TypeError, match="'stage'"):
        normalize_tags({"stage": None})
    with pytest.raises(TypeError):
        normalize_tags("baseline")  # type: ignore[arg-type]


def test_parameter_files(tmp_path: Path) -> None:
    assert read_parameter_file(tmp_path) is None
    (tmp_path / "foundations_job_parameters.json").write_text('{"old": 1}')
    assert read_parameter_file(tmp_path) == {"old": 1}
    (tmp_path / "atlas_job_parameters.json").write_text('{"lr": 0.1, "m": {"d": 2}}')
    assert read_parameter_file(tmp_path) == {"lr": 0.1, "m": {"d": 2}}
    (tmp_path / "atlas_job_parameters.json").write_text("[1, 2]")
    with pytest.raises(InvalidInputError, match="JSON object"):
        read_parameter_file(tmp_path)
    (tmp_path / "atlas_job_parameters.json").write_text("{oops")
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_parameter_file(tmp_path)
