"""Fixtures of the framework integrations' tests: a real ``atlas server`` subprocess for the
module, and the SDK configured to track into it.

Each test trains a tiny model with the real framework, in this process, and reads what a user
would see through ``atlas.Client``. The frameworks are imported inside the tests, so a test
of a framework that is not installed is deselected by its marker (``integrations``: run by
``make test-integrations``, which installs them), never skipped at collection.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import atlas
from atlas.sdk import run as run_module
from atlas.sdk.client import Client
from tests.sdk.conftest import ServerProcess, reset_tracking, sdk_settings


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the module's tests (each test logs into a project of its own)."""
    with ServerProcess(tmp_path_factory.mktemp("server-home")) as process:
        yield process


@pytest.fixture
def project() -> str:
    """A project name no other test of the module uses."""
    return f"p-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def client(atlas_server: ServerProcess, tmp_path: Path) -> Iterator[Client]:
    """A client of the server, which is also where jobs started in the test go; jobs still
    open at the end are finished and the SDK's configuration is reset."""
    atlas.configure(settings=sdk_settings(tmp_path / "home", url=atlas_server.url))
    client = atlas_server.client()
    try:
        yield client
    finally:
        for run in run_module.open_runs():
            run.finish()
        reset_tracking()
        client.close()
