"""The inventory from the settings, and the URL jobs are given to reach the server."""

from __future__ import annotations

import os

import pytest

from atlas.errors import InvalidInputError
from atlas.scheduler.inventory import detect_inventory, parse_gpu_list
from atlas.scheduler.runtime import job_server_url
from atlas.settings import Settings, load_settings


def test_settings_override_what_is_detected() -> None:
    found = detect_inventory(Settings(gpus="3,1", cpus=6, memory="8G"))
    assert (found.cpus, found.memory, found.nodes[0].gpu_indices) == (6, 8 << 30, (1, 3))
    assert [gpu.name for gpu in found.gpus] == ["GPU 1", "GPU 3"]
    assert found.describe() == "6 CPU slots, 8.0 GiB of memory, 2 GPUs (1, 3)"


def test_detected_defaults() -> None:
    found = detect_inventory(Settings(gpus=""))
    assert found.cpus == (os.cpu_count() or 1)
    assert found.memory > 0
    assert found.gpus == ()


def test_the_gpus_come_from_the_environment() -> None:
    settings = load_settings(env={"ATLAS_GPUS": "0,1,2,3", "ATLAS_HOME": "/nonexistent"})
    assert detect_inventory(settings).nodes[0].gpu_indices == (0, 1, 2, 3)


@pytest.mark.parametrize("text", ["0,0", "a", "-1", "1;2"])
def test_bad_gpu_lists_name_the_setting(text: str) -> None:
    with pytest.raises(InvalidInputError, match="setting gpus"):
        parse_gpu_list(text)


def test_bad_cpus_and_memory_settings() -> None:
    with pytest.raises(InvalidInputError, match="cpus"):
        detect_inventory(Settings(cpus=0, gpus=""))
    with pytest.raises(InvalidInputError, match="memory"):
        detect_inventory(Settings(memory="much", gpus=""))


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:5555"),
        ("0.0.0.0", "http://127.0.0.1:5555"),
        ("::1", "http://[::1]:5555"),
        ("atlas.local", "http://atlas.local:5555"),
    ],
)
def test_jobs_reach_the_server_where_it_listens(host: str, url: str) -> None:
    assert job_server_url(Settings(host=host)) == url
