"""Old Atlas's job.config.yaml keys and FOUNDATIONS_* variables, as Atlas reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.errors import InvalidInputError
from atlas.sdk.jobconfig import parse_config
from atlas.settings import load_settings

PATH = Path("job.config.yaml")


def test_old_worker_keys_and_the_notification_channel_are_read() -> None:
    config = parse_config(
        {
            "project_name": "bulldozer-demo",
            "log_level": "INFO",
            "job_notification_channel": "ml-jobs",
            "worker": {
                "image": "python:3.11-slim",
                "args": ["main.py", "--epochs", 3],
                "resources": {
                    "limits": {"cpu": "4", "memory": "8Gi", "nvidia.com/gpu": 1},
                    "requests": {"cpu": "1500m", "memory": "2Gi"},
                },
            },
        },
        PATH,
    )
    assert config.project == "bulldozer-demo"
    assert config.notification_channel == "ml-jobs"
    assert config.image == "python:3.11-slim"
    assert config.command == ["python", "main.py", "--epochs", "3"]
    assert (config.cpus, config.memory, config.gpus) == (2, 2 << 30, 1)  # requests win


def test_top_level_keys_win_over_worker_resources() -> None:
    config = parse_config(
        {
            "num_gpus": 0,
            "ram": 1,
            "entrypoint": "train.py",
            "worker": {"args": ["main.py"], "resources": {"limits": {"nvidia.com/gpu": 2}}},
        },
        PATH,
    )
    assert (config.gpus, config.memory, config.command) == (0, 1 << 30, ["python", "train.py"])


@pytest.mark.parametrize(
    ("worker", "message"),
    [
        ({"volumes": {"/data": {"bind": "/data"}}}, "unknown key worker.volumes"),
        ({"resources": {"limits": {"ephemeral-storage": "1Gi"}}}, "may give cpu, memory"),
        ({"resources": {"requests": {"cpu": "lots"}}}, "cpu 'lots' is not an amount"),
        ({"resources": {"requests": {"nvidia.com/gpu": 0.5}}}, "is not an amount"),
    ],
)
def test_what_atlas_cannot_honour_is_refused_by_name(
    worker: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_config({"worker": worker}, PATH)


def test_foundations_variables_are_read_below_atlas_ones(tmp_path: Path) -> None:
    old = {
        "ATLAS_HOME": str(tmp_path),
        "FOUNDATIONS_JOB_ID": "0123456789abcdef",
        "FOUNDATIONS_PROJECT_NAME": "old-project",
        "FOUNDATIONS_COMMAND_LINE": "True",
    }
    settings = load_settings(env=old)
    assert (settings.job_id, settings.project, settings.foundations_command_line) == (
        "0123456789abcdef",
        "old-project",
        True,
    )
    both = load_settings(env={**old, "ATLAS_PROJECT": "new-project"})
    assert both.project == "new-project"
