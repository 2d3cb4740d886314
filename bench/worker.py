"""The harness side of the worker line protocol (see bench/peers/protocol.py)."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["BenchError", "Worker", "clean_env"]

PEERS_DIR = Path(__file__).resolve().parent / "peers"


def clean_env(**values: str) -> dict[str, str]:
    """The environment without any ATLAS_* variable of the caller's, plus ``values``: what a
    measured process sees must not depend on the shell the benchmark was started from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return {**env, **values}


class BenchError(RuntimeError):
    """A benchmark could not be run (a worker failed, a server did not start)."""


class Worker:
    """A measured subprocess: ``python bench/peers/<script> args...``. Use it as a context
    manager (start, wait until ready, quit at the end), or ``launch()`` it early, let its
    set-up run while the caller works, and ``ready()`` it before the first ``call()``.

    Its stderr goes to ``log_path``; on failure the tail of that log is in the error. It runs
    with ``clean_env(**env)``.
    """

    def __init__(
        self,
        python: Path | str,
        script: str,
        args: list[str],
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.command = [str(python), str(PEERS_DIR / script), *args]
        self.log_path = log_path
        self.env = clean_env(**(env or {}))
        self._process: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def launch(self) -> None:
        """Start the worker without waiting (its set-up runs while the caller goes on)."""
        if self._process is not None:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w", encoding="utf-8") as log:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.env,
            )

    @property
    def pid(self) -> int:
        """The worker's process id (for profilers)."""
        return self._require().pid

    def ready(self, *, timeout: float = 600) -> dict[str, Any]:
        """Wait for the launched worker's ready line; return what it reported."""
        if not self.info:
            self.info = self._receive(timeout)
        return self.info

    def call(self, op: str, *, timeout: float = 600, **fields: Any) -> dict[str, Any]:
        """Send one command and return the worker's answer."""
        process = self._require()
        assert process.stdin is not None
        process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        process.stdin.flush()
        return self._receive(timeout)

    def close(self) -> None:
        """Ask the worker to quit; kill it when it does not within 30 s."""
        process = self._process
        if process is None:
            return
        self._process = None
        try:
            if process.stdin is not None and process.poll() is None:
                process.stdin.write('{"op": "quit"}\n')
                process.stdin.close()
            process.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Worker:
        self.launch()
        self.ready()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _require(self) -> subprocess.Popen[str]:
        if self._process is None:
            raise BenchError(f"worker {self.command[1]} is not running")
        return self._process

    def _receive(self, timeout: float) -> dict[str, Any]:
        process = self._require()
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                if time.monotonic() >= deadline:
                    raise self._failure(f"no answer within {timeout:.0f} s")
        line = process.stdout.readline()
        if not line:
            process.wait()
            raise self._failure(f"exited with status {process.returncode}")
        message: dict[str, Any] = json.loads(line)
        if "error" in message:
            raise self._failure(message["error"])
        return message

    def _failure(self, what: str) -> BenchError:
        tail = ""
        if self.log_path.exists():
            tail = self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        return BenchError(f"{' '.join(self.command)}: {what}\n--- stderr tail ---\n{tail}")
