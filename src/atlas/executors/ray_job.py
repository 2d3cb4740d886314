"""The entrypoint of the Ray job that runs one Atlas job on a node of a Ray cluster.

The Ray executor (:mod:`atlas.executors.ray`) submits it through the Ray Jobs API as
``python -S -P -c <stub> <folder of this file>``, with the job's description in the
environment variable ``ATLAS_RAY_SPEC`` (JSON, removed before the job's command starts). On
the node it:

1. makes the job's working folder ``<work_root>/<Ray job name>`` (default ``work_root``:
   ``$TMPDIR/atlas-ray``; one folder per attempt) and
   sends its own stdout and stderr, and so the command's, to a log file there;
2. ships that log to the server live (``POST /api/v1/jobs/{id}/log`` with the job's token,
   complete lines in batches every :data:`SHIP_INTERVAL_S`), retrying while the server is
   away, so a server restart loses nothing;
3. writes the code snapshot the spec carries (base64, a small one) or else fetches it from
   the server (``GET /api/v1/jobs/{id}/snapshot``);
4. runs the job with the local executor's :class:`launcher.Launcher` in this very process
   (unpacking, the environment, the command in its own session, cancel on SIGTERM with the
   grace, the memory guard, system metrics), with ``CUDA_VISIBLE_DEVICES`` the GPUs Ray gave
   the job;
5. prints ``ATLAS_OUTCOME <json>`` (the launcher's ``exit.json``) to the Ray job's own log,
   where the executor reads how the job ended, and exits with the command's exit code.

Like the launcher it imports only the standard library until it needs more, and of it only
what the command's start needs: ``urllib.request`` (a quarter of this module's import time)
is imported by the first HTTP call, which for a job with a small snapshot is the log
shipper's, in its own thread once the command runs.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

TYPE_CHECKING = False  # typing itself is not imported: it costs every job's start
if TYPE_CHECKING:
    from atlas.executors import launcher
else:
    try:
        import launcher  # this file's neighbour: the stub puts its folder first on sys.path
    except ImportError:  # imported as part of the package (the executor reads the constants)
        from atlas.executors import launcher

__all__ = ["OUTCOME_MARK", "SPEC_VARIABLE", "LogShipper", "main"]

SPEC_VARIABLE = "ATLAS_RAY_SPEC"
OUTCOME_MARK = "ATLAS_OUTCOME "
SHIP_INTERVAL_S = 0.2
"""Seconds between two sends of the log's new lines to the server."""
FINAL_SHIP_S = 30.0
"""How long the last lines of the log are retried once the job ended."""
_PIECE = 1 << 20
_HTTP_TIMEOUT_S = 10.0


def _request(spec: dict[str, object], path: str, data: bytes | None = None) -> bytes:
    url = f"{str(spec['server_url']).rstrip('/')}/api/v1/jobs/{spec['job_id']}{path}"
    headers = {"Content-Type": "application/octet-stream"}
    token = str(spec.get("token") or "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    method = "GET" if data is None else "POST"
    import urllib.request  # here: its import costs every job's start

    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S) as answer:
        return bytes(answer.read())


class LogShipper(threading.Thread):
    """Sends what the local log file gains to the job's log on the server: complete lines
    while the job runs, everything at :meth:`finish`. A failed send is tried again from the
    same offset, so nothing is lost while the server restarts."""

    def __init__(self, spec: dict[str, object], path: str) -> None:
        super().__init__(name="atlas-log-shipper", daemon=True)
        self.spec = spec
        self.path = path
        self.offset = 0
        self.failures = 0
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._stop_event.wait(SHIP_INTERVAL_S):
            self.ship(final=False)

    def ship(self, *, final: bool) -> bool:
        """Send the new bytes (only whole lines unless ``final``); ``True`` when nothing is
        left to send."""
        with self._lock:
            try:
                with open(self.path, "rb") as file:
                    file.seek(self.offset)
                    data = file.read(_PIECE)
            except OSError:
                return True
            if not final:
                data = data[: data.rfind(b"\n") + 1]
            if not data:
                return True
            try:
                _request(self.spec, "/log", data)
            except OSError:  # urllib's errors included
                self.failures += 1
                return False
            self.offset += len(data)
            return len(data) < _PIECE and final

    def finish(self) -> bool:
        """Stop the thread and send the rest, retrying for :data:`FINAL_SHIP_S` seconds;
        ``True`` when all of the log reached the server."""
        self._stop_event.set()
        self.join(timeout=_HTTP_TIMEOUT_S)
        deadline = time.monotonic() + FINAL_SHIP_S
        while not self.ship(final=True):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
        return True


def _fetch_snapshot(spec: dict[str, object], control: str) -> str | None:
    """The job's code snapshot written into ``control`` (from the spec when it carries it,
    else downloaded from the server); ``None`` when it has none."""
    if not spec.get("snapshot"):
        return None
    path = os.path.join(control, "snapshot.tar.gz")
    inline = spec.get("snapshot_inline")
    if isinstance(inline, str) and inline:
        import binascii  # built in: no file to load

        data = binascii.a2b_base64(inline)
    else:
        data = _request(spec, "/snapshot")
    with open(path, "wb") as file:
        file.write(data)
    return path


def _launcher_spec(
    spec: dict[str, object], workdir: str, root: str, snapshot: str | None
) -> dict[str, object]:
    """What :class:`launcher.Launcher` reads (the local executor's ``spec.json``), with the
    GPUs Ray gave this job. ``launch`` is the Ray job's name, one per attempt: the launcher
    stops only this attempt's processes, never those of an earlier attempt that a lost node
    left running on the same machine."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    gpus = [int(g) for g in visible.split(",") if g.strip().isdigit()]
    return {
        **{key: spec.get(key) for key in launcher_keys()},
        "launch": str(spec.get("submission_id") or spec["job_id"]),
        "snapshot_path": snapshot,
        "gpus": gpus[: int(str(spec.get("gpu_count") or 0))],
        "workdir": workdir,
        "envs_dir": os.path.join(root, "envs"),
        "python": sys.executable,
    }


def launcher_keys() -> tuple[str, ...]:
    """The keys of the Ray executor's spec handed to the launcher as they are."""
    return (
        "job_id",
        "project",
        "user",
        "command",
        "params",
        "env_mode",
        "cpus",
        "memory",
        "timeout",
        "server_url",
        "token",
        "keep_workdir",
        "uv_args",
        "grace",
        "metrics_interval",
    )


def _redirect_output(log_path: str) -> int:
    """Point stdout and stderr at the job's log file; return a copy of the old stdout (the
    Ray job's own log)."""
    sys.stdout.flush()
    sys.stderr.flush()
    ray_out = os.dup(1)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return ray_out


def _say(text: str) -> None:
    sys.stdout.buffer.write(f"[atlas] {text}\n".encode())
    sys.stdout.buffer.flush()


def _temp_dir() -> str:
    """``$TMPDIR`` (``$TEMP``, ``$TMP``) or ``/tmp``, as ``tempfile.gettempdir`` finds it on a
    node, without importing ``tempfile`` (``random`` and ``hashlib`` come with it)."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = os.environ.get(name)
        if value:
            return value
    return "/tmp"


def _remove(folder: str) -> None:
    if os.path.lexists(folder):
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def run(spec: dict[str, object]) -> dict[str, object]:
    """Run the job ``spec`` describes on this node; return its ``exit.json`` record."""
    root = str(spec.get("work_root") or os.path.join(_temp_dir(), "atlas-ray"))
    # one folder per attempt: what an earlier attempt on a node Ray lost may still run there
    workdir = os.path.join(root, str(spec.get("submission_id") or spec["job_id"]))
    control = os.path.join(workdir, launcher.CONTROL_DIR)
    _remove(workdir)  # what an earlier attempt left
    os.makedirs(control, mode=0o700)
    ray_out = _redirect_output(os.path.join(control, "job.log"))
    shipper = LogShipper(spec, os.path.join(control, "job.log"))
    shipper.start()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES") or "none"
    gpus = visible if spec.get("gpu_count") else "none"
    host = os.uname().nodename
    _say(f"running on {host} (Ray job {spec.get('submission_id')}), GPUs {gpus}")
    started = time.time()
    try:
        snapshot = _fetch_snapshot(spec, control)
    except OSError as exc:  # urllib's errors included
        message = f"could not fetch the code snapshot from {spec['server_url']}: {exc}"
        _say(message)
        result: dict[str, object] = {
            "exit_code": None,
            "signal": None,
            "error": message,
            "cancelled": False,
            "started_at": started,
            "finished_at": time.time(),
        }
    else:
        result = launcher.Launcher(_launcher_spec(spec, workdir, root, snapshot), control).run()
    if not shipper.finish():
        os.write(ray_out, b"[atlas] the end of the job's log could not reach the server\n")
    os.write(ray_out, (OUTCOME_MARK + json.dumps(result) + "\n").encode())
    if not spec.get("keep_workdir"):
        _remove(workdir)
    return result


def main() -> int:
    """Run the job in ``$ATLAS_RAY_SPEC``; exit with its exit code (1 when it has none)."""
    raw = os.environ.pop(SPEC_VARIABLE, None)
    if raw is None:
        sys.stderr.write(f"ray_job: {SPEC_VARIABLE} is not set\n")
        return 2
    result = run(json.loads(raw))
    code = result.get("exit_code")
    return code if isinstance(code, int) and 0 <= code < 256 else 1
