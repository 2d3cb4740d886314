"""The scheduling peer: Ray (``ray[default]``, for its dashboard and Jobs API) in a venv under
bench/.peers/ray, and a local Ray head started for the run.

The venv is created by the benchmark itself on first use and reused when present. The head is
``ray start --head --block`` in a session of its own, every port picked free, a temporary
folder of its own, usage statistics off (the machine has no network). It is stopped at the
end, failure or not: SIGTERM to its process group, then SIGKILL to every process of its tree
(recorded by pid before the SIGTERM) that is still there after 10 s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import psutil

from bench.peer import PEERS_ROOT, peer_venv
from bench.worker import BenchError, clean_env

__all__ = ["RAY_ENV", "RayEnv", "RayHead", "free_ports", "ray_env", "tree"]

REQUIREMENT = "ray[default]"
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1"}
HEAD_CPUS = 4
_PORT_OPTIONS = (
    "--port",
    "--dashboard-port",
    "--ray-client-server-port",
    "--dashboard-agent-listen-port",
    "--dashboard-agent-grpc-port",
    "--metrics-export-port",
    "--node-manager-port",
    "--object-manager-port",
    "--runtime-env-agent-port",
)


@dataclass(frozen=True, slots=True)
class RayEnv:
    """A ready Ray venv: its interpreter, its ``ray`` command and Ray's version."""

    python: Path
    ray: Path
    version: str
    name: str = "ray-jobs"


def ray_env(root: Path = PEERS_ROOT) -> RayEnv:
    """Return the Ray venv, creating and installing it when missing or broken."""
    venv = root / "ray"
    python, version = peer_venv(
        venv,
        [REQUIREMENT],
        probe="import ray, ray.dashboard, aiohttp; print(ray.__version__)",
        env=RAY_ENV,
    )
    return RayEnv(python=python, ray=venv / "bin" / "ray", version=version)


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 now (held open together while picked)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class RayHead:
    """A local Ray head with ``HEAD_CPUS`` CPUs and the dashboard (the Jobs API) on free
    ports; ``url`` is the dashboard's address once started. Use it as a context manager."""

    def __init__(self, env: RayEnv, log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.url = ""
        self._temp = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 180) -> str:
        """Start the head and return the dashboard's URL once its Jobs API answers."""
        # Short: Ray puts unix sockets under it, and their paths are limited to 107 bytes.
        self._temp = tempfile.mkdtemp(prefix="rb-", dir="/tmp")
        ports = dict(zip(_PORT_OPTIONS, free_ports(len(_PORT_OPTIONS)), strict=True))
        command = [str(self.env.ray), "start", "--head", "--block", "--disable-usage-stats"]
        command += [f"--num-cpus={HEAD_CPUS}", "--include-dashboard=true"]
        command += ["--dashboard-host=127.0.0.1", f"--temp-dir={self._temp}"]
        command += [f"{option}={port}" for option, port in ports.items()]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=clean_env(**RAY_ENV),
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{ports['--dashboard-port']}"
        self._wait_ready(time.monotonic() + timeout)
        return self.url

    def stop(self) -> None:
        """Stop the head and every process it started (see the module's documentation)."""
        process, self._process = self._process, None
        if process is not None:
            family = tree(process.pid)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            _, alive = psutil.wait_procs(family, timeout=10)
            for leftover in alive:
                with contextlib.suppress(psutil.Error):
                    leftover.kill()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = ""

    def __enter__(self) -> RayHead:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise self._failure(f"exited with status {self._process.returncode}")
            try:
                if httpx.get(f"{self.url}/api/jobs/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise self._failure("its Jobs API did not answer in time")

    def _failure(self, what: str) -> BenchError:
        log = self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        return BenchError(f"ray head {what}\n--- ray log ---\n{log}")


def tree(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and all its descendants (those still there)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
