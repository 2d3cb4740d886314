"""The launcher: the small process between the server and a job's command.

Run by the local executor as ``python -S -P -c <stub> <this file> <workdir>/.atlas/spec.json``, a
stub that imports this file as the top-level module ``launcher`` (from its cached bytecode, and
without the ``atlas`` package) and calls :func:`main` (``python -m atlas.executors.launcher
SPEC`` works too, but imports the ``atlas`` package first), in its own session, with stdout
and stderr appended to the job's log. It:

1. unpacks the code snapshot into the working folder (tar-slip safe) and writes the params
   files; builds or reuses the job's environment (``env: auto`` and a requirements.txt),
   with progress lines in the log;
2. starts the command in a new session (so its own process group) with the job's
   environment variables (:func:`job_environment`), stdin closed, stdout and stderr straight
   into the log, and writes ``.atlas/started.json``;
3. while it runs, samples system metrics (:mod:`atlas.executors.sysmetrics`), stops it at its
   timeout or when its resident memory stays above the memory it asked for
   (:class:`~atlas.executors.sysmetrics.MemoryGuard`), and on SIGTERM (a cancel: the grace
   comes from ``.atlas/cancel.json``) sends SIGTERM to every process of the job, then SIGKILL
   after the grace;
4. when the command ends, stops what it left running, removes the working copy (unless
   kept) and writes ``.atlas/exit.json`` atomically: ``{"exit_code", "signal", "error",
   "cancelled", "timed_out", "memory_exceeded", "started_at", "finished_at"}``, so a server
   restarted meanwhile still learns how the job ended.

The job's processes are its command's process group, every descendant of the command, and
every process whose environment carries the job's ``ATLAS_JOB_ID`` (read from
``/proc/<pid>/environ``): a daemon that double-forks and calls ``setsid`` leaves the group
and the tree, but keeps the environment it was started with. A spec with a ``launch`` key
(the Ray executor's: one per attempt) also marks them ``ATLAS_LAUNCH`` and takes only the
processes of that launch, so an earlier attempt still running on the same machine and this
one never stop each other's processes.

Speed: a launcher runs for every job, so its start is kept to the interpreter's own: until it
needs more (a snapshot to unpack, an environment, metrics, an error to describe) it imports
only ``os``, ``sys``, ``signal``, ``json`` and ``time``. The command is started with
``posix_spawn``, waited for with ``waitpid``, and timers (timeout, SIGKILL after the grace,
the first metrics sample) are one ``SIGALRM`` interval timer; the metrics thread starts only
for a job still running after its first interval.
"""

from __future__ import annotations

import _thread
import json
import os
import signal
import sys
import time

TYPE_CHECKING = False  # typing itself is not imported: it costs the launcher's start
if TYPE_CHECKING:
    import threading
    from collections.abc import Mapping
    from types import FrameType

    import psutil

    from atlas.envs.builder import EnvBuilder, PythonEnv
    from atlas.executors.sysmetrics import MemoryGuard, MetricsReporter

    StrPath = str | os.PathLike[str]

__all__ = [
    "CONTROL_DIR",
    "Launcher",
    "PARAMETER_FILES",
    "TENSORBOARD_JOIN_S",
    "any_event_file",
    "clean_working_copy",
    "job_environment",
    "job_pids",
    "main",
    "read_json",
    "write_json_atomic",
    "write_params",
]

CONTROL_DIR = ".atlas"
PARAMETER_FILES = ("atlas_job_parameters.json", "foundations_job_parameters.json")

_LEFTOVER_GRACE = 2.0
_FIRST_SAMPLE_S = 1.0
_NOT_FOUND = 127
_NOT_EXECUTABLE = 126
_CANCEL_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_MEMORY_SIGNAL = signal.SIGUSR1
"""Sent by the metrics thread to the launcher itself when the job used too much memory."""
_HANDLED_SIGNALS = (*_CANCEL_SIGNALS, signal.SIGALRM, _MEMORY_SIGNAL)
_MEMORY_CHECK_S = 1.0
"""Seconds between two memory samples of a job that asked for an amount of memory."""
TENSORBOARD_JOIN_S = 60.0
"""Longest wait for the last read of a job's event files (it gives up sooner by itself)."""


# -- the control files (the launcher and the executor share them) --------------------------------
_SITE_LOCK = _thread.allocate_lock()
_site_ready: list[bool] = []


def _site_packages() -> None:
    """Put site-packages on ``sys.path``: the launcher starts with ``-S``, since processing
    site costs every job ~3 ms, and most jobs never need more than the standard library.
    Threads that need it at the same moment (the metrics and the TensorBoard followers)
    wait for the one doing it: ``site`` is in ``sys.modules`` before its paths are added."""
    if _site_ready or not sys.flags.no_site:
        return
    with _SITE_LOCK:
        if not _site_ready:
            import site

            site.main()
            _site_ready.append(True)


def write_json_atomic(path: StrPath, data: Mapping[str, object], *, durable: bool = False) -> None:
    """Write ``data`` as JSON to ``path`` so a reader sees the whole file or none: written
    beside it, then renamed over it; ``durable`` also fsyncs it (to survive a power loss,
    not only the crash of a process)."""
    target = os.fspath(path)
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    with open(temp, "w", encoding="utf-8") as file:
        json.dump(dict(data), file)
        if durable:
            file.flush()
            os.fsync(file.fileno())
    os.replace(temp, target)


def read_json(path: StrPath) -> dict[str, object] | None:
    """The JSON object in ``path``; ``None`` when the file is missing or not an object."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_params(dest: StrPath, params: Mapping[str, object]) -> None:
    """Write ``params`` as JSON into both parameter files of the folder ``dest``."""
    text = json.dumps(dict(params), indent=2, sort_keys=True) + "\n"
    for name in PARAMETER_FILES:
        with open(os.path.join(dest, name), "w", encoding="utf-8") as file:
            file.write(text)


def clean_working_copy(workdir: StrPath) -> None:
    """Remove everything in ``workdir`` but the control folder ``.atlas/``."""
    try:
        entries = list(os.scandir(workdir))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name == CONTROL_DIR:
            continue
        if entry.is_dir(follow_symlinks=False):
            import shutil

            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:  # noqa: SIM105 (contextlib is not imported: the launcher's start stays light)
                os.unlink(entry.path)
            except FileNotFoundError:
                pass


# -- the job's environment variables ------------------------------------------------------------
def job_environment(
    spec: Mapping[str, object], base: Mapping[str, str], env: PythonEnv | None
) -> dict[str, str]:
    """The environment variables of the job's command: ``base`` (the server's) with the
    job's contract variables, the interpreter's folder (or the job's environment's) first on
    ``PATH``, unbuffered Python output (the log is read live), ``OMP_NUM_THREADS`` the job's
    CPUs (unless set) and ``CUDA_VISIBLE_DEVICES`` exactly the job's GPUs, numbered as NVML
    numbers them (``CUDA_DEVICE_ORDER=PCI_BUS_ID``)."""
    variables = dict(base)
    variables.pop("PYTHONHOME", None)
    job_id, project = str(spec["job_id"]), str(spec["project"])
    variables.update(
        {
            "ATLAS_JOB_ID": job_id,
            "ATLAS_URL": str(spec["server_url"]),
            "ATLAS_TOKEN": str(spec.get("token") or ""),
            "ATLAS_PROJECT": project,
            "FOUNDATIONS_JOB_ID": job_id,
            "FOUNDATIONS_PROJECT_NAME": project,
            "FOUNDATIONS_USER": str(spec.get("user") or ""),
            "CUDA_VISIBLE_DEVICES": ",".join(str(g) for g in _list(spec.get("gpus"))),
        }
    )
    if spec.get("launch"):
        variables["ATLAS_LAUNCH"] = str(spec["launch"])
    variables.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
    variables.setdefault("PYTHONUNBUFFERED", "1")
    variables.setdefault("OMP_NUM_THREADS", str(spec.get("cpus") or 1))
    bin_dir = os.path.dirname(str(spec["python"]))
    if env is not None:
        variables["VIRTUAL_ENV"] = str(env.path)
        bin_dir = str(env.bin_dir)
    variables["PATH"] = os.pathsep.join([bin_dir, variables.get("PATH", os.defpath)])
    return variables


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


class Launcher:
    """Runs one job from its spec (the dictionary the executor wrote to ``spec.json``).

    Everything happens on the main thread: signal handlers (a cancel, the interval timer) run
    between its steps and while it waits for the command.
    """

    def __init__(self, spec: dict[str, object], control: str) -> None:
        self.spec = spec
        self.control = control
        self.workdir = str(spec["workdir"])
        self.grace = _number(spec.get("grace"), 10.0)
        self._cancel_asked = False
        self._stopping = False
        self._timed_out = False
        self._memory_error: str | None = None
        self._ended = False
        self._pid: int | None = None
        self._builder: EnvBuilder | None = None
        self._tree: list[psutil.Process] = []
        self._group: int | None = None
        self._group_signalled = False
        self._timers: dict[str, float] = {}
        self._metrics_stop: threading.Event | None = None
        self._metrics_thread: threading.Thread | None = None
        self._tensorboard_stop: threading.Event | None = None
        self._tensorboard_thread: threading.Thread | None = None

    # -- the job, start to end ----------------------------------------------------------------
    def run(self) -> dict[str, object]:
        """Run the job to its end and write ``exit.json``; return what was written."""
        for signum in _CANCEL_SIGNALS:
            signal.signal(signum, self._on_cancel)
        signal.signal(signal.SIGALRM, self._on_timer)
        signal.signal(_MEMORY_SIGNAL, self._on_memory)
        started_at = time.time()
        try:
            result = self._execute()
        except Exception as exc:  # a bad snapshot, a failed build, the launcher's own bug
            result = {"exit_code": None, "error": self._failure(exc)}
        self._ended = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        result = self._final(result, started_at)
        if not self.spec.get("keep_workdir"):
            clean_working_copy(self.workdir)
        write_json_atomic(os.path.join(self.control, "exit.json"), result, durable=True)
        return result

    def _execute(self) -> dict[str, object]:
        snapshot = self.spec.get("snapshot_path")
        if snapshot:
            from pathlib import Path

            _site_packages()
            from atlas.executors.workdir import unpack_snapshot

            count = unpack_snapshot(Path(str(snapshot)), Path(self.workdir), reserved=CONTROL_DIR)
            self._say(f"unpacked the code snapshot: {count} files and folders")
        write_params(self.workdir, _dict(self.spec.get("params")))
        variables = job_environment(self.spec, os.environ, self._environment())
        variables["ATLAS_CONTROL_DIR"] = os.path.abspath(self.control)
        command = [str(a) for a in _list(self.spec.get("command"))]
        if self._stop_asked():
            return {"exit_code": None}
        try:
            self._pid = _spawn(command, self.workdir, variables)
        except OSError as exc:
            code = _NOT_FOUND if isinstance(exc, FileNotFoundError) else _NOT_EXECUTABLE
            message = f"cannot run {command[0]!r}: {exc.strerror or exc}"
            self._say(message)
            return {"exit_code": code, "error": message}
        self._group = self._pid
        if self._stop_asked():  # a cancel came between the check above and the spawn
            self._terminate()
        return self._wait(self._pid)

    def _stop_asked(self) -> bool:
        """Whether a cancel (or a timeout) came; signal handlers set it at any time."""
        return self._cancel_asked or self._stopping

    def _environment(self) -> PythonEnv | None:
        requirements = os.path.join(self.workdir, "requirements.txt")
        if self.spec.get("env_mode") != "auto" or not os.path.isfile(requirements):
            return None
        from pathlib import Path

        _site_packages()
        from atlas.envs.builder import EnvBuilder

        self._builder = EnvBuilder(
            Path(str(self.spec["envs_dir"])),
            output=sys.stdout.buffer,
            python=str(self.spec["python"]),
            uv_args=[str(a) for a in _list(self.spec.get("uv_args"))],
        )
        try:
            env = self._builder.ensure(Path(requirements))
        except Exception:
            if self._stopping:
                return None  # the build was stopped by a cancel
            raise
        finally:
            self._builder = None
        if env.reused:
            self._say(f"using the cached environment {env.key}")
        return env

    def _wait(self, pid: int) -> dict[str, object]:
        write_json_atomic(
            os.path.join(self.control, "started.json"), {"pid": pid, "at": time.time()}
        )
        timeout = self.spec.get("timeout")
        if isinstance(timeout, int | float) and timeout > 0:
            self._schedule("timeout", float(timeout))
        interval = _number(self.spec.get("metrics_interval"), 0.0)
        if interval > 0 or self._memory_limit():
            self._schedule("metrics", min(interval or _FIRST_SAMPLE_S, _FIRST_SAMPLE_S))
        self._schedule("tensorboard", _FIRST_SAMPLE_S)
        _, status = os.waitpid(pid, 0)  # signal handlers run while it waits
        self._ended = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        self._stop_metrics()
        self._stop_leftovers(pid)
        self._stop_tensorboard()  # after the job's last write, before its folder is removed
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            return {"exit_code": 128 - code, "signal": -code}
        return {"exit_code": code}

    def _final(self, result: dict[str, object], started_at: float) -> dict[str, object]:
        result = {"exit_code": None, "signal": None, "error": None, **result}
        # a cancel that came after the command ended on its own changes nothing
        cancelled = self._cancel_asked and (self._stopping or self._pid is None)
        timed_out = self._timed_out and not cancelled
        memory = self._memory_error if not (cancelled or timed_out) else None
        result.update(
            cancelled=cancelled,
            timed_out=timed_out,
            memory_exceeded=memory is not None,
            started_at=started_at,
            finished_at=time.time(),
        )
        if cancelled:
            result["error"] = "cancelled"
        elif memory is not None:
            result["error"] = memory
        elif timed_out:
            result["error"] = f"timed out after {self.spec.get('timeout')} s"
        elif result["error"] is None and result["signal"] is not None:
            result["error"] = f"killed by signal {_signal_name(int(str(result['signal'])))}"
        elif result["error"] is None and result["exit_code"] not in (0, None):
            result["error"] = f"exited with code {result['exit_code']}"
        if result["error"] and not cancelled:
            self._say(f"job failed: {str(result['error']).splitlines()[0]}")
        return result

    def _failure(self, exc: Exception) -> str:
        """The error sentence of a job that could not run (atlas.errors is imported only
        here: the launcher's start stays light)."""
        _site_packages()
        from atlas.errors import AtlasError

        if isinstance(exc, AtlasError):
            return exc.message
        import traceback

        self._say(traceback.format_exc().rstrip())
        return f"the launcher failed: {exc}"

    def _stop_leftovers(self, pgid: int) -> None:
        """Stop what the command left running: its process group, and the job's processes
        that left it (a double-forked daemon)."""
        grouped = _signal_group(pgid, signal.SIGTERM)
        strays = self._strays(signal.SIGTERM)
        if not grouped and not strays:
            return
        deadline = time.monotonic() + _LEFTOVER_GRACE
        while time.monotonic() < deadline:
            if not _signal_group(pgid, 0) and not job_pids(self._job_id, self._launch):
                return
            time.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)
        self._strays(signal.SIGKILL)

    @property
    def _job_id(self) -> str:
        return str(self.spec.get("job_id") or "")

    @property
    def _launch(self) -> str:
        return str(self.spec.get("launch") or "")

    def _strays(self, signum: int) -> list[int]:
        """Send ``signum`` to the job's processes found by its ``ATLAS_JOB_ID``; their pids."""
        pids = job_pids(self._job_id, self._launch)
        for pid in pids:
            _signal_pid(pid, signum)
        return pids

    # -- cancel, timeout and the timer ----------------------------------------------------------
    def _on_cancel(self, signum: int, frame: FrameType | None) -> None:
        if self._ended:
            return
        cancel = read_json(os.path.join(self.control, "cancel.json")) or {}
        self.grace = _number(cancel.get("grace"), self.grace)
        self._cancel_asked = True
        self._terminate()

    def _on_timer(self, signum: int, frame: FrameType | None) -> None:
        if self._ended:
            return
        now = time.monotonic()
        due = [name for name, at in self._timers.items() if at <= now]
        for name in due:
            del self._timers[name]
        if "kill" in due:
            self._signal_all(signal.SIGKILL)
        if "timeout" in due and not self._stopping:
            self._timed_out = True
            self._terminate()
        if "metrics" in due and self._pid is not None:
            self._start_metrics(self._pid)
        if "tensorboard" in due and self._pid is not None:
            self._start_tensorboard()
        self._arm()

    def _on_memory(self, signum: int, frame: FrameType | None) -> None:
        """The metrics thread found the job above its memory (``_memory_error`` says how
        much): stop it as a timeout does."""
        if self._ended or self._stopping or self._memory_error is None:
            return
        self._say(f"stopping the job: {self._memory_error}")
        self._terminate()

    def _memory_limit(self) -> int:
        memory = self.spec.get("memory")
        return memory if isinstance(memory, int) and memory > 0 else 0

    def _schedule(self, name: str, delay: float) -> None:
        self._timers[name] = time.monotonic() + delay
        self._arm()

    def _arm(self) -> None:
        if self._timers and not self._ended:
            delay = max(0.001, min(self._timers.values()) - time.monotonic())
            signal.setitimer(signal.ITIMER_REAL, delay)

    def _terminate(self) -> None:
        """SIGTERM to what runs now (the command, or uv building the environment) and its
        descendants, SIGKILL after the grace."""
        self._stopping = True
        if self._group_signalled:
            return
        group = self._pid
        if self._builder is not None:
            self._builder.stop(signal.SIGTERM)  # and no uv starts after this
            group = self._builder.process.pid if self._builder.process is not None else None
        if group is None:
            return  # nothing runs now, and the command will not start
        _site_packages()
        import psutil

        try:
            self._tree = psutil.Process(group).children(recursive=True)
        except psutil.Error:
            self._tree = []
        self._group = group
        self._group_signalled = True
        self._say(f"stopping the job: SIGTERM, then SIGKILL after {self.grace:g} s")
        self._signal_all(signal.SIGTERM)
        self._schedule("kill", self.grace)

    def _signal_all(self, signum: int) -> None:
        if self._group is not None:
            _signal_group(self._group, signum)
        for process in self._tree:
            try:
                process.send_signal(signum)
            except Exception:  # psutil.Error: it is gone already
                continue
        self._strays(signum)

    # -- system metrics (a thread, for jobs that run longer than the first interval) ----------
    def _start_metrics(self, pid: int) -> None:
        import threading

        stop = threading.Event()
        self._metrics_stop = stop
        thread = threading.Thread(
            target=self._report_metrics, args=(pid, stop), name="atlas-metrics", daemon=True
        )
        self._metrics_thread = thread
        _start_blocked(thread)

    # -- TensorBoard event files become metrics (docs/tensorboard.md): a thread for a job
    # still running after its first interval; a shorter job's files are read at its end ------
    def _start_tensorboard(self) -> None:
        import threading

        self._tensorboard_stop = stop = threading.Event()
        self._tensorboard_thread = threading.Thread(
            target=self._follow_tensorboard, args=(stop,), name="atlas-tensorboard", daemon=True
        )
        _start_blocked(self._tensorboard_thread)

    def _follow_tensorboard(self, stop: threading.Event | None) -> None:
        _site_packages()
        from atlas.tbevents.live import follow_job

        follow_job(
            self.workdir,
            job_id=self._job_id,
            url=str(self.spec["server_url"]),
            token=str(self.spec.get("token") or ""),
            stop=stop,
            skip=(CONTROL_DIR,),
            logdirs=self._tensorboard_logdirs,
        )

    def _tensorboard_logdirs(self) -> list[str]:
        """The folders the job named with ``atlas.set_tensorboard_logdir``."""
        from atlas.names import TENSORBOARD_LOGDIRS_FILE
        from atlas.sdk.tensorboard import logdirs_in

        return logdirs_in(os.path.join(self.control, TENSORBOARD_LOGDIRS_FILE))

    def _stop_tensorboard(self) -> None:
        """Read the job's event files to their end and send the rest (giving up on a server
        that does not answer after atlas.tbevents.live.FINAL_SEND_S)."""
        if self._tensorboard_stop is not None and self._tensorboard_thread is not None:
            self._tensorboard_stop.set()
            self._tensorboard_thread.join(timeout=TENSORBOARD_JOIN_S)
        elif any_event_file(self.workdir) or os.path.exists(
            os.path.join(self.control, "tensorboard.json")  # atlas.names.TENSORBOARD_LOGDIRS_FILE
        ):  # a short job: nothing of atlas loaded otherwise
            self._follow_tensorboard(None)

    def _stop_metrics(self) -> None:
        if self._metrics_stop is not None and self._metrics_thread is not None:
            self._metrics_stop.set()
            self._metrics_thread.join(timeout=_LEFTOVER_GRACE)

    def _report_metrics(self, pid: int, stop: threading.Event) -> None:
        """Sample the job's tree: every ``metrics_interval`` seconds the sample is sent as
        metrics; with a memory request, every :data:`_MEMORY_CHECK_S` seconds its RSS is
        checked against it too."""
        _site_packages()
        from atlas.executors.sysmetrics import GpuReader, MemoryGuard, ProcessTreeSampler

        interval = _number(self.spec.get("metrics_interval"), 0.0)
        limit = self._memory_limit()
        try:
            sampler = ProcessTreeSampler(pid)
        except Exception:  # psutil.Error: the command ended meanwhile
            return
        sampler.sample()
        guard = MemoryGuard(limit) if limit else None
        reporter = self._reporter() if interval else None
        gpus = GpuReader([int(str(g)) for g in _list(self.spec.get("gpus"))] if interval else [])
        step = min(x for x in (interval, _MEMORY_CHECK_S if guard else 0.0) if x > 0)
        wait = min(step, _FIRST_SAMPLE_S)  # the first sample comes soon after the start
        report_at = time.monotonic() + min(interval, _FIRST_SAMPLE_S)
        try:
            while not stop.wait(wait):
                wait = step
                values = sampler.sample()
                if guard is not None and self._over_memory(guard, values):
                    return
                if reporter is not None and time.monotonic() >= report_at:
                    report_at = time.monotonic() + interval
                    reporter.add({**values, **gpus.sample()})
                    reporter.flush()
            if reporter is not None:
                reporter.flush()
        finally:
            gpus.close()
            if reporter is not None:
                reporter.close()

    def _reporter(self) -> MetricsReporter:
        from atlas.executors.sysmetrics import MetricsReporter
        from atlas.sdk.client import Client

        token = str(self.spec.get("token") or "")
        client = Client(str(self.spec["server_url"]), token, timeout=5)
        return MetricsReporter(str(self.spec["job_id"]), client)

    def _over_memory(self, guard: MemoryGuard, values: Mapping[str, float]) -> bool:
        """Ask the main thread to stop the job when ``guard`` says it used too much."""
        rss = values.get("system/rss_mb")
        error = None if rss is None else guard.check(int(rss * 1024 * 1024))
        if error is None:
            return False
        self._memory_error = error
        os.kill(os.getpid(), _MEMORY_SIGNAL)  # handled on the main thread: see _on_memory
        return True

    def _say(self, text: str) -> None:
        sys.stdout.buffer.write(f"[atlas] {text}\n".encode())
        sys.stdout.buffer.flush()


def _start_blocked(thread: threading.Thread) -> None:
    """Start ``thread`` with the launcher's signals blocked in it (and in the threads it
    starts), so the kernel delivers them to the main thread, which wakes from waitpid to
    handle them."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED_SIGNALS)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def any_event_file(workdir: str) -> bool:
    """Whether a file below ``workdir`` may be a TensorBoard event file: its name holds
    ``tfevents`` (atlas.tbevents.eventfile.EVENT_FILE_MARKER, written out here so that a
    short job's launcher need not import atlas to know it wrote none)."""
    for _, folders, files in os.walk(workdir):
        folders[:] = [name for name in folders if name != CONTROL_DIR]
        if any("tfevents" in name for name in files):
            return True
    return False


def _spawn(command: list[str], cwd: str, env: dict[str, str]) -> int:
    """Start ``command`` in ``cwd`` in a new session (its own process group), stdin from
    /dev/null, stdout and stderr the launcher's (the log); return its pid."""
    os.chdir(cwd)
    return os.posix_spawn(
        _which(command[0], env.get("PATH", os.defpath)),
        command,
        env,
        file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)],
        setsid=True,
        # Python ignores SIGPIPE and SIGXFSZ; the command gets the default actions back
        setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
    )


def _which(name: str, path: str) -> str:
    """The file ``name`` runs as: itself when it holds a ``/``, else found on ``path``."""
    if "/" in name:
        return name
    for folder in path.split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(2, "command not found on PATH", name)


def job_pids(job_id: str, launch: str = "") -> list[int]:
    """The pids of the processes whose environment carries ``ATLAS_JOB_ID=job_id`` (and
    ``ATLAS_LAUNCH=launch`` when ``launch`` is given; read from ``/proc``; none where there
    is no ``/proc``), this process excepted. A process keeps the environment it was started
    with, wherever it moved (a new session, a new parent), so this finds what the job started
    even when it escaped its process group."""
    if not job_id:
        return []
    marker = f"ATLAS_JOB_ID={job_id}".encode()
    launched = f"ATLAS_LAUNCH={launch}".encode() if launch else None
    me = os.getpid()
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    found = []
    for name in names:
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as file:
                variables = file.read()
        except OSError:  # gone, or not ours to read
            continue
        entries = variables.split(b"\0")
        if marker in entries and (launched is None or launched in entries):
            found.append(int(name))
    return found


def _signal_pid(pid: int, signum: int) -> None:
    try:  # noqa: SIM105 (contextlib is not imported: the launcher's start stays light)
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to the process group; ``False`` when the group is empty."""
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) and value >= 0 else default


def _dict(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def main(argv: list[str] | None = None) -> int:
    """Run the job whose spec is the file ``argv[0]``; the exit status is 0 once exit.json
    is written (how the job ended is in that file), 2 for a bad invocation."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m atlas.executors.launcher SPEC.json\n")
        return 2
    spec = read_json(args[0])
    if spec is None:
        sys.stderr.write(f"launcher: cannot read the job spec {args[0]}\n")
        return 2
    Launcher(spec, os.path.dirname(os.path.abspath(args[0]))).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
