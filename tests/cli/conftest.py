"""Fixtures for the CLI tests: a real `atlas server` subprocess and an isolated environment.

``atlas_server`` starts ``python -m atlas server --port 0`` with its home in a temporary
folder, waits for ``/healthz`` with a deadline, yields the URL and stops the server with
SIGINT, asserting a clean exit 0. It is module-scoped (a server start costs a second or two);
tests sharing it use their own project names.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from tests.servers import wait_healthy

START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 30.0
URL_LINE = re.compile(r"serving (http://\S+)")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without any ATLAS_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env.update({"ATLAS_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


@dataclass
class ServerProcess:
    """A running `atlas server` subprocess and everything it printed so far."""

    process: subprocess.Popen[str]
    home: Path
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    url: str = ""

    def output(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        """Send ``sig`` and wait for the exit; return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"server did not stop on {sig.name}:\n{self.output()}") from None


def _pump(stream: IO[str], sink: list[str], lines: queue.Queue[str] | None) -> None:
    for line in stream:
        sink.append(line)
        if lines is not None:
            lines.put(line)
    stream.close()


def _wait_for_url(server: ServerProcess, lines: queue.Queue[str]) -> str:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            if server.process.poll() is not None:
                break
            continue
        match = URL_LINE.search(line)
        if match:
            return match.group(1)
    raise AssertionError(f"server printed no URL:\n{server.output()}")


def _wait_healthy(server: ServerProcess) -> None:
    wait_healthy(server.url, server.process, server.output)


def launch_server(
    home: Path, args: Sequence[str] = ("--port", "0"), *, env: Mapping[str, str] | None = None
) -> ServerProcess:
    """Start `python -m atlas server ARGS` with ATLAS_HOME=home and ``env`` (e.g.
    ``{"ATLAS_GPUS": "0,1,2,3"}``), without waiting."""
    home.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "atlas", "server", *args],
        cwd=home,
        env=clean_env(home, **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return ServerProcess(process=process, home=home)


@contextmanager
def running_server(
    home: Path,
    args: Sequence[str] = ("--port", "0"),
    *,
    stop_signal: signal.Signals = signal.SIGINT,
    env: Mapping[str, str] | None = None,
) -> Iterator[ServerProcess]:
    """A healthy server; on exit it is stopped with ``stop_signal`` and must exit with 0."""
    server = launch_server(home, args, env=env)
    lines: queue.Queue[str] = queue.Queue()
    assert server.process.stdout is not None
    assert server.process.stderr is not None
    readers = [
        threading.Thread(target=_pump, args=(server.process.stdout, server.stdout, lines)),
        threading.Thread(target=_pump, args=(server.process.stderr, server.stderr, None)),
    ]
    for reader in readers:
        reader.start()
    try:
        server.url = _wait_for_url(server, lines)
        _wait_healthy(server)
        yield server
        code = server.stop(stop_signal)
        assert code == 0, f"server exited with {code}:\n{server.output()}"
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
        for reader in readers:
            reader.join(timeout=STOP_DEADLINE_S)


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real `atlas server` subprocess shared by one test module."""
    with running_server(tmp_path_factory.mktemp("server-home")) as server:
        yield server.url


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ATLAS_* variable or atlas.toml from the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    home = tmp_path / "atlas-home"
    monkeypatch.setenv("ATLAS_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    return home


Invoke = Callable[..., Result]


@pytest.fixture
def atlas(atlas_server: str) -> Invoke:
    """Run an `atlas` command line against the module's server: ``atlas("jobs", "ls")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, ["--url", atlas_server, *args], input=input)

    return invoke


@pytest.fixture
def project_name() -> str:
    """A project name no other test uses."""
    return f"p-{uuid.uuid4().hex[:10]}"
