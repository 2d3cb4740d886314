"""A test's optional dependency, required: absent, the test fails and says how to get it
(in CI nothing that matters may skip)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def required(module: str, *, package: str | None = None) -> ModuleType:
    """``module`` imported; a failure naming the dev extra's package when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(
            f"{module} is missing: it is in the dev extra ({package or module}); "
            "run `make setup` (or .venv/bin/pip install -e '.[dev]')"
        )
