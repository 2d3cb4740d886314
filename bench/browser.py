"""Browser probes: a Node script (``bench/*_probe.mjs``) that drives Debian's Chromium with the
Playwright that web/ installs. It reads its config as JSON on stdin (never in the process
list: it may hold a password): the benchmark's own keys plus ``repetitions``, ``warmup`` and
``chromium`` (the browser's path). It prints its figures as one JSON value on stdout and its
progress on stderr.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx

from bench.trial import Context, progress
from bench.worker import BenchError, clean_env

__all__ = ["CHROMIUM", "WEB", "check_gui", "check_tools", "run_probe"]

CHROMIUM = Path("/usr/bin/chromium")
WEB = Path(__file__).resolve().parent.parent / "web"


def check_tools(purpose: str) -> str:
    """The path of ``node``, once Node, web/'s playwright-core and Chromium are all there;
    else a ``BenchError`` saying how to get the missing one. ``purpose`` ends the message
    when Node is missing: why the benchmark needs it."""
    node = shutil.which("node")
    if node is None:
        raise BenchError(f"node is not installed ({purpose})")
    if not (WEB / "node_modules" / "playwright-core").is_dir():
        raise BenchError("web/node_modules lacks playwright-core: run `make setup`")
    if not CHROMIUM.exists():
        raise BenchError(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    return node


def check_gui(url: str, page: str = "/") -> None:
    """Raise ``BenchError`` unless the server at ``url`` serves the built GUI at ``page``."""
    html = httpx.get(f"{url}{page}", headers={"Accept": "text/html"}, timeout=30).text
    if 'type="module"' not in html:
        raise BenchError("the server serves no built GUI: run `make setup` first")


def run_probe(
    node: str,
    probe: Path,
    config: dict[str, Any],
    *,
    context: Context,
    work: Path,
    label: str,
    timeout: float,
) -> Any:
    """Run ``probe`` in web/ with ``config`` and the context's repetitions on stdin; return
    the JSON it prints on stdout.

    Its stderr goes to ``work/<probe>.log`` and then, line by line, to the progress output
    under ``label``; a probe that fails raises ``BenchError`` with the log's tail.
    """
    config = {
        **config,
        "repetitions": context.repetitions,
        "warmup": context.warmup,
        "chromium": str(CHROMIUM),
    }
    log = work / f"{probe.stem}.log"
    with log.open("w", encoding="utf-8") as stderr:
        done = subprocess.run(
            [node, str(probe)],
            input=json.dumps(config),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=WEB,
            env=clean_env(),
            timeout=timeout,
            check=False,
        )
    messages = log.read_text(encoding="utf-8", errors="replace")
    for line in messages.splitlines():
        progress(label, line)
    if done.returncode != 0:
        raise BenchError(f"{probe.name} failed ({done.returncode}):\n{messages[-3000:]}")
    return json.loads(done.stdout)
