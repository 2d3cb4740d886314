"""What every adapter hands the SDK: framework values as params a job accepts, and the
numbers of a framework's logs as metric values."""

from __future__ import annotations

import enum
import math

import numpy as np

from atlas.integrations.runs import MAX_PARAM_DEPTH, metric_values, plain_params
from atlas.sdk.params import flatten_params


class Color(enum.Enum):
    RED = "red"


def test_framework_values_become_json_params() -> None:
    class Model:
        def __str__(self) -> str:
            return "Model(3 layers)"

    params = plain_params(
        {
            "lr": np.float32(0.5),
            "epochs": np.int64(3),
            "nested": {"betas": (0.9, 0.99), "empty": {}},
            "nan": math.nan,
            "model": Model(),
            "color": Color.RED,
            "flag": True,
            "none": None,
            "": "dropped",
            7: "a key as text",
        }
    )
    assert params == {
        "lr": 0.5,
        "epochs": 3,
        "nested": {"betas": [0.9, 0.99], "empty": {}},
        "nan": "nan",
        "model": "Model(3 layers)",
        "color": "red",
        "flag": True,
        "none": None,
        "7": "a key as text",
    }


def test_a_value_that_contains_itself_is_cut_at_the_depth_limit() -> None:
    config: dict[str, object] = {"lr": 0.1}
    config["self"] = config
    layers: list[object] = [1]
    layers.append(layers)
    params = plain_params({"config": config, "layers": layers})

    node: object = params["config"]
    for _ in range(MAX_PARAM_DEPTH - 1):  # the top level is the first
        assert isinstance(node, dict)
        assert node["lr"] == 0.1
        node = node["self"]
    assert node == "{'lr': 0.1, 'self': {...}}"
    flat = flatten_params(params)  # a job takes it
    assert flat["config" + ".self" * (MAX_PARAM_DEPTH - 2) + ".lr"] == 0.1
    item: object = params["layers"]
    for _ in range(MAX_PARAM_DEPTH - 1):
        assert isinstance(item, list)
        assert item[0] == 1
        item = item[1]
    assert item == "[1, [...]]"


def test_only_numbers_become_metric_values() -> None:
    values = metric_values(
        {
            "loss": 0.25,
            "step": 3,
            "acc": np.float32(0.5),
            "zero_d": np.array(2.0),
            "inf": math.inf,
            "one_item_array": np.array([1.0]),
            "flag": True,
            "name": "adam",
            "none": None,
        }
    )
    assert values == {"loss": 0.25, "step": 3.0, "acc": 0.5, "zero_d": 2.0, "inf": math.inf}
