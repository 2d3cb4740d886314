"""One way for the SDK to reach a server: ``atlas.configure`` feeds tracking, ``atlas.submit``,
``atlas.Job`` and ``atlas.Client()`` alike, whatever ``ATLAS_URL`` says."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk import configuration
from atlas.sdk import run as run_module

from .conftest import ServerProcess, free_port


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``ATLAS_URL`` names a port where nothing listens; ``configure`` is reset after."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ATLAS_URL", url)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "client-home"))
    monkeypatch.setenv("ATLAS_TIMEOUT", "2")
    configuration.reset()
    try:
        yield url
    finally:
        for run in run_module.open_runs():
            run.finish()
        configuration.reset()


def test_configure_url_is_used_by_submit_job_client_and_tracking(
    tmp_path: Path, server: ServerProcess, elsewhere: str
) -> None:
    assert atlas.Client().url == elsewhere  # the environment, before configure
    atlas.configure(url=server.url)
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "main.py").write_text("print('hello')\n")

    handle = atlas.submit("python main.py", directory=folder, project="configured")
    assert handle.wait(timeout=60) == JobStatus.COMPLETED
    assert atlas.Job(handle.id).info().status == JobStatus.COMPLETED
    with atlas.Client() as client:
        assert client.url == server.url
        assert client.get_job(handle.id).project == "configured"

    with atlas.init(project="configured", name="tracked") as run:
        atlas.log_metric("loss", 0.5)
        assert run.flush() is True
    with server.client() as api:
        assert api.get_job(run.id).metrics["loss"].last == 0.5


def test_a_new_url_drops_a_client_configured_before(server: ServerProcess, elsewhere: str) -> None:
    with server.client() as first:
        atlas.configure(client=first)
        assert configuration.configured_client() is first
        atlas.configure(project="other")  # the client still stands
        assert configuration.configured_client() is first
        atlas.configure(url=elsewhere)
        assert configuration.configured_client() is None
        assert configuration.sdk_settings().project == "other"
        assert configuration.sdk_settings().url == elsewhere
