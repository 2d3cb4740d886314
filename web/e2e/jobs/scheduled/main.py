"""A job the e2e suite submits with ``atlas submit``: the scheduler runs it, the SDK attaches.

Params (``--param``): ``steps`` (metric points to log), ``wait_for`` (a file to wait for
before it ends, so a test can watch it running and stop it), ``fail_first`` (a file that
counts the runs: the first run fails, so a job submitted with ``--retries`` is retried).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import atlas


def main() -> None:
    params = atlas.load_parameters()
    fail_first = params.get("fail_first")
    if isinstance(fail_first, str) and fail_first:
        counter = Path(fail_first)
        runs = (int(counter.read_text()) if counter.exists() else 0) + 1
        counter.write_text(str(runs))
        if runs == 1:
            raise RuntimeError("the first run fails on purpose")
    given = params.get("steps", 20)
    steps = int(given) if isinstance(given, int | float | str) else 20
    for step in range(steps):
        atlas.log_metric("loss", 1.5 * math.exp(-step / 5) + 0.1, step=step)
    print(f"scheduled job logged {steps} steps", flush=True)
    wait_for = params.get("wait_for")
    if isinstance(wait_for, str) and wait_for:
        run = atlas.current_job()
        if run is not None:
            run.flush(timeout=30)  # the metrics are on the server while the test watches
        print("waiting for " + Path(wait_for).name, flush=True)
        deadline = time.monotonic() + 120
        while not Path(wait_for).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    print("scheduled job done", flush=True)


if __name__ == "__main__":
    main()
