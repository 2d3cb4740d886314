"""Virtual environments for jobs: one per requirements.txt, built with uv, cached by hash.

An environment lives in ``<root>/<key>/`` where the key hashes the requirements text and the
Python interpreter (version and path). It is built in a temporary folder beside it and
renamed into place when complete (``uv venv --relocatable``, so the rename is safe), under an
exclusive file lock per key: two jobs asking for the same environment at once build it once;
a build that died half-way leaves only a temporary folder, removed by the next build.
Later jobs with the same requirements reuse it at once.

uv reads its usual settings from the environment (``UV_INDEX_URL``, ``UV_FIND_LINKS``,
``UV_NO_INDEX``, ``UV_CACHE_DIR``, ...); ``uv_args`` adds arguments to ``uv pip install``.
Relative paths in requirements.txt are read from the job's working folder, but only the
requirements text is hashed.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from atlas.envs.overlay import sdk_overlay, write_pth
from atlas.errors import InvalidInputError

__all__ = [
    "EnvBuilder",
    "PythonEnv",
    "READY_FILE",
    "build_failure",
    "env_key",
]

READY_FILE = ".atlas-env.json"
_TAIL_LINES = 40
_UV_DECORATION = "\u00d7\u2570\u2500\u25b6\u2502|-> "
"""What uv draws before its diagnostics (a multiplication sign, box-drawing arrows)."""


@dataclass(frozen=True, slots=True)
class PythonEnv:
    """A ready environment: its folder, its ``bin`` folder and whether it was reused."""

    key: str
    path: Path
    reused: bool

    @property
    def bin_dir(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin_dir / "python"


def env_key(requirements: bytes, *, python: str) -> str:
    """The cache key of an environment: requirements text (line endings and surrounding
    blanks normalised) and the interpreter's version, implementation, machine and path."""
    text = b"\n".join(line.strip() for line in requirements.strip().splitlines())
    interpreter = (
        f"{sys.implementation.name}-{platform.python_version()}-{platform.machine()}-"
        f"{os.path.realpath(python)}"
    )
    digest = hashlib.sha256(interpreter.encode() + b"\0" + text).hexdigest()
    return f"py{sys.version_info.major}{sys.version_info.minor}-{digest[:24]}"


class EnvBuilder:
    """Builds and caches environments under ``root``; uv's output goes to ``output``."""

    def __init__(
        self,
        root: Path,
        *,
        output: BinaryIO,
        python: str = sys.executable,
        uv: str | None = None,
        uv_args: Sequence[str] = (),
    ) -> None:
        self.root = Path(root).absolute()
        self.python = python
        self.uv_args = tuple(uv_args)
        self._uv = uv
        self._output = output
        self.process: subprocess.Popen[bytes] | None = None
        """The uv process running now."""
        self.stopped = False

    def stop(self, signum: int) -> None:
        """Stop the build (a cancelled job): ``signum`` to uv's process group now, and no uv
        starts after this; ``ensure`` then raises."""
        self.stopped = True
        process = self.process
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signum)

    def ensure(self, requirements: Path) -> PythonEnv:
        """The environment for ``requirements`` (a requirements.txt), built when missing.

        ``InvalidInputError`` with uv's message when the build fails.
        """
        requirements = requirements.absolute()
        key = env_key(requirements.read_bytes(), python=self.python)
        final = self.root / key
        if (final / READY_FILE).is_file():
            return self._ready(key, reused=True)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock(key):
            if (final / READY_FILE).is_file():
                return self._ready(key, reused=True)
            self._build(key, requirements)
        return self._ready(key, reused=False)

    def _ready(self, key: str, *, reused: bool) -> PythonEnv:
        env = PythonEnv(key, self.root / key, reused)
        for site_packages in env.path.glob("lib/python*/site-packages"):
            write_pth(site_packages, sdk_overlay(self.root))
        return env

    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        with open(self.root / f".{key}.lock", "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._say(f"waiting for another job building environment {key}")
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _build(self, key: str, requirements: Path) -> None:
        for stale in self.root.glob(f".build-{key}-*"):
            shutil.rmtree(stale, ignore_errors=True)  # a build that died: we hold the lock
        temp = self.root / f".build-{key}-{os.getpid()}"
        started = time.monotonic()
        self._say(f"building environment {key} from {requirements.name} with uv")
        try:
            self._run([self.uv, "venv", "--relocatable", "--python", self.python, str(temp)])
            self._run(
                [
                    self.uv,
                    "pip",
                    "install",
                    "--python",
                    str(temp / "bin" / "python"),
                    "-r",
                    str(requirements),
                    *self.uv_args,
                ],
                cwd=requirements.parent,
            )
            marker = {"key": key, "python": self.python, "built_at": time.time()}
            (temp / READY_FILE).write_text(json.dumps(marker), encoding="utf-8")
            temp.rename(self.root / key)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        self._say(f"environment {key} ready in {time.monotonic() - started:.1f} s")

    @property
    def uv(self) -> str:
        """The uv binary: the one given, else the one the ``uv`` package installed."""
        if self._uv is None:
            from uv import find_uv_bin

            self._uv = find_uv_bin()
        return self._uv

    def _run(self, argv: list[str], *, cwd: Path | None = None) -> None:
        """Run uv, copying its output to the log; ``InvalidInputError`` with its last lines
        when it fails."""
        tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._check_not_stopped()
        with subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ) as process:
            self.process = process
            if self.stopped:  # stopped between the check above and the start
                self.stop(signal.SIGTERM)
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    self._output.write(line)
                    self._output.flush()
                    tail.append(line.decode("utf-8", "replace").rstrip())
                code = process.wait()
            finally:
                self.process = None
        if code != 0:
            raise InvalidInputError(
                build_failure(argv[1], code, tail),
                detail={"field": "requirements", "exit_code": code},
            )

    def _check_not_stopped(self) -> None:
        if self.stopped:
            raise InvalidInputError("the environment build was stopped")

    def _say(self, text: str) -> None:
        self._output.write(f"[atlas] {text}\n".encode())
        self._output.flush()


def build_failure(step: str, code: int, tail: Iterable[str]) -> str:
    """The error of a failed uv ``step``: a complete first sentence that names uv's last
    word (its most telling line: uv explains last), then uv's last lines. Never a sentence
    left hanging on a colon, even when uv printed nothing."""
    lines = [line for line in tail if line.strip()]
    reason = lines[-1].strip().lstrip(_UV_DECORATION).strip() if lines else ""
    first = f"building the job's environment failed: uv {step} exited with code {code}"
    if not reason:
        return f"{first} and printed nothing"
    return f"{first}: {reason.rstrip(':')}\nuv's last lines:\n" + "\n".join(lines)
