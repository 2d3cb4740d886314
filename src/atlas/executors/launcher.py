"""The launcher: the small process between the server and a job's command.

Run by the local executor as ``python -P <this file> <workdir>/.atlas/spec.json`` (``python
-m atlas.executors.launcher SPEC`` works too, but imports the ``atlas`` package first), in its
own session, with stdout and stderr appended to the job's log. It imports only the standard
library until it needs more (a snapshot to unpack, an environment, metrics, an error to
describe), so a job's command starts a few milliseconds after the interpreter. It:

1. unpacks the code snapshot into the working folder (tar-slip safe) and writes the params
   files; builds or reuses the job's environment (``env: auto`` and a requirements.txt),
   with progress lines in the log;
2. starts the command in its own process group with the job's environment variables
   (:func:`job_environment`), its stdout and stderr going straight to the log, and writes
   ``.atlas/started.json``;
3. while it runs, samples system metrics (:mod:`atlas.executors.sysmetrics`), stops it at its
   timeout, and on SIGTERM (a cancel: the grace comes from ``.atlas/cancel.json``) sends
   SIGTERM to the command's process group and every descendant, then SIGKILL after the grace;
4. when the command ends, stops what it left running in its group, removes the working copy
   (unless kept) and writes ``.atlas/exit.json`` atomically: ``{"exit_code", "signal",
   "error", "cancelled", "timed_out", "started_at", "finished_at"}``, so a server restarted
   meanwhile still learns how the job ended.

The launcher survives a restart of the server: nothing ties it to the server's process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

    from atlas.envs.builder import EnvBuilder, PythonEnv

__all__ = [
    "CONTROL_DIR",
    "PARAMETER_FILES",
    "Launcher",
    "clean_working_copy",
    "job_environment",
    "main",
    "read_json",
    "write_json_atomic",
    "write_params",
]

CONTROL_DIR = ".atlas"
PARAMETER_FILES = ("atlas_job_parameters.json", "foundations_job_parameters.json")

_LEFTOVER_GRACE = 2.0
_NOT_FOUND = 127
_NOT_EXECUTABLE = 126


def write_params(dest: Path, params: Mapping[str, object]) -> None:
    """Write ``params`` as JSON into both parameter files of the folder ``dest``."""
    text = json.dumps(dict(params), indent=2, sort_keys=True)
    for name in PARAMETER_FILES:
        (dest / name).write_text(text + "\n", encoding="utf-8")


def clean_working_copy(workdir: Path) -> None:
    """Remove everything in ``workdir`` but the control folder ``.atlas/``."""
    import shutil

    try:
        entries = list(os.scandir(workdir))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name == CONTROL_DIR:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def write_json_atomic(path: Path, data: Mapping[str, object], *, durable: bool = False) -> None:
    """Write ``data`` as JSON to ``path`` so a reader sees the whole file or none: written
    beside it, then renamed over it; ``durable`` also fsyncs it (to survive a power loss,
    not only a crash of a process)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temp, "w", encoding="utf-8") as file:
        json.dump(dict(data), file)
        if durable:
            file.flush()
            os.fsync(file.fileno())
    os.replace(temp, path)


def read_json(path: Path) -> dict[str, object] | None:
    """The JSON object in ``path``; ``None`` when the file is missing or not an object."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def job_environment(
    spec: Mapping[str, object], base: Mapping[str, str], env: PythonEnv | None
) -> dict[str, str]:
    """The environment variables of the job's command: ``base`` (the server's) with the
    job's contract variables, the interpreter's folder (or the job's environment's) first on
    ``PATH``, unbuffered Python output (the log is read live) and ``CUDA_VISIBLE_DEVICES``
    exactly the job's GPUs, numbered as NVML numbers them (``CUDA_DEVICE_ORDER=PCI_BUS_ID``)."""
    variables = dict(base)
    variables.pop("PYTHONHOME", None)
    gpus = [str(g) for g in _list(spec.get("gpus"))]
    variables.update(
        {
            "ATLAS_JOB_ID": str(spec["job_id"]),
            "ATLAS_URL": str(spec["server_url"]),
            "ATLAS_TOKEN": str(spec.get("token") or ""),
            "ATLAS_PROJECT": str(spec["project"]),
            "FOUNDATIONS_JOB_ID": str(spec["job_id"]),
            "FOUNDATIONS_PROJECT_NAME": str(spec["project"]),
            "FOUNDATIONS_USER": str(spec.get("user") or ""),
            "CUDA_VISIBLE_DEVICES": ",".join(gpus),
        }
    )
    variables.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
    variables.setdefault("PYTHONUNBUFFERED", "1")
    variables.setdefault("OMP_NUM_THREADS", str(spec.get("cpus") or 1))
    bin_dir = str(Path(str(spec["python"])).parent)
    if env is not None:
        variables["VIRTUAL_ENV"] = str(env.path)
        bin_dir = str(env.bin_dir)
    variables["PATH"] = os.pathsep.join([bin_dir, variables.get("PATH", os.defpath)])
    return variables


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


class Launcher:
    """Runs one job from its spec (the dictionary the executor wrote to ``spec.json``)."""

    def __init__(self, spec: dict[str, object], control: Path) -> None:
        self.spec = spec
        self.control = control
        self.workdir = Path(str(spec["workdir"]))
        self.grace = float(spec.get("grace") or 10.0)  # type: ignore[arg-type]
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._done = threading.Event()
        self._cancel_asked = False
        self._stopping = False
        self._timed_out = False
        self._kill_at: float | None = None
        self._deadline: float | None = None
        self._builder: EnvBuilder | None = None
        self._command: subprocess.Popen[bytes] | None = None
        self._tree: list[psutil.Process] = []
        self._group: int | None = None

    # -- the main thread ---------------------------------------------------------------------
    def run(self) -> dict[str, object]:
        """Run the job to its end and write ``exit.json``; return what was written."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        guard = threading.Thread(target=self._guard, name="atlas-guard", daemon=True)
        guard.start()
        started_at = time.time()
        try:
            result = self._execute()
        except Exception as exc:  # a bad snapshot, a failed build, the launcher's own bug
            result = {"exit_code": None, "error": self._failure(exc)}
        self._done.set()
        self._wake.set()
        guard.join()
        result = self._final(result, started_at)
        if not self.spec.get("keep_workdir"):
            clean_working_copy(self.workdir)
        write_json_atomic(self.control / "exit.json", result, durable=True)
        return result

    def _failure(self, exc: Exception) -> str:
        """The error sentence of a job that could not run (atlas.errors is imported only
        here: the launcher's start stays light)."""
        from atlas.errors import AtlasError

        if isinstance(exc, AtlasError):
            return exc.message
        import traceback

        self._say(traceback.format_exc().rstrip())
        return f"the launcher failed: {exc}"

    def _execute(self) -> dict[str, object]:
        snapshot = self.spec.get("snapshot_path")
        if snapshot:
            from atlas.executors.workdir import unpack_snapshot

            count = unpack_snapshot(Path(str(snapshot)), self.workdir)
            self._say(f"unpacked the code snapshot: {count} files and folders")
        write_params(self.workdir, _dict(self.spec.get("params")))
        env = self._environment()
        variables = job_environment(self.spec, os.environ, env)
        command = [str(a) for a in _list(self.spec.get("command"))]
        with self._lock:
            if self._stopping or self._cancel_asked:
                return {"exit_code": None}
            try:
                self._command = _start(command, self.workdir, variables)
            except OSError as exc:
                code = _NOT_FOUND if isinstance(exc, FileNotFoundError) else _NOT_EXECUTABLE
                message = f"cannot run {command[0]!r}: {exc.strerror or exc}"
                self._say(message)
                return {"exit_code": code, "error": message}
            self._group = self._command.pid
        return self._supervise(self._command)

    def _environment(self) -> PythonEnv | None:
        requirements = self.workdir / "requirements.txt"
        if self.spec.get("env_mode") != "auto" or not requirements.is_file():
            return None
        from atlas.envs.builder import EnvBuilder

        with self._lock:
            self._builder = EnvBuilder(
                Path(str(self.spec["envs_dir"])),
                output=sys.stdout.buffer,
                python=str(self.spec["python"]),
                uv_args=[str(a) for a in _list(self.spec.get("uv_args"))],
            )
        try:
            env = self._builder.ensure(requirements)
        except Exception:
            if self._stopping:
                return None  # the build was stopped by a cancel or a timeout
            raise
        if env.reused:
            self._say(f"using the cached environment {env.key}")
        return env

    def _supervise(self, command: subprocess.Popen[bytes]) -> dict[str, object]:
        write_json_atomic(self.control / "started.json", {"pid": command.pid, "at": time.time()})
        timeout = self.spec.get("timeout")
        if isinstance(timeout, int | float) and timeout > 0:
            self._deadline = time.monotonic() + float(timeout)
            self._wake.set()
        metrics = threading.Thread(
            target=self._metrics, args=(command.pid,), name="atlas-metrics", daemon=True
        )
        metrics.start()
        code = command.wait()
        self._done.set()
        self._wake.set()
        self._stop_leftovers(command.pid)
        metrics.join(timeout=_LEFTOVER_GRACE)
        if code < 0:
            return {"exit_code": 128 - code, "signal": -code}
        return {"exit_code": code}

    def _final(self, result: dict[str, object], started_at: float) -> dict[str, object]:
        result = {"exit_code": None, "signal": None, "error": None, **result}
        # a cancel that came after the command ended on its own changes nothing
        cancelled = self._cancel_asked and (self._stopping or self._command is None)
        result.update(
            cancelled=cancelled,
            timed_out=self._timed_out and not cancelled,
            started_at=started_at,
            finished_at=time.time(),
        )
        if cancelled:
            result["error"] = "cancelled"
        elif self._timed_out:
            result["error"] = f"timed out after {self.spec.get('timeout')} s"
        elif result["error"] is None and result["signal"] is not None:
            result["error"] = f"killed by signal {_signal_name(int(str(result['signal'])))}"
        elif result["error"] is None and result["exit_code"] not in (0, None):
            result["error"] = f"exited with code {result['exit_code']}"
        if result["error"] and not cancelled:
            self._say(f"job failed: {str(result['error']).splitlines()[0]}")
        return result

    def _stop_leftovers(self, pgid: int) -> None:
        """Stop what the command left running in its process group."""
        if not _signal_group(pgid, signal.SIGTERM):
            return
        deadline = time.monotonic() + _LEFTOVER_GRACE
        while time.monotonic() < deadline:
            if not _signal_group(pgid, 0):
                return
            time.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)

    # -- cancel and timeout --------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        cancel = read_json(self.control / "cancel.json") or {}
        grace = cancel.get("grace")
        if isinstance(grace, int | float) and grace >= 0:
            self.grace = float(grace)
        self._cancel_asked = True
        self._wake.set()

    def _guard(self) -> None:
        """Stop the job when it is cancelled or its time is up; SIGKILL after the grace."""
        while True:
            waits = [t for t in (self._deadline, self._kill_at) if t is not None]
            self._wake.wait(max(0.0, min(waits) - time.monotonic()) if waits else None)
            self._wake.clear()
            if self._done.is_set():
                return
            now = time.monotonic()
            if not self._stopping and self._cancel_asked:
                self._terminate()
            elif not self._stopping and self._deadline is not None and now >= self._deadline:
                self._timed_out = True
                self._terminate()
            if self._kill_at is not None and now >= self._kill_at:
                self._kill_at = None
                self._signal_all(signal.SIGKILL)

    def _terminate(self) -> None:
        with self._lock:
            self._stopping = True
            builder = self._builder.process if self._builder is not None else None
            group = self._group if self._command is not None else None
        if builder is not None:
            group = builder.pid
        if group is not None:
            import psutil

            try:
                self._tree = psutil.Process(group).children(recursive=True)
            except psutil.Error:
                self._tree = []
            self._group = group
            self._say(f"stopping the job: SIGTERM, then SIGKILL after {self.grace:g} s")
            self._signal_all(signal.SIGTERM)
            self._kill_at = time.monotonic() + self.grace

    def _signal_all(self, signum: int) -> None:
        if self._group is not None:
            _signal_group(self._group, signum)
        for process in self._tree:
            try:
                process.send_signal(signum)
            except Exception:  # psutil.Error: it is gone already
                continue

    # -- system metrics ----------------------------------------------------------------------
    def _metrics(self, pid: int) -> None:
        interval = float(self.spec.get("metrics_interval") or 0)  # type: ignore[arg-type]
        if interval <= 0 or self._done.wait(min(interval, 1.0)):
            return  # short jobs never pay for psutil, NVML and httpx
        from atlas.executors.sysmetrics import GpuReader, MetricsReporter, ProcessTreeSampler
        from atlas.sdk.client import Client

        try:
            sampler = ProcessTreeSampler(pid)
        except Exception:  # psutil.Error: the command ended meanwhile
            return
        sampler.sample()
        gpus = GpuReader([int(str(g)) for g in _list(self.spec.get("gpus"))])
        client = Client(str(self.spec["server_url"]), str(self.spec.get("token") or ""), timeout=5)
        reporter = MetricsReporter(str(self.spec["job_id"]), client)
        try:
            while not self._done.wait(interval):
                reporter.add({**sampler.sample(), **gpus.sample()})
                reporter.flush()
            reporter.flush()
        finally:
            gpus.close()
            client.close()

    def _say(self, text: str) -> None:
        sys.stdout.buffer.write(f"[atlas] {text}\n".encode())
        sys.stdout.buffer.flush()


def _start(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The job's command in a new session (so its own process group), stdin closed, stdout
    and stderr the launcher's (the log)."""
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def _signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to the process group; ``False`` when the group is empty."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _dict(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def main(argv: list[str] | None = None) -> int:
    """Run the job whose spec is the file ``argv[0]``; the exit status is 0 once exit.json
    is written (how the job ended is in that file), 2 for a bad invocation."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m atlas.executors.launcher SPEC.json\n")
        return 2
    path = Path(args[0])
    spec = json.loads(path.read_text(encoding="utf-8"))
    Launcher(spec, path.parent).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
