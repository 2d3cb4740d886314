"""Fixtures for the TensorBoard tests: one real `atlas server` per module (it runs the
scheduled jobs too) and the CLI and SDK client pointed at it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke, running_server


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real `atlas server` subprocess shared by one test module."""
    env = {"ATLAS_CPUS": "4", "ATLAS_GPUS": ""}
    with running_server(tmp_path_factory.mktemp("server-home"), env=env) as server:
        yield server.url


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ATLAS_* variable from the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "atlas-home"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def client(atlas_server: str) -> Iterator[Client]:
    with Client(atlas_server, token="", timeout=10.0) as api:
        yield api


@pytest.fixture
def atlas(atlas_server: str) -> Invoke:
    """Run an `atlas` command line against the module's server."""
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(cli, ["--url", atlas_server, *args])

    return invoke  # type: ignore[return-value]


@pytest.fixture
def project_name() -> str:
    return f"tb-{uuid.uuid4().hex[:10]}"
