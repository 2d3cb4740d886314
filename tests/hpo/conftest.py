"""Fixtures for the sweep tests: a real ``atlas server`` subprocess (its scheduler runs the
trials as real processes, which log their metrics to it over HTTP) and the code the trials
run, uploaded as a snapshot as ``atlas submit`` does."""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sdk.conftest import ServerProcess

API = "/api/v1"
DEADLINE_S = 90.0

QUADRATIC = """\
import atlas
params = atlas.load_parameters()
x = params.get("x", 0.0)
atlas.log_metric("loss", (x - 0.3) ** 2)
"""
"""A trial that logs one value of ``loss``: (x - 0.3)^2."""


def snapshot_of(files: dict[str, str]) -> tuple[bytes, str]:
    """A .tar.gz of ``files`` (name -> text) and its sha256."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    body = buffer.getvalue()
    return body, hashlib.sha256(body).hexdigest()


def start_server(home: Path, *, cpus: int = 4) -> ServerProcess:
    """A started server on ``home`` (a restart on the same home keeps its database)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "atlas.toml").write_text(f"cpus = {cpus}\n")
    server = ServerProcess(home)
    server.start()
    return server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server with 4 CPU slots."""
    process = start_server(tmp_path / "home")
    try:
        yield process
    finally:
        process.stop()


def upload(server: ServerProcess, files: dict[str, str]) -> str:
    """Upload the code ``files`` as a snapshot; return its sha256."""
    body, sha = snapshot_of(files)
    answer = httpx.put(f"{server.url}{API}/snapshots/{sha}", content=body, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return sha


def create_sweep(
    server: ServerProcess, spec: dict[str, Any], *, code: str = QUADRATIC, project: str = "hpo"
) -> dict[str, Any]:
    """Create a sweep of ``spec`` running ``code`` as train.py; return the SweepOut."""
    sha = upload(server, {"train.py": code})
    body = {"project": project, "snapshot": sha, "spec": {"command": "python train.py", **spec}}
    answer = httpx.post(f"{server.url}{API}/sweeps", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def get(server: ServerProcess, path: str) -> Any:
    answer = httpx.get(f"{server.url}{API}{path}", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_sweep(
    server: ServerProcess, sweep_id: str, statuses: tuple[str, ...] = ("completed", "failed")
) -> dict[str, Any]:
    """The sweep once its status is one of ``statuses`` (AssertionError at the deadline)."""
    deadline = time.monotonic() + DEADLINE_S
    sweep: dict[str, Any] = {}
    while time.monotonic() < deadline:
        sweep = get(server, f"/sweeps/{sweep_id}")
        if sweep["status"] in statuses:
            return sweep
        time.sleep(0.1)
    trials = get(server, f"/sweeps/{sweep_id}/trials")
    raise AssertionError(f"sweep still {sweep.get('status')}: {sweep}\n{trials}\n{server.output()}")


# The in-process app (TestClient) of the server tests, for the API's answers to bad input,
# and the scheduler tests' scheduler over a recording executor, for the controller's tick.
from tests.scheduler.conftest import artifacts, make_scheduler, recorder  # noqa: E402
from tests.server.conftest import client, settings  # noqa: E402

__all__ = ["artifacts", "client", "make_scheduler", "recorder", "settings"]
