"""How much ``import atlas`` adds to a Python process, beside ``import mlflow``; and how much
``import foundations`` (old Atlas's SDK, mapped onto ours) adds, with no peer.

Each round times, as subprocesses, ``python -c "import atlas"`` and ``python -c "pass"`` with
our venv's interpreter, then the same two with the peer's; a round's figure is the difference,
so interpreter start-up is not counted. A warm-up round compiles the bytecode; then at least 15
recorded rounds (median, min, max of the differences). ``import foundations`` is timed the
same way in rounds of its own, reported as ``import_time_foundations``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.peer import MLFLOW_ENV
from bench.result import PeerFigure, Result
from bench.trial import Context, Sample, alternate, stats
from bench.worker import clean_env

NAME = "import_time"
FOUNDATIONS = "import_time_foundations"
TARGET_MS = 50.0
ROUNDS = 15


def run(context: Context) -> list[Result]:
    """Measure both imports, alternating, and return the result."""
    peer = context.mlflow
    with context.workdir(NAME) as cwd:
        ours = _Round(Path(sys.executable), "atlas", cwd, clean_env())
        theirs = _Round(peer.python, "mlflow", cwd, clean_env(**MLFLOW_ENV))
        mine, other = alternate(
            NAME, ours, theirs, repetitions=max(ROUNDS, context.repetitions), warmup=2
        )
        old_sdk, _ = alternate(
            FOUNDATIONS,
            _Round(Path(sys.executable), "foundations", cwd, clean_env()),
            None,
            repetitions=max(ROUNDS, context.repetitions),
            warmup=2,
        )
    atlas = stats(mine)
    foundations = stats(old_sdk)
    return [
        Result(
            name=NAME,
            unit="ms",
            ours=atlas,
            peer=PeerFigure("mlflow", peer.version, stats(other)),
            target=f"import atlas adds <= {TARGET_MS:g} ms",
            meets_target=atlas.median <= TARGET_MS,
            note=(
                "wall time of `python -c 'import X'` minus `python -c pass` in the same round, "
                "each a fresh subprocess with warm bytecode caches; median over rounds"
            ),
        ),
        Result(
            name=FOUNDATIONS,
            unit="ms",
            ours=foundations,
            peer=None,
            target=f"import foundations adds <= {TARGET_MS:g} ms",
            meets_target=foundations.median <= TARGET_MS,
            note=(
                "wall time of `python -c 'import foundations'` minus `python -c pass` in the "
                "same round, as for import atlas; no peer (old Atlas needs Redis and its "
                "server to import)"
            ),
        ),
    ]


class _Round:
    """One round's measurement: import time minus bare start-up, in milliseconds."""

    def __init__(self, python: Path, module: str, cwd: Path, env: dict[str, str]) -> None:
        self.importing = [str(python), "-c", f"import {module}"]
        self.bare = [str(python), "-c", "pass"]
        self.cwd = cwd
        self.env = env

    def __call__(self) -> Sample:
        importing = self._seconds(self.importing)
        bare = self._seconds(self.bare)
        return {"value": (importing - bare) * 1000}

    def _seconds(self, command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, cwd=self.cwd, env=self.env, check=True)
        return time.perf_counter() - started
