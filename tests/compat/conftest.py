"""Fixtures for old Atlas (foundations) projects driven end to end against a real server.

``atlas_server`` is a real ``atlas server`` subprocess shared by a test module
(``tests.cli.conftest.running_server``); ``foundations`` runs the ``foundations`` command
against it in-process (click's runner, with ``ATLAS_URL`` set as a user would); ``run_script``
runs ``python main.py`` in a project folder as its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atlas.sdk.client import Client
from foundations.cli import cli
from tests.cli.conftest import clean_env, running_server

DEADLINE_S = 60.0

Foundations = Callable[..., Result]
RunScript = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real `atlas server` subprocess shared by one test module."""
    with running_server(tmp_path_factory.mktemp("server-home"), env={"ATLAS_CPUS": "4"}) as srv:
        yield srv.url


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No ATLAS_* or FOUNDATIONS_* variable from the machine leaks into a test, and the old
    SDK's process state starts afresh."""
    import atlas
    from atlas.sdk.configuration import reset
    from foundations import job

    for name in list(os.environ):
        if name.startswith(("ATLAS_", "FOUNDATIONS_")):
            monkeypatch.delenv(name)
    home = tmp_path / "atlas-home"
    monkeypatch.setenv("ATLAS_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    reset()
    job.reset()
    yield home
    atlas.finish()
    reset()
    job.reset()


@pytest.fixture
def client(atlas_server: str) -> Iterator[Client]:
    with Client(atlas_server, token="", timeout=10.0) as api:
        yield api


@pytest.fixture
def project_name() -> str:
    """A project name no other test uses."""
    return f"old-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def foundations(atlas_server: str) -> Foundations:
    """Run a `foundations` command line against the module's server."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), env={"ATLAS_URL": atlas_server})

    return invoke


@pytest.fixture
def run_script(atlas_server: str, tmp_path: Path) -> RunScript:
    """``run_script(folder, "main.py", **env)``: run the script there as a user would."""

    def run(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=folder,
            env=clean_env(tmp_path / "job-home", ATLAS_URL=atlas_server, **env),
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )

    return run


def write_project(folder: Path, files: dict[str, str]) -> Path:
    """A project folder holding ``files`` (name -> text)."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def submitted_id(output: str) -> str:
    """The id in `foundations submit`'s "Job submitted with ID '...'" line."""
    marker = "Job submitted with ID '"
    start = output.index(marker) + len(marker)
    return output[start : output.index("'", start)]
