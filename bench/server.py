"""A real ``atlas server`` subprocess for the benchmarks, as a user starts it.

``atlas server --port 0 --home TMP`` binds a free port itself and prints its URL; we read the
URL from its output, then poll ``/healthz`` until it answers. Stopped with SIGTERM (graceful),
killed if it does not stop within 30 s.
"""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx

from bench.worker import BenchError, Worker, clean_env

__all__ = ["ATLAS_BIN", "AtlasServer", "wait_until_answered"]

ATLAS_BIN = Path(sys.executable).parent / "atlas"
URL_LINE = re.compile(r"serving (http://\S+)")


def wait_until_answered(
    url: str, *, deadline: float, alive: Callable[[], None], interval: float = 0.05
) -> bool:
    """Poll ``GET url`` until it answers 200 (``True``) or ``deadline`` (``time.monotonic``)
    passes (``False``); ``alive`` raises once the process that serves it has died."""
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        alive()
        time.sleep(interval)
    return False


class AtlasServer:
    """``atlas server`` on a free port with its home in ``home`` (and ``db_url`` if given);
    ``settings`` are extra ``ATLAS_*`` environment variables of the server (``ATLAS_CPUS``)."""

    def __init__(
        self, home: Path, *, db_url: str | None = None, settings: dict[str, str] | None = None
    ) -> None:
        self.home = home
        self.db_url = db_url
        self.settings = dict(settings or {})
        self.url = ""
        self.log_path = home / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._workers = itertools.count()

    def start(self, *, timeout: float = 120) -> str:
        """Start the server and return its URL once /healthz answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        command = [str(ATLAS_BIN), "server", "--port", "0", "--home", str(self.home)]
        command += ["--log-level", "warning"]
        if self.db_url:
            command += ["--db-url", self.db_url]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                env=clean_env(**self.settings),
            )
        deadline = time.monotonic() + timeout
        self.url = self._wait_for_url(deadline)
        self._wait_for_health(deadline)
        return self.url

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or kill after 30 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def sdk_worker(self, scratch: Path, project: str, **settings: str) -> Worker:
        """A ``bench/peers/atlas_sdk.py`` worker (our venv's Python) whose SDK talks to this
        server, with its spool under ``scratch`` and ``settings`` as extra environment
        variables (``ATLAS_*``). Not started; it runs in the caller's working folder."""
        name = f"sdk-{next(self._workers)}"
        return Worker(
            sys.executable,
            "atlas_sdk.py",
            [],
            log_path=scratch / f"{name}.log",
            env={
                "ATLAS_URL": self.url,
                "ATLAS_HOME": str(scratch / f"{name}-home"),
                "ATLAS_PROJECT": project,
                **settings,
            },
        )

    @property
    def pid(self) -> int:
        """The server's process id (for profilers)."""
        if self._process is None:
            raise BenchError("the server is not running")
        return self._process.pid

    def __enter__(self) -> AtlasServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_for_url(self, deadline: float) -> str:
        while time.monotonic() < deadline:
            found = URL_LINE.search(self.log_path.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found.group(1)
            self._check_alive()
            time.sleep(0.05)
        raise self._failure("did not print its URL in time")

    def _wait_for_health(self, deadline: float) -> None:
        if not wait_until_answered(
            f"{self.url}/healthz", deadline=deadline, alive=self._check_alive
        ):
            raise self._failure("/healthz did not answer in time")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise self._failure(f"exited with status {self._process.returncode}")

    def _failure(self, what: str) -> BenchError:
        self.stop()
        log = self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        return BenchError(f"atlas server {what}\n--- server log ---\n{log}")
