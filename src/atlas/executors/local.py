"""``LocalExecutor``: jobs run as processes of this machine, one launcher per job.

``launch`` writes the job's spec into ``<work_dir>/<job_id>/.atlas/spec.json`` and starts the
launcher (:mod:`atlas.executors.launcher`) in its own session, with stdout and stderr appended
to the job's log, and returns: everything slow (unpacking, building the environment) happens
in the launcher. A thread per job waits for its launcher and calls the ``on_exit`` callback;
``poll`` reads ``exit.json``. Launchers outlive the server: after a restart ``adopt`` finds a
job's launcher again by its pid, checked against its start time so a reused pid is never
mistaken for it.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from atlas.domain import JobStatus
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.executors import launcher
from atlas.executors.base import LaunchSpec, Node, Outcome, ProcessHandle
from atlas.executors.launcher import CONTROL_DIR, read_json, write_json_atomic
from atlas.executors.workdir import unpack_snapshot
from atlas.settings import Settings, server_only_variables

__all__ = ["LocalExecutor", "launcher_environment", "outcome_from_exit"]

logger = logging.getLogger(__name__)

_FINISHED_KEPT = 10_000
_INLINE_UNPACK_BYTES = 1 << 20
"""Snapshots up to this size are unpacked here, in a millisecond or two, sparing each
launcher the ~15 ms of CPU of loading tarfile; larger ones are unpacked by the launcher, so a
big archive never holds up the scheduler's thread."""
_LAUNCHER = "launcher.py"
# The launcher is imported by a one-line stub rather than run as a script: a script is
# compiled on every run (~5 ms of CPU a job), a module loads from its cached bytecode.
_STUB = (
    "import sys;sys.path.insert(0,sys.argv[1].rpartition('/')[0]);"
    "import launcher;sys.exit(launcher.main(sys.argv[2:]))"
)


@dataclass
class _Job:
    job_id: str
    workdir: Path
    pid: int
    create_time: float
    process: subprocess.Popen[bytes] | None = None  # a launcher this executor started
    watched: psutil.Process | None = None  # a launcher adopted after a restart
    cancelled: bool = False

    @property
    def control(self) -> Path:
        return self.workdir / CONTROL_DIR

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        if self.watched is None:
            return False  # adopted after it ended: exit.json is there
        try:
            return self.watched.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False


def outcome_from_exit(record: dict[str, object]) -> Outcome:
    """The outcome that an ``exit.json`` written by the launcher records."""
    code = record.get("exit_code")
    exit_code = code if isinstance(code, int) else None
    sig = record.get("signal")
    error = record.get("error")
    finished = record.get("finished_at")
    if record.get("cancelled"):
        status = JobStatus.CANCELLED
    elif exit_code == 0 and not error:
        status = JobStatus.COMPLETED
    else:
        status = JobStatus.FAILED
    return Outcome(
        status,
        exit_code=exit_code,
        error=str(error) if error else None,
        signal=sig if isinstance(sig, int) else None,
        finished_at=float(finished) if isinstance(finished, int | float) else None,
        details={
            k: record[k] for k in ("timed_out", "memory_exceeded", "started_at") if k in record
        },
    )


class LocalExecutor:
    """Runs jobs on this machine (see the module's documentation).

    ``work_dir`` holds one folder per job; ``envs_dir`` the cached environments;
    ``keep_workdirs`` keeps a job's folder after it ends; ``grace`` is the SIGTERM-to-SIGKILL
    delay of a timeout; ``metrics_interval`` the seconds between system metric samples (0:
    none); ``uv_args`` extra arguments of ``uv pip install``; ``python`` the interpreter of the
    launchers and of jobs without an environment of their own.
    """

    runs_images = False  # processes on this host: see atlas.executors.container

    def __init__(
        self,
        work_dir: Path,
        *,
        envs_dir: Path | None = None,
        keep_workdirs: bool = False,
        grace: float = 10.0,
        metrics_interval: float = 5.0,
        uv_args: Sequence[str] = (),
        python: str | None = None,
    ) -> None:
        self.work_dir = Path(work_dir).absolute()
        self.envs_dir = (
            Path(envs_dir).absolute() if envs_dir is not None else self.work_dir.parent / "envs"
        )
        self.keep_workdirs = keep_workdirs
        self.grace = grace
        self.metrics_interval = metrics_interval
        self.uv_args = tuple(uv_args)
        self.python = python or sys.executable
        self._jobs: dict[str, _Job] = {}
        self._finished: OrderedDict[str, Outcome] = OrderedDict()
        self._callback: Callable[[str], None] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalExecutor:
        """The executor the settings describe: ``work_dir``, ``keep_workdirs``,
        ``cancel_grace``, ``uv_args`` (split like a shell would), environments under
        ``$ATLAS_HOME/envs``."""
        return cls(
            settings.work_path,
            envs_dir=settings.home_path / "envs",
            keep_workdirs=settings.keep_workdirs,
            grace=settings.cancel_grace,
            uv_args=_split_args(settings.uv_args or ""),
        )

    def __repr__(self) -> str:
        return f"LocalExecutor({str(self.work_dir)!r}, {len(self._jobs)} running)"

    # -- the Executor protocol -----------------------------------------------------------------
    def launch(self, spec: LaunchSpec) -> ProcessHandle:
        """Start the job's launcher and return at once (see ``Executor.launch``)."""
        spec.check()
        with self._lock:
            if spec.job_id in self._jobs:
                raise ConflictError(f"job {spec.job_id} is already running")
            self._finished.pop(spec.job_id, None)
        workdir = self.work_dir / spec.job_id
        shutil.rmtree(workdir, ignore_errors=True)  # what an earlier attempt left
        control = workdir / CONTROL_DIR
        control.mkdir(parents=True, mode=0o700)
        os.chmod(workdir, 0o700)
        record = self._spec_record(spec, workdir)
        snapshot = spec.snapshot_path
        if (
            snapshot is not None
            and _small(snapshot)
            and _unpacked_here(snapshot, workdir, spec.log_path)
        ):
            record["snapshot_path"] = None
        spec_path = control / "spec.json"
        write_json_atomic(spec_path, record)
        process = self._start_launcher(spec_path, spec.log_path)
        try:
            create_time = psutil.Process(process.pid).create_time()
        except psutil.Error:  # cannot happen while it is our unreaped child; be safe
            create_time = time.time()
        write_json_atomic(
            control / "launcher.json", {"pid": process.pid, "create_time": create_time}
        )
        job = _Job(spec.job_id, workdir, process.pid, create_time, process=process)
        with self._lock:
            self._jobs[spec.job_id] = job
        self._watch(job)
        logger.debug("job %s: launcher %d started", spec.job_id, process.pid)
        return ProcessHandle(spec.job_id, pid=process.pid, create_time=create_time, workdir=workdir)

    def poll(self, job_id: str) -> Outcome | None:
        """``None`` while the job runs, else its outcome (see ``Executor.poll``)."""
        with self._lock:
            done = self._finished.get(job_id)
            job = self._jobs.get(job_id)
        if done is not None:
            return done
        if job is None:
            raise NotFoundError(f"job {job_id} is not running here", detail={"job_id": job_id})
        if job.alive():
            return None
        outcome = self._read_outcome(job)
        with self._lock:
            self._jobs.pop(job_id, None)
            self._finished[job_id] = outcome
            while len(self._finished) > _FINISHED_KEPT:
                self._finished.popitem(last=False)
        if not self.keep_workdirs:
            shutil.rmtree(job.workdir, ignore_errors=True)
        return outcome

    def started(self, job_id: str) -> bool:
        """Whether the job's command has started (its environment was ready)."""
        with self._lock:
            job = self._jobs.get(job_id)
            done = job_id in self._finished
        if job is None:
            return done
        return (job.control / "started.json").is_file()

    def cancel(self, job_id: str, *, grace: float) -> None:
        """SIGTERM to the job's tree now, SIGKILL after ``grace`` seconds (done by the
        launcher, so this returns at once); nothing for a job not running here."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not job.alive():
            return
        write_json_atomic(job.control / "cancel.json", {"grace": grace, "at": time.time()})
        job.cancelled = True
        try:
            if job.process is not None:
                job.process.send_signal(signal.SIGTERM)
            elif job.watched is not None:
                job.watched.send_signal(signal.SIGTERM)  # psutil checks it is still the same
        except (ProcessLookupError, psutil.Error):
            pass  # it has just ended

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        """Re-attach to the job after a restart (see ``Executor.adopt``). ``record`` is what
        ``Handle.record()`` gave; each key may be missing: the workdir defaults to
        ``<work_dir>/<job_id>`` and the pid and start time come from its ``launcher.json``."""
        with self._lock:
            if job_id in self._jobs:
                return True
        workdir = Path(str(record.get("workdir") or self.work_dir / job_id))
        control = workdir / CONTROL_DIR
        known = {**(read_json(control / "launcher.json") or {}), **record}
        pid, create_time = known.get("pid"), known.get("create_time")
        job = _Job(job_id, workdir, pid if isinstance(pid, int) else 0, 0.0)
        if not (control / "exit.json").is_file():
            if not isinstance(pid, int) or not isinstance(create_time, int | float):
                return False
            job.create_time = float(create_time)
            job.watched = _same_process(pid, job.create_time)
            if job.watched is None and not (control / "exit.json").is_file():
                return False  # gone without a word: the scheduler marks it lost
        with self._lock:
            self._jobs[job_id] = job
        if job.watched is not None:
            self._watch(job)
        logger.info("job %s: adopted (launcher %s)", job_id, pid)
        return True

    def running(self) -> list[str]:
        """Ids of the jobs whose outcome ``poll`` has not given yet."""
        with self._lock:
            return list(self._jobs)

    def nodes(self) -> tuple[Node, ...] | None:
        """``None``: jobs run on the server's own machine."""
        return None

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        """Call ``callback(job_id)`` from a watcher thread when a job's launcher ends."""
        self._callback = callback

    # -- internals -----------------------------------------------------------------------------
    def _spec_record(self, spec: LaunchSpec, workdir: Path) -> dict[str, object]:
        return {
            "job_id": spec.job_id,
            "project": spec.job.project,
            "user": spec.job.user,
            "command": spec.command,
            "snapshot_path": str(spec.snapshot_path) if spec.snapshot_path else None,
            "params": dict(spec.job.params),
            "env_mode": spec.job.env_mode,
            "cpus": spec.allocation.cpus,
            "memory": spec.allocation.memory,
            "gpus": list(spec.allocation.gpus),
            "timeout": spec.job.timeout,
            "server_url": spec.server_url,
            "token": spec.token,
            "workdir": str(workdir),
            "envs_dir": str(self.envs_dir),
            "keep_workdir": self.keep_workdirs,
            "uv_args": list(self.uv_args),
            "grace": self.grace,
            "metrics_interval": self.metrics_interval,
            "python": self.python,
        }

    def _start_launcher(self, spec_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            return subprocess.Popen(
                [self.python, "-S", "-P", "-c", _STUB, launcher.__file__, str(spec_path)],
                cwd=spec_path.parent,  # never the job's code: it could shadow our modules
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                close_fds=True,
                env=launcher_environment(os.environ),
            )

    def _watch(self, job: _Job) -> None:
        thread = threading.Thread(
            target=self._wait, args=(job,), name=f"atlas-job-{job.job_id}", daemon=True
        )
        thread.start()

    def _wait(self, job: _Job) -> None:
        try:
            if job.process is not None:
                job.process.wait()
            elif job.watched is not None:
                job.watched.wait()
        except psutil.Error:
            pass
        callback = self._callback
        if callback is not None:
            try:
                callback(job.job_id)
            except Exception:
                logger.exception("job %s: the on_exit callback failed", job.job_id)

    def _read_outcome(self, job: _Job) -> Outcome:
        record = read_json(job.control / "exit.json")
        if record is not None:
            return outcome_from_exit(record)
        if job.cancelled:
            return Outcome(JobStatus.CANCELLED, error="cancelled", finished_at=time.time())
        if job.process is not None:
            return Outcome(
                JobStatus.FAILED,
                error=f"the job's launcher ended (code {job.process.returncode}) without "
                "recording how the job ended; its log may say why",
                finished_at=time.time(),
            )
        return Outcome(
            JobStatus.LOST,
            error="the job's launcher ended while no server watched it, without recording "
            "how the job ended",
            finished_at=time.time(),
        )


def launcher_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` (the server's environment) without the variables only the server may know
    (``settings.SERVER_SECRETS``: the Slack token, the database URL...): the launcher and
    the job's code, which any editor of a project writes, never see them."""
    hidden = frozenset(server_only_variables())
    return {name: value for name, value in base.items() if name not in hidden}


def _split_args(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"setting uv_args: {exc} in {text!r}", detail={"setting": "uv_args"}
        ) from None


def _same_process(pid: int, create_time: float) -> psutil.Process | None:
    """The process ``pid`` when it is still the launcher started at ``create_time``."""
    try:
        process = psutil.Process(pid)
        if abs(process.create_time() - create_time) > 0.05:
            return None  # the pid was reused by another process
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        if not any(arg.endswith(_LAUNCHER) for arg in process.cmdline()):
            return None
    except psutil.Error:
        return None
    return process


def _small(snapshot: Path) -> bool:
    try:
        return snapshot.stat().st_size <= _INLINE_UNPACK_BYTES
    except OSError:
        return False  # the launcher reports a missing snapshot in the job's log


def _unpacked_here(snapshot: Path, workdir: Path, log_path: Path) -> bool:
    """Unpack a small snapshot into ``workdir`` and say so in the job's log, as the
    launcher does for a large one. An archive that cannot be unpacked is left to the
    launcher, which fails the job with the reason in its log and its outcome (nothing of a
    refused archive is written: members are checked first)."""
    try:
        count = unpack_snapshot(snapshot, workdir, reserved=CONTROL_DIR)
    except InvalidInputError:
        return False
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"[atlas] unpacked the code snapshot: {count} files and folders\n".encode())
    return True
