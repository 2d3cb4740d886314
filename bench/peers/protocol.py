"""The line protocol between the benchmark harness and a measured subprocess.

Standard library only: it runs under the peer's interpreter as well as ours. The worker sets
up, prints one JSON line ``{"ready": true, ...}``, then answers each JSON command line read
from stdin (``{"op": name, ...}``) with one JSON line, until ``{"op": "quit"}`` or EOF. A
failing command answers ``{"error": traceback}``. Whatever the measured library prints goes to
stderr, so stdout carries protocol lines only.
"""

from __future__ import annotations

import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["per_call", "serve"]

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def serve(setup: Callable[[], dict[str, Any]], handlers: dict[str, Handler]) -> None:
    """Run ``setup`` then answer commands with ``handlers`` until told to quit."""
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        info = setup()
    except Exception:
        _send(channel, {"error": traceback.format_exc()})
        raise SystemExit(1) from None
    _send(channel, {"ready": True, **info})
    for line in sys.stdin:
        command = json.loads(line)
        op = command.get("op")
        if op == "quit":
            break
        try:
            reply = handlers[op](command)
        except Exception:
            reply = {"error": traceback.format_exc()}
        _send(channel, reply)
    channel.close()


def per_call(deltas_ns: Sequence[int]) -> dict[str, float]:
    """Median and nearest-rank p99 of per-call times, in microseconds."""
    ordered = sorted(deltas_ns)
    n = len(ordered)
    median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    p99 = ordered[max(0, math.ceil(0.99 * n) - 1)]
    return {"median_us": median / 1000, "p99_us": p99 / 1000, "calls": n}


def _send(channel: Any, message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()
