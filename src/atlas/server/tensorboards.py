"""TensorBoards the server runs for selections of jobs (docs/tensorboard.md).

``POST /api/v1/tensorboards {"jobs": [...]}`` asks :class:`TensorBoards` for one: the same
selection (as a set) is the same instance, shared by everyone who may read all its jobs.
Each instance is a real ``tensorboard`` process (the ``atlas-ml[tensorboard]`` extra) over a
:class:`~atlas.server.tensorboard_logs.LogFolder` of its jobs' event files, listening on a
free loopback port chosen by the system, with ``--path_prefix /<secret>/tensorboard/<id>``:
the server proxies it under ``/tensorboard/<id>/`` (:mod:`atlas.server.tensorboard_proxy`),
and another process on the machine (a job of another user) that finds the port answers 404
without the instance's random secret, never the jobs' data.

- It starts in its own process group; its standard input is a pipe from the server, and the
  process exits when that pipe closes, so a server that dies (even by SIGKILL) leaves no
  TensorBoard behind. :meth:`TensorBoards.close` stops them all at shutdown.
- Importing TensorBoard takes a second or more, so once a TensorBoard was opened one
  process is kept ready with it imported (the *spare*): a new instance sends it its
  arguments and it serves at once; another spare is started behind it. A server whose
  users never open one runs none, and the spare stops once no instance ran for
  ``tensorboard_idle`` seconds.
- :meth:`TensorBoards.tick` (every :data:`TICK_S` seconds, ``now`` passed in) copies what
  the jobs' event files gained, and stops an instance that served no request for
  ``tensorboard_idle`` seconds, or whose process ended.
- At most ``max_tensorboards`` run; a new one stops the least recently used instance that
  is not busy (used within ``tensorboard_busy`` seconds), else :class:`AtCapacityError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import anyio.to_thread
import httpx

from atlas.errors import (
    AtCapacityError,
    MissingExtraError,
    NotFoundError,
    ResourceUnavailableError,
)
from atlas.server.tensorboard_logs import LogFolder, run_names
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.store.artifacts import ArtifactStore

__all__ = [
    "PATH_PREFIX",
    "PROXY_TIMEOUT_S",
    "START_TIMEOUT_S",
    "STOP_GRACE_S",
    "TICK_S",
    "TensorBoard",
    "TensorBoards",
    "instance_id",
    "keep",
    "tensorboard_installed",
]

logger = logging.getLogger(__name__)

TICK_S = 2.0
"""Seconds between two refreshes of the running instances' files (and idle checks)."""
START_TIMEOUT_S = 60.0
"""Longest wait for a new TensorBoard to answer."""
PROXY_TIMEOUT_S = 120.0
"""Longest wait for TensorBoard's answer to one proxied request."""
STOP_GRACE_S = 3.0
"""Seconds a stopped TensorBoard has to exit after SIGTERM before SIGKILL."""
PATH_PREFIX = "/tensorboard"
"""Where the server serves its TensorBoards: ``/tensorboard/<id>/``."""

_LISTENING = re.compile(rb"TensorBoard \S+ at http://[^:/]+:(\d+)/")
_CHILD = """\
import json, os, sys, threading
from tensorboard.main import run_main  # the slow part, done before it is needed
line = sys.stdin.buffer.readline()  # its arguments; nothing: the server is gone
if not line:
    os._exit(0)
def _watch():  # the server's end of stdin closes when the server exits, however it exits
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
sys.argv = ["tensorboard", *json.loads(line)]
run_main()
"""


def tensorboard_installed() -> bool:
    """Whether the ``tensorboard`` package can be imported by the server's interpreter."""
    return importlib.util.find_spec("tensorboard") is not None


def instance_id(job_ids: Sequence[str]) -> str:
    """The id of the instance of a selection: the same for the same set of jobs."""
    joined = ",".join(sorted(set(job_ids)))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


@dataclass(slots=True)
class TensorBoard:
    """One running TensorBoard: its jobs (id -> run name), the projects they belong to,
    its log folder and process."""

    id: str
    jobs: dict[str, str]
    projects: frozenset[str]
    logs: LogFolder
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    """Its output (where it says its port)."""
    port: int = 0
    started_at: float = field(default_factory=time.time)
    used_at: float = field(default_factory=time.monotonic)
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    """The first segment of its own path prefix, known only to the server."""

    @property
    def path(self) -> str:
        """Where the server serves it: ``/tensorboard/<id>/``."""
        return f"{PATH_PREFIX}/{self.id}/"

    @property
    def upstream(self) -> str:
        """Where the process itself serves it: ``/<secret>/tensorboard/<id>/``."""
        return f"/{self.secret}{self.path}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def touch(self, now: float | None = None) -> None:
        """Note a request (it is not idle)."""
        self.used_at = time.monotonic() if now is None else now


class TensorBoards:
    """The server's TensorBoards, by id. ``python`` runs them (default: the server's own
    interpreter, where the ``tensorboard`` package must be installed)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        artifacts: ArtifactStore,
        *,
        python: str = sys.executable,
    ) -> None:
        self.settings = settings
        self.store = store
        self.artifacts = artifacts
        self.python = python
        self.folder = settings.home_path / "tensorboards" / str(os.getpid())
        """This server's TensorBoard folders (one per server process: servers may share a
        home); what a server that died left is removed by :meth:`remove_leftovers`."""
        self.instances: dict[str, TensorBoard] = {}
        self.http = httpx.AsyncClient(timeout=PROXY_TIMEOUT_S, trust_env=False)
        """The proxy's client (loopback only, no proxy settings from the environment)."""
        self._lock = anyio.Lock()
        """Held while a request looks an instance up or books room for a new one; the
        copy of its files and its start run outside it, so opening one never waits on
        another's start."""
        self._starting: dict[str, anyio.Event] = {}
        """The instances being prepared and started, set when done (or failed)."""
        self._spare_lock = threading.Lock()
        self._spare: tuple[subprocess.Popen[bytes], Path] | None = None
        self._spawned = 0
        self._used_at = 0.0
        """When an instance last ran (``time.monotonic``): the spare is kept until
        ``tensorboard_idle`` seconds after."""

    @property
    def has_spare(self) -> bool:
        """Whether a spare process runs."""
        return self._spare is not None and self._spare[0].poll() is None

    def warm(self) -> None:
        """Have a spare process ready (with TensorBoard imported), unless there is one or
        the ``tensorboard`` package is missing. Blocking: it only starts the process."""
        with self._spare_lock:
            self._warm()

    def _warm(self) -> None:
        if self.has_spare:
            return
        if not tensorboard_installed():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._spawned += 1
        output = self.folder / f"spare-{self._spawned}.log"
        with open(output, "wb") as log:
            process = subprocess.Popen(
                [self.python, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,  # its own group: stopped whole
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self._spare = (process, output)

    def remove_leftovers(self) -> None:
        """Remove the folders of servers (on this home) that no longer run. Blocking."""
        for folder in self.folder.parent.glob("*"):
            if folder.name.isdigit() and folder != self.folder and not _alive(int(folder.name)):
                logger.info("removing %s, left by a server that stopped", folder)
                shutil.rmtree(folder, ignore_errors=True)

    def _take_spare(self) -> tuple[subprocess.Popen[bytes], Path]:
        with self._spare_lock:
            self._warm()
            if self._spare is None:
                raise MissingExtraError(
                    "TensorBoard is not installed", detail={"extra": "tensorboard"}
                )
            spare, self._spare = self._spare, None
            return spare

    def find(self, tensorboard_id: str) -> TensorBoard | None:
        """The running instance ``tensorboard_id``, or ``None``."""
        found = self.instances.get(tensorboard_id)
        return found if found is not None and found.running and found.port else None

    async def open(self, job_ids: Sequence[str]) -> tuple[TensorBoard, bool]:
        """The instance over exactly ``job_ids``, started when there is none (``True``
        second) and answering when this returns; a request for one being started waits for
        it. The caller checked that the jobs exist and may be read. ``MissingExtraError``
        without the ``tensorboard`` package, ``AtCapacityError`` when ``max_tensorboards``
        are busy."""
        key = instance_id(job_ids)
        while True:
            async with self._lock:
                found = self.find(key)
                if found is not None:
                    found.touch()
                    return found, False
                starting = self._starting.get(key)
                if starting is None:
                    if not tensorboard_installed():
                        raise MissingExtraError(
                            "TensorBoard is not installed on the server: install "
                            "atlas-ml[tensorboard] there (pip install 'atlas-ml[tensorboard]')",
                            detail={"extra": "tensorboard"},
                        )
                    await anyio.to_thread.run_sync(self._make_room, time.monotonic())
                    done = self._starting[key] = anyio.Event()
                    break
            await starting.wait()  # then look again: it runs, or its start failed
        # shielded: a caller that goes away meanwhile leaves an instance that is known (and
        # stopped when idle), never a process no one tracks
        with anyio.CancelScope(shield=True):
            try:
                instance = await anyio.to_thread.run_sync(self._prepare, key, sorted(set(job_ids)))
                self.instances[key] = instance
                try:
                    await anyio.to_thread.run_sync(self._start, instance)
                except BaseException:
                    self.instances.pop(key, None)
                    await anyio.to_thread.run_sync(self._stop, instance)
                    raise
            finally:
                del self._starting[key]
                done.set()
        return instance, True

    def _prepare(self, key: str, job_ids: list[str]) -> TensorBoard:
        jobs = {job_id: self.store.get_job(job_id) for job_id in job_ids}
        runs = run_names(list(jobs.values()))
        logs = LogFolder(self.folder / key, runs)
        logs.remove()  # what a server killed before it could clean up left
        logs.refresh(self.store, self.artifacts)
        projects = frozenset(job.project for job in jobs.values())
        return TensorBoard(key, runs, projects, logs)

    def _start(self, instance: TensorBoard) -> None:
        """Start the process and wait until it answers (its log says its port)."""
        arguments = [
            "--logdir",
            str(instance.logs.root),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--path_prefix",
            instance.upstream.rstrip("/"),
            "--load_fast",
            "false",
            "--reload_interval",
            str(int(TICK_S)),
            "--window_title",
            f"TensorBoard: {len(instance.jobs)} Atlas jobs",
        ]
        instance.process, output = self._take_spare()
        instance.log = output
        assert instance.process.stdin is not None
        try:
            instance.process.stdin.write(json.dumps(arguments).encode() + b"\n")
            instance.process.stdin.flush()
        except OSError:  # the spare died: its output says why below
            pass
        self.warm()  # the next one's
        logger.info(
            "TensorBoard %s starting (pid %d) for jobs %s",
            instance.id,
            instance.process.pid,
            ", ".join(instance.jobs),
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            found = _LISTENING.search(output.read_bytes())
            if found:
                instance.port = int(found.group(1))
                logger.info("TensorBoard %s listens on 127.0.0.1:%d", instance.id, instance.port)
                return
            if instance.process.poll() is not None:
                break
            time.sleep(0.05)
        tail = output.read_bytes()[-2000:].decode("utf-8", "replace")
        raise ResourceUnavailableError(
            f"TensorBoard did not start on the server: {tail.strip()[-500:]}",
            detail={"tensorboard_id": instance.id},
        )

    def _make_room(self, now: float) -> None:
        """Stop the least recently used instance when ``max_tensorboards`` run or start,
        unless all are busy or starting (``AtCapacityError``)."""
        running = [i for i in self.instances.values() if i.running and i.id not in self._starting]
        if len(running) + len(self._starting) < max(1, self.settings.max_tensorboards):
            return
        if not running:  # every place is taken by one being started
            raise AtCapacityError(
                f"all {len(self._starting)} TensorBoards this server runs are starting: try "
                "again in a minute",
                detail={"max_tensorboards": self.settings.max_tensorboards},
            )
        oldest = min(running, key=lambda i: i.used_at)
        if now - oldest.used_at < self.settings.tensorboard_busy:
            raise AtCapacityError(
                f"all {len(running)} TensorBoards this server runs are in use: try again in a "
                "minute, or close one (atlas tensorboard --stop)",
                detail={"max_tensorboards": self.settings.max_tensorboards},
            )
        logger.info("TensorBoard %s stopped to make room for another", oldest.id)
        self.instances.pop(oldest.id, None)
        self._stop(oldest)

    def tick(self, now: float) -> None:
        """Stop instances idle for ``tensorboard_idle`` seconds or whose process ended;
        copy what the others' event files gained; stop the spare once none ran for
        ``tensorboard_idle`` seconds. Blocking; problems are logged."""
        if self.instances:
            self._used_at = now
        elif self._spare is not None and now - self._used_at >= self.settings.tensorboard_idle:
            logger.info("TensorBoard's spare process stopped: no TensorBoard ran lately")
            self._end_spare()
        for instance in list(self.instances.values()):
            if instance.process is None:  # still starting
                continue
            idle = now - instance.used_at >= self.settings.tensorboard_idle
            if idle or not instance.running:
                why = "idle" if idle else f"ended with code {instance.process.poll()}"
                logger.info("TensorBoard %s stopped: %s", instance.id, why)
                self.instances.pop(instance.id, None)
                self._stop(instance)
                continue
            instance.logs.refresh(self.store, self.artifacts)
            instance.projects = self._projects(instance)

    def _projects(self, instance: TensorBoard) -> frozenset[str]:
        """The projects of the instance's jobs now (a project renamed, a job moved); a job
        deleted meanwhile keeps the project it had."""
        projects = set()
        for job_id in instance.jobs:
            try:
                projects.add(self.store.job_project(job_id))
            except NotFoundError:
                projects |= instance.projects
        return frozenset(projects)

    def stop(self, tensorboard_id: str) -> None:
        """Stop one instance (``NotFoundError`` when none runs with that id)."""
        instance = self.instances.pop(tensorboard_id, None)
        if instance is None:
            raise NotFoundError(
                f"no TensorBoard {tensorboard_id} runs",
                detail={"tensorboard_id": tensorboard_id},
            )
        self._stop(instance)

    def close(self) -> None:
        """Stop every instance and the spare (the server is stopping)."""
        while self.instances:
            _, instance = self.instances.popitem()
            self._stop(instance)
        self._end_spare()

    def _end_spare(self) -> None:
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            process, output = spare
            _end(process)
            output.unlink(missing_ok=True)

    def _stop(self, instance: TensorBoard) -> None:
        if instance.process is not None:
            _end(instance.process)
        instance.logs.remove()
        if instance.log is not None:
            instance.log.unlink(missing_ok=True)


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` and its group: SIGTERM, then SIGKILL after :data:`STOP_GRACE_S`."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()


async def keep(tensorboards: TensorBoards) -> None:
    """Run :meth:`TensorBoards.tick` every :data:`TICK_S` seconds until cancelled (the
    server stops), then stop every instance."""
    try:
        await anyio.to_thread.run_sync(tensorboards.remove_leftovers)
        while True:
            await anyio.sleep(TICK_S)
            try:
                await anyio.to_thread.run_sync(tensorboards.tick, time.monotonic())
            except Exception:  # one bad round must not end the loop
                logger.exception("TensorBoards: refreshing failed; trying again")
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(tensorboards.close)
            await tensorboards.http.aclose()
            shutil.rmtree(tensorboards.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
