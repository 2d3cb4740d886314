"""Waiting for a real `atlas server` subprocess, shared by the suites that start one."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx

START_DEADLINE_S = 60.0


def wait_healthy(
    url: str, process: subprocess.Popen[str] | subprocess.Popen[bytes], output: Callable[[], str]
) -> None:
    """Poll ``url``/healthz until it answers 200; ``AssertionError`` with the server's
    ``output()`` when the process exits first or the deadline passes."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"server never answered /healthz:\n{output()}")
