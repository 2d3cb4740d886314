"""The public surface of the executors and environments: sorted ``__all__`` of real names."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "atlas.envs",
    "atlas.envs.builder",
    "atlas.envs.overlay",
    "atlas.executors.base",
    "atlas.executors.launcher",
    "atlas.executors.local",
    "atlas.executors.sysmetrics",
    "atlas.executors.workdir",
]


@pytest.mark.parametrize("name", MODULES)
def test_public_names_are_sorted_and_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for public in module.__all__:
        assert hasattr(module, public), public
