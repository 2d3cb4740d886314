"""What every adapter hands the SDK: framework values as params a job accepts, and the
numbers of a framework's logs as metric values."""

from __future__ import annotations

import enum
import math

import numpy as np

from atlas.integrations.runs import metric_values, plain_params


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
