"""Runs and metric keys: what a user's TensorBoard layouts become in Atlas."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from atlas.tbevents import EventFile, find_event_files, runs_of
from atlas.tbevents.logdir import RunKeys, metric_key


def touch(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"")


def test_runs_are_the_folders_holding_event_files(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "events.out.tfevents.1.a",
        "resnet/events.out.tfevents.2.a",
        "resnet/events.out.tfevents.3.a",
        "keras/train/events.out.tfevents.4.a",
        "keras/train/notes.txt",
        "keras/train/events.out.tfevents.5.a.tmp",
    )
    runs = runs_of(tmp_path)
    assert list(runs) == ["", "keras/train", "resnet"]
    assert [p.name for p in runs["resnet"]] == [
        "events.out.tfevents.2.a",
        "events.out.tfevents.3.a",
    ]
    assert find_event_files(tmp_path, skip={"keras"}) == [
        tmp_path / "events.out.tfevents.1.a",
        *runs["resnet"],
    ]


@pytest.mark.parametrize(
    ("run", "tag", "key"),
    [
        ("", "loss", "loss"),
        ("validation", "epoch_loss", "validation/epoch_loss"),
        ("acc/train", "acc", "acc/train"),  # tensorboardX add_scalars
        ("acc_train", "acc", "acc_train"),  # torch add_scalars
        ("a_b_train", "a/b", "a_b_train"),  # torch, for a main tag with a slash
        ("accuracy", "acc", "accuracy/acc"),
    ],
)
def test_metric_keys(run: str, tag: str, key: str) -> None:
    assert metric_key(run, tag) == key


def test_the_main_run_keys_tags_alone_and_other_runs_are_prefixed() -> None:
    keras = RunKeys()
    keras.choose_main({"logs/train"})
    assert keras.key("logs/train", "epoch_loss") == "epoch_loss"
    assert keras.key("logs/validation", "epoch_loss") == "validation/epoch_loss"
    torch = RunKeys()
    torch.choose_main({"runs/Dec05_10-00-00_host/acc/val", "runs/Dec05_10-00-00_host"})
    assert torch.key("runs/Dec05_10-00-00_host", "loss") == "loss"
    assert torch.key("runs/Dec05_10-00-00_host/acc/val", "acc") == "acc/val"
    assert torch.key("elsewhere/x", "loss") == "elsewhere/x/loss"
    top = RunKeys()
    assert top.key("", "loss") == "loss"
    assert top.key("sub", "loss") == "sub/loss"


def test_an_unreadable_event_file_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "events.out.tfevents.1.a"
    folder.mkdir()
    with caplog.at_level(logging.WARNING, logger="atlas.tbevents"):
        assert EventFile(folder).read_scalars(final=True).series == {}
    assert "cannot be read" in caplog.text


def test_every_module_has_a_sorted_public_surface_that_exists() -> None:
    import importlib
    import pkgutil

    import atlas.tbevents

    for module in pkgutil.iter_modules(atlas.tbevents.__path__):
        loaded = importlib.import_module(f"atlas.tbevents.{module.name}")
        names = loaded.__all__
        assert names == sorted(names), module.name
        assert all(hasattr(loaded, name) for name in names), module.name


def test_a_histogram_becomes_the_json_of_log_histogram() -> None:
    import json

    from atlas.tbevents.media import histogram_json, image_suffix
    from atlas.tbevents.messages import Histogram

    huge = 1.7976931348623157e308
    tf1 = Histogram(0.5, 2.5, 4, 6.0, 10.0, (-1.0, 0.0, 1.0, 2.0, huge), (0, 0, 1, 2, 1))
    body = json.loads(histogram_json(tf1))
    assert body["edges"] == [0.0, 1.0, 2.0, 2.5]  # empty buckets left out, the open end
    assert body["counts"] == [1, 2, 1]
    assert (body["bins"], body["count"], body["min"], body["max"]) == (3, 4, 0.5, 2.5)
    empty = json.loads(histogram_json(Histogram(0, 0, 0, 0, 0, (), ())))
    assert (empty["bins"], empty["edges"], empty["min"]) == (0, [], None)
    nan = float("nan")
    for odd in (
        Histogram(nan, nan, 4, nan, nan, (0.0, 1.0), (2, 2)),
        Histogram(0.0, 1.0, 4, 2.0, 2.0, (nan, 1.0), (2, 2)),
        Histogram(0.0, 1.0, 4, 2.0, 2.0, (0.0, 1.0), (nan, 2)),
    ):  # a damaged writer's NaN never becomes JSON a browser cannot parse
        assert json.loads(histogram_json(odd))["bins"] == 0
    assert image_suffix(b"\x89PNG\r\n\x1a\nrest") == ".png"
    assert image_suffix(b"GIF89a") is None
