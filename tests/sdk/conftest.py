"""Fixtures for the SDK tests: the real app in process, and real servers in subprocesses.

``client`` is an ``atlas.Client`` over a ``TestClient`` of the real app on a SQLite file in
``tmp_path`` (the app's lifespan runs, as in ``atlas server``). ``tracking`` also makes it the
client of every job the test starts. ``ServerProcess`` runs ``python -m atlas server`` on a
free port, and can stop and start again on the same port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import atlas
from atlas.domain import Job
from atlas.sdk import configuration
from atlas.sdk import run as run_module
from atlas.sdk.client import Client
from atlas.server import create_app
from atlas.settings import Settings
from tests.servers import wait_healthy

with warnings.catch_warnings():
    # Starlette warns that it prefers httpx2; the SDK uses httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FLUSH_INTERVAL = 0.02


def sdk_settings(home: Path, **values: object) -> Settings:
    """Settings for jobs started in the test process: quick flushes, no console capture."""
    options: dict[str, object] = {
        "home": str(home),
        "flush_interval": FLUSH_INTERVAL,
        "capture_output": False,
        "timeout": 5.0,
    }
    options.update(values)
    return Settings(**options)  # type: ignore[arg-type]


@pytest.fixture
def home(tmp_path: Path, migrated_db: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    shutil.copyfile(migrated_db, folder / "atlas.db")
    return folder


@pytest.fixture
def settings(home: Path) -> Settings:
    return sdk_settings(home)


@pytest.fixture
def http(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://localhost") as test_client:
        yield test_client


@pytest.fixture
def client(http: TestClient) -> Client:
    return Client(http=http, token="")


@pytest.fixture
def tracking_client(settings: Settings, client: Client) -> Iterator[Client]:
    """``client`` configured as the client of jobs started in this test; jobs still open
    at the end are finished and the configuration is reset."""
    atlas.configure(settings=settings, client=client)
    try:
        yield client
    finally:
        for run in run_module.open_runs():
            run.finish()
        reset_tracking()


def reset_tracking() -> None:
    """Forget what ``atlas.configure`` set (process state shared by the tests)."""
    configuration.reset()


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without ATLAS_* variables, with ``ATLAS_HOME=home`` and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env.update({"ATLAS_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


@dataclass
class ServerProcess:
    """``python -m atlas server`` on a fixed free port, restartable on that port."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    """More environment variables of the server (settings such as ``ATLAS_LOST_AFTER``)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it answers ``/healthz``."""
        self.home.mkdir(parents=True, exist_ok=True)
        log = (self.home / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "atlas", "server", "--port", str(self.port)],
            cwd=self.home,
            env=clean_env(self.home, **self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_healthy(self.url, self.process, self.output)

    def stop(self, sig: signal.Signals = signal.SIGINT) -> None:
        """Stop the server with ``sig`` and wait for it to exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def output(self) -> str:
        path = self.home / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self) -> Client:
        return Client(self.url, token="", timeout=10.0)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server in a subprocess, with its own home."""
    with ServerProcess(tmp_path / "server-home") as process:
        yield process


@dataclass
class Script:
    """A Python script run as ``python train.py`` in its own folder."""

    folder: Path
    env: dict[str, str]

    def run(
        self, source: str, *, timeout: float = 60.0, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        path = self.folder / "train.py"
        path.write_text(source)
        done = subprocess.run(
            [sys.executable, "train.py"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start(self, source: str) -> subprocess.Popen[str]:
        (self.folder / "train.py").write_text(source)
        return subprocess.Popen(
            [sys.executable, "train.py"],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def script_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    """The environment of a tracked script: its home, the server URL, quick flushes."""
    return clean_env(home, ATLAS_URL=url, ATLAS_FLUSH_INTERVAL="0.05", ATLAS_TIMEOUT="5", **extra)


def make_script(tmp_path: Path, url: str, **extra: str) -> Script:
    folder = tmp_path / "myproject"
    folder.mkdir(exist_ok=True)
    return Script(folder, script_env(tmp_path / "job-home", url, **extra))


def only_job(client: Client, project: str) -> Job:
    """The one job of ``project``."""
    page = client.list_jobs(project)
    assert page.total == 1, page
    return page.items[0]
