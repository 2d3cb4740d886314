"""The old SDK's rules, as old scripts rely on them: what log_metric takes and refuses, the
old flattening of params, random search spaces, resources, submit's arguments, and what the
calls do outside a job (warn and do nothing, where the old SDK did)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import foundations
from foundations.parameters.generate_random_parameters import generate_random_parameters
from tests.cli.conftest import clean_env

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing answers HTTP there


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"a": 1}, "{'a': 1}"),
        ((1, 2), "(1, 2)"),
        (None, "None"),
        ([1, [2]], "[1, [2]]"),
        (np.int64(3), "3"),
        (np.float32(0.5), "0.5"),
        ("x" * 40, "x" * 30 + " ..."),
    ],
)
def test_log_metric_refuses_what_the_old_sdk_refused(value: object, shown: str) -> None:
    if isinstance(value, str):
        value = [value, object()]  # a list with one bad element is refused whole
        shown = str(value)[:30] + " ..."
    with pytest.raises(TypeError) as caught:
        foundations.log_metric("acc", value)
    assert str(caught.value) == (
        f'Invalid metric with key="acc" of value={shown} with type {type(value)}. Value '
        "should be of type string or number, or a list of strings / numbers"
    )


def test_a_metric_name_that_is_not_a_string_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^Invalid metric name `3`$"):
        foundations.log_metric(3, 1.0)  # type: ignore[arg-type]


def test_log_params_flattens_the_old_way() -> None:
    nested = {
        "lr": 0.1,
        "model": {"layers": 3, "act": {"name": "relu"}},
        "shapes": [64, {"width": 2}],
        "none": None,
        "empty_dict": {},
        "empty_list": [],
        "flag": True,
    }
    assert foundations.flatten_parameter_dictionary(nested) == {
        "lr": 0.1,
        "model_layers": 3,
        "model_act": {"name": "relu"},  # one level deep, as the old SDK flattened
        "shapes_0": 64,
        "shapes_1": {"width": 2},
        "none": None,
        "empty_dict": None,
        "empty_list": None,
        "flag": True,
    }


def test_flattening_goes_one_level_deep_as_before() -> None:
    deep = {"a": {"b": {"c": 1}}, "grid": [[1, 2], []], "t": (3, 4)}
    assert foundations.flatten_parameter_dictionary(deep) == {
        "a_b": {"c": 1},
        "grid_0": [1, 2],
        "grid_1": [],
        "t_0": 3,
        "t_1": 4,
    }


def test_generate_random_parameters_draws_within_the_space() -> None:
    space = {
        "lr": {"min": 0.001, "max": 0.1},
        "layers": {"min": 16, "max": 64, "min_count": 1, "max_count": 4},
        "batch_size": [64, 128],
        "fixed": 0.5,
        "no_range": {"min": 1},
    }
    np.random.seed(7)
    drawn = generate_random_parameters(space)
    np.random.seed(7)
    assert foundations.parameters.generate_random_parameters(space) == drawn  # seedable
    assert 0.001 <= drawn["lr"] < 0.1  # type: ignore[operator]
    layers = drawn["layers"]
    assert isinstance(layers, list)
    assert 1 <= len(layers) < 4
    assert all(16 <= x < 64 for x in layers)
    assert (drawn["batch_size"], drawn["fixed"], drawn["no_range"]) == ([64, 128], 0.5, {"min": 1})
    assert generate_random_parameters({}) == {}
    with pytest.raises(TypeError):
        generate_random_parameters([("lr", 1)])  # type: ignore[arg-type]


def test_set_job_resources_checks_as_before() -> None:
    with pytest.raises(ValueError, match="Invalid RAM quantity"):
        foundations.set_job_resources(1, ram=0)
    with pytest.raises(ValueError, match="Invalid GPU quantity"):
        foundations.set_job_resources(-1)
    with pytest.raises(ValueError, match="Invalid GPU quantity"):
        foundations.set_job_resources(1.5)  # type: ignore[arg-type]
    foundations.set_job_resources(2, ram=1.5)
    assert foundations.current_foundations_job().job_resources == foundations.JobResources(2, 1.5)


def test_submit_takes_only_the_old_arguments() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'gpus'"):
        foundations.submit(scheduler_config="scheduler", command=["main.py"], gpus=1)


OUTSIDE = """
import foundations
foundations.log_metric("loss", 0.5)
foundations.log_metric("loss", [0.4, "text"])
foundations.log_param("lr", 0.1)
foundations.log_params({"a": {"b": 1}})
foundations.set_tag("stage")
foundations.save_artifact("main.py")
foundations.save_artifact("main.py", "again")
try:
    foundations.log_metric("loss", {"bad": 1})
except TypeError:
    print("still refused")
job = foundations.current_foundations_job()
print("in job:", job.is_in_running_job())
try:
    job.job_id
except ValueError as exc:
    print(exc)
"""


def test_outside_a_job_the_calls_warn_and_do_nothing(tmp_path: Path) -> None:
    """With FOUNDATIONS_COMMAND_LINE=True (how old scripts that only submit said so), a
    process is no job: one warning for the logging calls, one per save_artifact, nothing
    sent or spooled, and the argument checks still hold."""
    (tmp_path / "main.py").write_text(OUTSIDE)
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        env=clean_env(home, ATLAS_URL=DEAD_URL, FOUNDATIONS_COMMAND_LINE="True"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "still refused",
        "in job: False",
        "Job ID is currently undefined, please set before retrieving",
    ]
    assert done.stderr.splitlines() == [
        "Script not run with Foundations.",
        "Cannot save artifact outside of job.",
        "Cannot save artifact outside of job.",
    ]
    assert not (home / "spool").exists() or not any((home / "spool").iterdir())


def test_a_job_started_by_atlas_is_a_job_even_from_the_command_line(tmp_path: Path) -> None:
    """FOUNDATIONS_COMMAND_LINE does not turn a job Atlas started into no job: the process
    has its job's id (FOUNDATIONS_JOB_ID is read as ATLAS_JOB_ID)."""
    script = "import foundations\nprint(foundations.current_foundations_job().is_in_running_job())"
    env = clean_env(
        tmp_path / "home",
        ATLAS_URL=DEAD_URL,
        FOUNDATIONS_COMMAND_LINE="True",
        FOUNDATIONS_JOB_ID="0123456789abcdef",
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "True", done.stderr


def test_import_foundations_loads_only_the_package() -> None:
    code = "import sys, json\nimport foundations\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    ours = {m for m in json.loads(out) if m.split(".")[0] in {"atlas", "foundations"}}
    assert ours == {"atlas", "atlas.version", "foundations"}


def test_every_public_name_resolves_and_the_list_is_sorted() -> None:
    assert foundations.__all__ == sorted(foundations.__all__)
    for name in foundations.__all__:
        assert getattr(foundations, name) is not None, name
    assert callable(foundations.parameters.generate_random_parameters)
    with pytest.raises(AttributeError):
        foundations.create_stage  # noqa: B018 (a name of the old SDK's pipelines, not kept)
