"""A sweep's spec: every bad input is refused at create time with the path of its field, and
a good spec is normalised (every default filled in)."""

from __future__ import annotations

from typing import Any

import pytest

from atlas.errors import InvalidInputError, MissingExtraError
from atlas.hpo.spec import SweepSpec, parse_spec
from atlas.hpo.study import build_sampler, check_tools

BASE: dict[str, Any] = {
    "command": "python train.py --epochs 3",
    "objective": {"metric": "val_loss"},
    "space": {"lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True}},
}


def problems(spec: object) -> dict[str, str]:
    """The problems ``parse_spec`` lists: field path -> message."""
    with pytest.raises(InvalidInputError) as caught:
        parse_spec(spec)
    errors = caught.value.detail["errors"]
    assert isinstance(errors, list)
    assert errors
    assert caught.value.message.startswith("invalid sweep spec: ")
    found: dict[str, str] = {}
    for item in errors:
        found[item["field"]] = " | ".join(filter(None, [found.get(item["field"]), item["message"]]))
    return found


def test_a_good_spec_is_normalised() -> None:
    spec = parse_spec(
        {
            **BASE,
            "space": {
                "lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True},
                "layers": {"type": "int", "low": 1, "high": 8},
                "optimizer": {"type": "categorical", "choices": ["adam", "sgd"]},
                "momentum": {
                    "type": "float",
                    "low": 0.0,
                    "high": 0.9,
                    "when": {"optimizer": "sgd"},
                },
            },
            "resources": {"cpus": 2, "memory": "2G"},
            "tags": {"team": "vision"},
        },
        project="vision",
    )
    assert isinstance(spec, SweepSpec)
    normal = spec.to_json()
    assert normal["command"] == ["python", "train.py", "--epochs", "3"]
    assert normal["objective"] == [
        {"metric": "val_loss", "direction": "minimize", "summary": "last"}
    ]
    assert normal["sampler"] == {"name": "tpe", "seed": None, "options": {}}
    assert normal["pruner"] == {"name": "none", "options": {}}
    assert (normal["trials"], normal["parallel"], normal["project"]) == (10, 1, "vision")
    assert normal["resources"] == {"cpus": 2, "memory": 2 << 30}
    space = normal["space"]
    assert isinstance(space, dict)
    assert list(space) == ["lr", "layers", "optimizer", "momentum"]  # the spec's order
    assert space["layers"] == {"type": "int", "low": 1, "high": 8, "step": 1, "log": False}
    assert space["momentum"]["when"] == {"optimizer": "sgd"}
    assert parse_spec(normal).to_json() == normal  # the normal form parses to itself


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"space": {"lr": {"type": "float", "low": 0.1, "hgih": 1.0}}},
            "space.lr.hgih",
            "unknown key",
        ),
        ({"sampler": {"name": "tpe", "sed": 1}}, "sampler.sed", "unknown key"),
        ({"objectives": "loss"}, "objectives", "unknown key"),
        ({"resources": {"cpu": 1}}, "resources.cpu", "unknown key"),
        (
            {"space": {"lr": {"type": "float", "low": 1.0, "high": 0.1}}},
            "space.lr.low",
            "above high",
        ),
        (
            {"space": {"lr": {"type": "float", "low": 0.0, "high": 1.0, "log": True}}},
            "space.lr.low",
            "log-scale",
        ),
        ({"space": {"lr": {"type": "float", "high": 1.0}}}, "space.lr.low", "required"),
        ({"space": {"lr": {"type": "float", "low": "a", "high": 1.0}}}, "space.lr.low", "a number"),
        ({"space": {"n": {"type": "int", "low": 1.5, "high": 4}}}, "space.n.low", "an integer"),
        ({"space": {"lr": {"type": "float", "low": "1e-5", "high": 1}}}, "space.lr.low", "1.0e-5"),
        (
            {"space": {"n": {"type": "int", "low": 0, "high": 10, "step": 3}}},
            "space.n.step",
            "multiple of step",
        ),
        (
            {"space": {"lr": {"type": "normal", "low": 0, "high": 1}}},
            "space.lr.type",
            "one of float",
        ),
        (
            {"space": {"o": {"type": "categorical", "choices": []}}},
            "space.o.choices",
            "a list of 1 to",
        ),
        (
            {"space": {"o": {"type": "categorical", "choices": ["a", "a"]}}},
            "space.o.choices.1",
            "listed twice",
        ),
        (
            {"space": {"o": {"type": "categorical", "choices": [{"a": 1}]}}},
            "space.o.choices.0",
            "a string",
        ),
        (
            {"space": {"m": {"type": "float", "low": 0, "high": 1, "when": {"opt": "sgd"}}}},
            "space.m.when.opt",
            "names no parameter",
        ),
        (
            {
                "space": {
                    "opt": {"type": "categorical", "choices": ["adam"]},
                    "m": {"type": "float", "low": 0, "high": 1, "when": {"opt": "sgd"}},
                }
            },
            "space.m.when.opt",
            "not a value",
        ),
        ({"space": {"": {"type": "float", "low": 0, "high": 1}}}, "space.", "key"),
        ({"space": "lr"}, "space", "a mapping"),
        ({"space": {}}, "space", "give a search space"),
        ({"objective": None}, "objective", "required"),
        (
            {"objective": {"metric": "loss", "direction": "down"}},
            "objective.direction",
            "one of minimize",
        ),
        ({"objective": {"metric": "loss", "summary": "mean"}}, "objective.summary", "one of last"),
        ({"objective": [{"metric": "a"}, {"metric": "a"}]}, "objective", "different metric"),
        (
            {"objective": [{"metric": "a"}, {"metric": "b"}], "pruner": "median"},
            "pruner",
            "single objective",
        ),
        ({"sampler": "bayes"}, "sampler.name", "one of random"),
        ({"sampler": {"name": "tpe", "seed": -1}}, "sampler.seed", "an integer"),
        ({"pruner": "early"}, "pruner.name", "one of none"),
        ({"trials": 0}, "trials", "an integer from 1"),
        ({"trials": True}, "trials", "an integer from 1"),
        ({"parallel": 100000}, "parallel", "an integer from 1"),
        ({"command": None}, "command", "required"),
        ({"command": "python 'unclosed"}, "command", "cannot be split"),
        ({"command": []}, "command", "may not be empty"),
        ({"timeout": -1}, "timeout", "above 0"),
        ({"resources": {"memory": "lots"}}, "resources.memory", "memory"),
        ({"params": [{"lr": 5.0}]}, "params.0.lr", "outside the space"),
        ({"params": [{"momentum": 0.5}]}, "params.0.momentum", "names no parameter"),
        ({"sampler": "grid"}, "space.lr.step", "needs a step"),
        ({"tags": {"team": 3}}, "tags.team", "string"),
        ({"image": "not an image!"}, "image", "container image"),
    ],
)
def test_each_bad_input_is_named_by_its_path(
    change: dict[str, Any], field: str, words: str
) -> None:
    found = problems({**BASE, **change})
    assert field in found, found
    assert words in found[field], found[field]


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        {"space": {"lr": {"type": "float", "low": 2, "high": 1}}, "trials": -1, "x": 1}
    )
    assert {"command", "objective", "space.lr.low", "trials", "x"} <= set(found)


def test_a_spec_that_is_not_a_mapping_is_refused() -> None:
    assert "spec" in problems(["lr"])


def test_a_grid_counts_its_points_and_caps_the_budget() -> None:
    grid = {
        "a": {"type": "int", "low": 1, "high": 3},
        "b": {"type": "categorical", "choices": [1, 2]},
    }
    spec = parse_spec({**BASE, "space": grid, "sampler": "grid"})
    assert spec.trials == 6
    assert "trials" in problems({**BASE, "space": grid, "sampler": "grid", "trials": 7})


def test_param_sets_alone_are_a_fixed_list_of_runs() -> None:
    runs = [{"lr": 0.1}, {"lr": 0.01, "note": "x"}]
    spec = parse_spec({**BASE, "space": None, "params": runs})
    assert (spec.trials, spec.space, spec.params) == (2, (), tuple(runs))
    assert "trials" in problems({**BASE, "space": None, "params": runs, "trials": 3})


def test_sampler_and_pruner_options_optuna_refuses_are_named() -> None:
    spec = parse_spec({**BASE, "sampler": {"name": "tpe", "options": {"n_startup": 3}}})
    with pytest.raises(InvalidInputError) as caught:
        check_tools(spec)
    assert caught.value.detail["errors"][0]["field"] == "sampler.options"  # type: ignore[index]
    spec = parse_spec({**BASE, "pruner": {"name": "percentile"}})  # percentile is required
    with pytest.raises(InvalidInputError) as caught:
        check_tools(spec)
    assert caught.value.detail["errors"][0]["field"] == "pruner.options"  # type: ignore[index]


def test_every_sampler_and_pruner_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    for sampler in ("random", "tpe", "cmaes", "qmc"):
        for pruner in ("none", "median", "successive_halving", "hyperband"):
            check_tools(
                parse_spec({**BASE, "sampler": {"name": sampler, "seed": 1}, "pruner": pruner})
            )
    stepped = {"lr": {"type": "float", "low": 0.0, "high": 1.0, "step": 0.25}}
    check_tools(parse_spec({**BASE, "space": stepped, "sampler": "grid"}))
    check_tools(
        parse_spec({**BASE, "pruner": {"name": "percentile", "options": {"percentile": 25.0}}})
    )


def test_the_gp_sampler_without_torch_names_the_extra_to_install() -> None:
    pytest.importorskip("optuna")
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("torch is installed here: the gp sampler builds")
    with pytest.raises(MissingExtraError) as caught:
        build_sampler(parse_spec({**BASE, "sampler": "gp"}))
    assert "pip install 'atlas-ml[gp]'" in caught.value.message
    assert caught.value.detail["extra"] == "gp"
