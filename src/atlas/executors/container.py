"""``ContainerExecutor``: jobs run in the container image they name, on a Docker Engine API
(Docker or Podman; :mod:`atlas.executors.container_engine`).

``launch`` makes the job's folder ``<work_dir>/<job_id>/`` and returns at once; a thread per
job does the rest: it unpacks the snapshot into ``work/`` (mounted as the container's working
folder), writes the params files, creates and starts the container (labelled with the job's
id), appends the container's output to the job's log as it comes, waits for its end and
writes ``.atlas/exit.json`` (the same record as the local launcher's), then removes the
container. ``.atlas/`` is not mounted: the job cannot forge how it ended.

The container has no network and reaches the server through the Unix socket that ``atlas
server`` serves (``Settings.socket_path``), unless the job asks for a network; an executor
whose server serves no socket gives every container the host's network, and says so in the
job's log.

After a server restart ``adopt`` finds the container by its label and follows it again: the
log goes on from the byte where it stopped (``started.json`` holds the log's size when the
container's output began), so nothing is written twice, and the job is never started again.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.domain import JobStatus
from atlas.errors import AtlasError, ConflictError, InvalidInputError, NotFoundError
from atlas.executors.base import Handle, LaunchSpec, Node, Outcome
from atlas.executors.container_engine import (
    Engine,
    Mount,
    container_options,
    missing_command_error,
    sdk_mounts,
    wants_network,
    write_site,
)
from atlas.executors.launcher import (
    CONTROL_DIR,
    TENSORBOARD_JOIN_S,
    any_event_file,
    read_json,
    write_json_atomic,
    write_params,
)
from atlas.executors.local import outcome_from_exit
from atlas.executors.workdir import unpack_snapshot
from atlas.settings import Settings

if TYPE_CHECKING:
    from docker.models.containers import Container

__all__ = ["ContainerExecutor", "ContainerHandle"]

logger = logging.getLogger(__name__)

_FINISHED_KEPT = 10_000
_KILLED = 137  # 128 + SIGKILL: what the engine reports for a container killed by the kernel
_HEAD_BYTES = 4096
_EXEC_FAILED = re.compile(rb"failed to exec pid1: No such file|exec .{1,200} failed: No such file")
"""What the container's init (Podman's catatonit, Docker's tini) prints when the command is
not in the image."""


@dataclass(frozen=True, slots=True)
class ContainerHandle(Handle):
    """A job launched in a container: the container's name and the job's folder."""

    container: str = ""
    workdir: Path = Path()

    def record(self) -> dict[str, object]:
        """What the scheduler persists: enough for ``ContainerExecutor.adopt``."""
        return {"executor": "container", "container": self.container, "workdir": str(self.workdir)}


@dataclass
class _Job:
    job_id: str
    root: Path
    log_path: Path | None
    spec: LaunchSpec | None = None  # None: adopted after a restart
    container: Container | None = None
    started: bool = False
    cancelled: bool = False
    stopping: bool = False
    grace: float = 10.0
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def control(self) -> Path:
        return self.root / CONTROL_DIR

    def asked_to_stop(self) -> bool:
        with self.lock:
            return self.cancelled

    @property
    def work(self) -> Path:
        return self.root / "work"


class ContainerExecutor:
    """Runs jobs that name an image on ``engine`` (see the module's documentation);
    ``work_dir`` holds one folder per job, ``keep_workdirs`` keeps it after the job ends,
    ``grace`` is the SIGTERM-to-SIGKILL delay of a stop, ``server_socket`` the Unix socket
    the server serves jobs on (``None``: none, containers get the host's network)."""

    runs_images = True

    def __init__(
        self,
        engine: Engine,
        work_dir: Path,
        *,
        keep_workdirs: bool = False,
        grace: float = 10.0,
        server_socket: Path | None = None,
    ) -> None:
        self.engine = engine
        self.work_dir = Path(work_dir).absolute()
        self.keep_workdirs = keep_workdirs
        self.grace = grace
        self.server_socket = server_socket
        self.mounts: list[Mount] = [*sdk_mounts(), write_site(self.work_dir / ".container-site")]
        self._jobs: dict[str, _Job] = {}
        self._finished: OrderedDict[str, Outcome] = OrderedDict()
        self._callback: Callable[[str], None] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, url: str) -> ContainerExecutor:
        """The executor for the engine at ``url``, with the settings' ``work_dir``,
        ``keep_workdirs`` and ``cancel_grace``, and the server's socket when a server listens
        on it (``atlas server`` makes it before the app starts); ``ResourceUnavailableError``
        naming ``url`` when the engine does not answer."""
        engine = Engine(url)
        path = settings.socket_path
        serving = _listening(path)
        if serving:
            logger.info("jobs in containers have no network: they reach the server at %s", path)
        else:
            logger.warning(
                "no server listens at %s: jobs in containers get the host's network", path
            )
        return cls(
            engine,
            settings.work_path,
            keep_workdirs=settings.keep_workdirs,
            grace=settings.cancel_grace,
            server_socket=path if serving else None,
        )

    def __repr__(self) -> str:
        return f"ContainerExecutor({self.engine.describe()}, {len(self._jobs)} running)"

    def knows(self, job_id: str) -> bool:
        """Whether the job was launched or adopted here (running, or ended not long ago)."""
        with self._lock:
            return job_id in self._jobs or job_id in self._finished

    def check_image(self, image: str) -> None:
        """``ResourceUnavailableError`` when the engine does not answer (called at submit)."""
        self.engine.check()

    # -- the Executor protocol -----------------------------------------------------------------
    def launch(self, spec: LaunchSpec) -> ContainerHandle:
        """Make the job's folder and start its thread; return at once."""
        spec.check()
        if spec.job.image is None:
            raise InvalidInputError(f"job {spec.job_id} names no image", detail={"field": "image"})
        with self._lock:
            if spec.job_id in self._jobs:
                raise ConflictError(f"job {spec.job_id} is already running")
            self._finished.pop(spec.job_id, None)
        root = self.work_dir / spec.job_id
        shutil.rmtree(root, ignore_errors=True)  # what an earlier attempt left
        (root / CONTROL_DIR).mkdir(parents=True, mode=0o700)
        (root / "work").mkdir()
        job = _Job(spec.job_id, root, spec.log_path, spec=spec, grace=self.grace)
        with self._lock:
            self._jobs[spec.job_id] = job
        self._start(job, self._run)
        return ContainerHandle(spec.job_id, container=_name(spec.job_id), workdir=root)

    def poll(self, job_id: str) -> Outcome | None:
        """``None`` while the job runs, else its outcome."""
        with self._lock:
            done = self._finished.get(job_id)
            job = self._jobs.get(job_id)
        if done is not None:
            return done
        if job is None:
            raise NotFoundError(f"job {job_id} is not running here", detail={"job_id": job_id})
        if job.thread is None and job.container is not None:
            # adopted: followed from the first poll on, so a server in standby that adopts
            # a job only to cancel it never copies its log beside the scheduling server
            self._start(job, self._resume)
            return None
        if job.thread is not None and job.thread.is_alive():
            return None
        record = read_json(job.control / "exit.json")
        if record is None:
            outcome = Outcome(
                JobStatus.LOST,
                error="the job's container ended without a record of how",
                finished_at=time.time(),
            )
        else:
            outcome = outcome_from_exit(record)
        with self._lock:
            self._jobs.pop(job_id, None)
            self._finished[job_id] = outcome
            while len(self._finished) > _FINISHED_KEPT:
                self._finished.popitem(last=False)
        if not self.keep_workdirs:
            shutil.rmtree(job.root, ignore_errors=True)
        return outcome

    def started(self, job_id: str) -> bool:
        """Whether the job's container has started."""
        with self._lock:
            job = self._jobs.get(job_id)
            done = job_id in self._finished
        if job is None:
            return done
        return (job.control / "started.json").is_file()

    def cancel(self, job_id: str, *, grace: float) -> None:
        """Stop the job's container (SIGTERM to its command through the container's init,
        SIGKILL after ``grace``), from a thread; a job not started yet never starts."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            return
        # on disk too: the server that follows the job records the cancel when this one is a
        # server in standby
        write_json_atomic(job.control / "cancel.json", {"grace": grace, "at": time.time()})
        with job.lock:
            job.cancelled = True
            job.grace = grace
            stop_now = job.started and not job.stopping
            job.stopping = job.stopping or stop_now
        if stop_now:
            self._stop(job)

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        """Find the job's container again by its label (its log is followed on from the
        first ``poll``); ``True`` when the job is known again (running, or ended with its exit
        recorded), ``False`` when its container is gone or never started (the job is not
        started again)."""
        with self._lock:
            if job_id in self._jobs:
                return True
        root = Path(str(record.get("workdir") or self.work_dir / job_id))
        job = _Job(job_id, root, None)
        if not (job.control / "exit.json").is_file():
            container = self.engine.find(job_id)
            started = read_json(job.control / "started.json")
            if container is None or started is None or container.status == "created":
                return False  # gone, or never started (and it never will: nothing starts it)
            job.container, job.started = container, True
            log = started.get("log_path")
            job.log_path = Path(log) if isinstance(log, str) else None
        with self._lock:
            self._jobs[job_id] = job
        logger.info("job %s: adopted (container %s)", job_id, _name(job_id))
        return True

    def running(self) -> list[str]:
        """Ids of the jobs whose outcome ``poll`` has not given yet."""
        with self._lock:
            return list(self._jobs)

    def nodes(self) -> tuple[Node, ...] | None:
        """``None``: jobs run on the server's own machine."""
        return None

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        """Call ``callback(job_id)`` from the job's thread when its container has ended."""
        self._callback = callback

    # -- a job's thread ------------------------------------------------------------------------
    def _start(self, job: _Job, target: Callable[[_Job], dict[str, object]]) -> None:
        job.thread = threading.Thread(
            target=self._guarded, args=(job, target), name=f"atlas-job-{job.job_id}", daemon=True
        )
        job.thread.start()

    def _guarded(self, job: _Job, target: Callable[[_Job], dict[str, object]]) -> None:
        try:
            result = target(job)
        except AtlasError as exc:
            result = {"exit_code": None, "error": exc.message}
        except Exception as exc:
            logger.exception("job %s: the container could not be run", job.job_id)
            result = {"exit_code": None, "error": f"the container engine failed: {exc}"}
        result = self._final(job, result)
        if result.get("error") and not result.get("cancelled"):
            self._say(job, f"job failed: {str(result['error']).splitlines()[0]}")
        write_json_atomic(job.control / "exit.json", result, durable=True)
        self._remove(job)
        callback = self._callback
        if callback is not None:
            try:
                callback(job.job_id)
            except Exception:
                logger.exception("job %s: the on_exit callback failed", job.job_id)

    def _run(self, job: _Job) -> dict[str, object]:
        spec = job.spec
        assert spec is not None
        assert spec.job.image is not None
        if spec.snapshot_path is not None:
            count = unpack_snapshot(spec.snapshot_path, job.work)
            self._say(job, f"unpacked the code snapshot: {count} files and folders")
        write_params(job.work, dict(spec.job.params))
        if self.server_socket is None and not wants_network(spec):
            self._say(
                job,
                "the server serves no socket for jobs (docs/containers.md): the container gets "
                f"the host's network and reaches the server at {spec.server_url}",
            )
        if job.asked_to_stop():
            return {"exit_code": None}
        container = self._create(job, spec)
        with job.lock:
            job.container = container
        if job.asked_to_stop():
            return {"exit_code": None}
        try:
            container.start()
        except self.engine.errors.APIError as exc:
            if "not found" in str(exc.explanation or exc).lower():
                return {
                    "exit_code": 127,
                    "error": missing_command_error(spec.job.image, spec.command[0]),
                }
            raise
        base = spec.log_path.stat().st_size if spec.log_path.is_file() else 0
        record = {"at": time.time(), "log_path": str(spec.log_path), "log_base": base}
        write_json_atomic(job.control / "started.json", record)
        with job.lock:
            job.started = True
            stop_now = job.cancelled and not job.stopping
            job.stopping = job.stopping or stop_now
        if stop_now:  # a cancel came while it started
            self._stop(job)
        return self._follow(job, container, skip=0)

    def _create(self, job: _Job, spec: LaunchSpec) -> Container:
        image = spec.job.image or ""
        options = container_options(
            spec,
            workdir=job.work,
            mounts=self.mounts,
            podman=self.engine.podman,
            name=_name(job.job_id),
            server_socket=self.server_socket,
        )
        errors = self.engine.errors
        for _ in range(2):
            try:
                return self.engine.streams.containers.create(**options)  # type: ignore[arg-type]
            except errors.ImageNotFound:
                raise InvalidInputError(
                    f"image {image} not found on the engine: build or pull it first "
                    f"(podman pull {image}, or docker pull {image})",
                    detail={"field": "image"},
                ) from None
            except errors.APIError as exc:
                if exc.status_code != 409:
                    raise
                old = self.engine.find(job.job_id)  # an earlier attempt's container
                if old is None or old.status == "running":
                    raise ConflictError(f"job {job.job_id} already runs in a container") from None
                old.remove(force=True)
        raise ConflictError(f"job {job.job_id}: its container name stays taken")

    def _resume(self, job: _Job) -> dict[str, object]:
        started = read_json(job.control / "started.json") or {}
        base = started.get("log_base")
        size = job.log_path.stat().st_size if job.log_path and job.log_path.is_file() else 0
        skip = max(0, size - base) if isinstance(base, int) else size
        assert job.container is not None
        return self._follow(job, job.container, skip=skip)

    def _follow(self, job: _Job, container: Container, *, skip: int) -> dict[str, object]:
        """Append the container's output to the job's log (its first ``skip`` bytes were
        written before a restart) until it ends, its TensorBoard event files sent as they
        grow meanwhile; its exit code."""
        with self._event_files(job):
            return self._output(job, container, skip=skip)

    @contextlib.contextmanager
    def _event_files(self, job: _Job) -> Iterator[None]:
        """While the block runs, send what the TensorBoard event files below the job's
        working folder (mounted from here) gain as its metrics and artifacts, as the local
        launcher does (docs/tensorboard.md); then read them to their end. Not for a job
        adopted after a restart: its token is not kept on disk."""
        spec = job.spec
        if spec is None:
            yield
            return
        from atlas.tbevents.live import follow_job

        stop = threading.Event()
        follower = threading.Thread(
            target=follow_job,
            args=(str(job.work),),
            kwargs={
                "job_id": job.job_id,
                "url": spec.server_url,
                "token": spec.token or "",
                "stop": stop,
            },
            name=f"atlas-tensorboard-{job.job_id}",
            daemon=True,
        )
        follower.start()
        try:
            yield
        finally:
            stop.set()
            if any_event_file(str(job.work)):  # else nothing to send: the job's end waits not
                follower.join(TENSORBOARD_JOIN_S)

    def _output(self, job: _Job, container: Container, *, skip: int) -> dict[str, object]:
        head = b""
        if job.log_path is not None:
            job.log_path.parent.mkdir(parents=True, exist_ok=True)
            stream = container.logs(stream=True, follow=True)
            with job.log_path.open("ab") as log, contextlib.closing(stream):
                for chunk in stream:
                    if len(head) < _HEAD_BYTES:
                        head += chunk[:_HEAD_BYTES]
                    if skip >= len(chunk):
                        skip -= len(chunk)
                        continue
                    log.write(chunk[skip:])
                    log.flush()
                    skip = 0
        status = container.wait()
        container.reload()
        state = container.attrs.get("State") or {}
        code = status.get("StatusCode")
        result: dict[str, object] = {
            "exit_code": code if isinstance(code, int) else None,
            "oom_killed": bool(state.get("OOMKilled")),
        }
        if code != 0 and _EXEC_FAILED.search(head) and job.spec is not None:
            image, program = job.spec.job.image or "", job.spec.command[0]
            result["error"] = missing_command_error(image, program)
        return result

    def _final(self, job: _Job, result: dict[str, object]) -> dict[str, object]:
        """The ``exit.json`` record of how the job ended (see ``outcome_from_exit``)."""
        result = {"exit_code": None, "signal": None, "error": None, **result}
        code = result["exit_code"]
        elsewhere = not job.cancelled and (job.control / "cancel.json").is_file()
        cancelled = elsewhere or (job.cancelled and (job.stopping or not job.started))
        oom = bool(result.pop("oom_killed", False))
        result.update(
            cancelled=cancelled,
            timed_out=False,
            memory_exceeded=oom and not cancelled,
            finished_at=time.time(),
        )
        if cancelled:
            result["error"] = "cancelled"
        elif code == _KILLED and not job.stopping and not job.cancelled:
            limit = job.spec.allocation.memory if job.spec is not None else None
            asked = f" (it asked for {limit} bytes)" if oom and limit else ""
            result["error"] = f"killed: out of memory?{asked}"
            result["signal"] = 9
        elif result["error"] is None and code not in (0, None):
            result["error"] = f"exited with code {code}"
        return result

    def _stop(self, job: _Job) -> None:
        container, grace = job.container, job.grace

        def stop() -> None:
            try:
                if container is not None:
                    container.stop(timeout=grace)
            except Exception:  # it ended meanwhile, or the engine is gone: poll tells
                logger.warning("job %s: stopping its container failed", job.job_id, exc_info=True)

        threading.Thread(target=stop, name=f"atlas-stop-{job.job_id}", daemon=True).start()

    def _remove(self, job: _Job) -> None:
        if job.container is not None:
            try:
                job.container.remove(force=True)
            except Exception:
                logger.warning("job %s: its container was not removed", job.job_id, exc_info=True)
        if not self.keep_workdirs:
            shutil.rmtree(job.work, ignore_errors=True)

    def _say(self, job: _Job, text: str) -> None:
        if job.log_path is None:
            return
        job.log_path.parent.mkdir(parents=True, exist_ok=True)
        with job.log_path.open("ab") as log:
            log.write(f"[atlas] {text}\n".encode())


def _name(job_id: str) -> str:
    return f"atlas-job-{job_id}"


def _listening(path: Path) -> bool:
    """Whether a server listens on the Unix socket ``path`` (a socket left by a server that
    was killed refuses the connection)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            probe.connect(str(path))
    except OSError:
        return False
    return True
