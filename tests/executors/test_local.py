"""The local executor with real launchers and real job processes."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from atlas.domain import JobStatus
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.executors.base import Executor
from atlas.executors.local import LocalExecutor
from atlas.settings import Settings
from tests.executors.conftest import (
    Specs,
    log_text,
    make_tar,
    pids_gone,
    python,
    until_exists,
    wait_for,
    wait_outcome,
)

ENV_DUMP = """
import json, os, sys
keys = ["ATLAS_JOB_ID", "ATLAS_URL", "ATLAS_TOKEN", "ATLAS_PROJECT", "FOUNDATIONS_JOB_ID",
        "FOUNDATIONS_PROJECT_NAME", "FOUNDATIONS_USER", "CUDA_VISIBLE_DEVICES"]
data = {k: os.environ.get(k) for k in keys}
data["cwd"] = os.getcwd()
data["params"] = json.load(open("atlas_job_parameters.json"))
data["old_params"] = json.load(open("foundations_job_parameters.json"))
data["pgid"] = os.getpgid(0)
data["pid"] = os.getpid()
data["python"] = sys.executable
json.dump(data, open(sys.argv[1], "w"))
"""


def test_local_executor_is_an_executor(executor: LocalExecutor) -> None:
    checked: Executor = executor
    assert checked.running() == []


def test_job_gets_the_contract_variables_gpus_and_params(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    out = tmp_path / "env.json"
    spec = specs(
        [*python(ENV_DUMP), str(out)],
        gpus=(1, 3),
        params={"lr": 0.1, "layers": [1, 2]},
        server_url="http://127.0.0.1:5999",
        token="secret",
    )
    handle = executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.COMPLETED, log_text(spec)
    assert outcome.exit_code == 0
    data = json.loads(out.read_text())
    assert data["ATLAS_JOB_ID"] == data["FOUNDATIONS_JOB_ID"] == spec.job_id
    assert data["ATLAS_URL"] == "http://127.0.0.1:5999"
    assert data["ATLAS_TOKEN"] == "secret"
    assert data["ATLAS_PROJECT"] == data["FOUNDATIONS_PROJECT_NAME"] == "proj"
    assert data["FOUNDATIONS_USER"] == "ada"
    assert data["CUDA_VISIBLE_DEVICES"] == "1,3"
    assert data["params"] == data["old_params"] == {"lr": 0.1, "layers": [1, 2]}
    assert data["cwd"] == str(handle.workdir)
    # its own process group, apart from the launcher's and from ours
    assert data["pgid"] == data["pid"] != handle.pid  # the launcher leads its own group
    assert data["pgid"] != os.getpgid(0)


def test_no_gpus_means_an_empty_cuda_visible_devices(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    out = tmp_path / "env.json"
    spec = specs([*python(ENV_DUMP), str(out)])
    executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    assert json.loads(out.read_text())["CUDA_VISIBLE_DEVICES"] == ""


def test_python_is_the_servers_interpreter_without_an_environment(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    out = tmp_path / "env.json"
    spec = specs(["python", "-c", ENV_DUMP, str(out)])
    executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED, log_text(spec)
    assert Path(json.loads(out.read_text())["python"]).parent == Path(sys.executable).parent


def test_stdout_and_stderr_are_appended_to_the_log(executor: LocalExecutor, specs: Specs) -> None:
    spec = specs(python("import sys; print('to stdout'); print('to stderr', file=sys.stderr)"))
    spec.log_path.parent.mkdir(parents=True)
    spec.log_path.write_text("written before\n")
    executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    text = log_text(spec)
    assert text.startswith("written before\n")
    assert "to stdout\n" in text
    assert "to stderr\n" in text


def test_the_log_is_readable_while_the_job_runs(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    spec = specs(until_exists(flag, before="print('first line')"))
    executor.launch(spec)
    wait_for(lambda: spec.log_path.exists() and "first line" in log_text(spec))
    assert executor.poll(spec.job_id) is None
    assert executor.running() == [spec.job_id]
    assert executor.started(spec.job_id)
    flag.touch()
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED


@pytest.mark.parametrize(
    ("code", "status", "exit_code", "error"),
    [
        ("raise SystemExit(0)", JobStatus.COMPLETED, 0, None),
        ("raise SystemExit(3)", JobStatus.FAILED, 3, "exited with code 3"),
        ("import os; os.kill(os.getpid(), 9)", JobStatus.FAILED, 137, "killed by signal SIGKILL"),
    ],
)
def test_the_exit_code_decides_the_status(
    executor: LocalExecutor,
    specs: Specs,
    code: str,
    status: JobStatus,
    exit_code: int,
    error: str | None,
) -> None:
    spec = specs(python(code))
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert (outcome.status, outcome.exit_code, outcome.error) == (status, exit_code, error)
    assert executor.poll(spec.job_id) == outcome  # asked again: the same answer
    assert executor.running() == []


def test_a_command_that_does_not_exist_fails_with_a_clear_error(
    executor: LocalExecutor, specs: Specs
) -> None:
    spec = specs(["no-such-program-atlas-test", "--flag"])
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.FAILED
    assert outcome.exit_code == 127
    assert outcome.error is not None
    assert "no-such-program-atlas-test" in outcome.error
    assert "no-such-program-atlas-test" in log_text(spec)


TREE = """
import json, subprocess, sys, time
code = (
    "import subprocess, time; g = subprocess.Popen(['sleep', '60']); "
    "print(g.pid, flush=True); time.sleep(60)"
)
child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
grandchild = int(child.stdout.readline())
escaped = subprocess.Popen(["sleep", "60"], start_new_session=True)
json.dump([child.pid, grandchild, escaped.pid], open(sys.argv[1] + ".tmp", "w"))
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
"""


def _tree_job(
    executor: LocalExecutor, specs: Specs, tmp_path: Path, **kw: object
) -> tuple[str, list[int]]:
    pids_file = tmp_path / "pids.json"
    spec = specs([*python(TREE), str(pids_file)], **kw)  # type: ignore[arg-type]
    executor.launch(spec)
    wait_for(pids_file.exists)
    return spec.job_id, json.loads(pids_file.read_text())


def test_cancel_kills_the_whole_process_tree(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    job_id, pids = _tree_job(executor, specs, tmp_path)
    assert not pids_gone(pids)
    executor.cancel(job_id, grace=5)
    outcome = wait_outcome(executor, job_id)
    assert outcome.status is JobStatus.CANCELLED
    assert outcome.error == "cancelled"
    wait_for(lambda: pids_gone(pids))


def test_a_timeout_kills_the_whole_process_tree(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    job_id, pids = _tree_job(executor, specs, tmp_path, timeout=1.0)
    outcome = wait_outcome(executor, job_id)
    assert outcome.status is JobStatus.FAILED
    assert outcome.error == "timed out after 1.0 s"
    assert outcome.details["timed_out"] is True
    wait_for(lambda: pids_gone(pids))


def test_sigkill_follows_sigterm_after_the_grace(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    code = (
        "import signal, time, pathlib, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "pathlib.Path(sys.argv[1]).touch()\n"
        "time.sleep(60)\n"
    )
    spec = specs([*python(code), str(ready)])
    executor.launch(spec)
    wait_for(ready.exists)
    started = time.monotonic()
    executor.cancel(spec.job_id, grace=0.5)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.CANCELLED
    assert outcome.signal == signal.SIGKILL
    assert 0.4 < time.monotonic() - started < 10


def test_cancel_before_the_command_starts(executor: LocalExecutor, specs: Specs) -> None:
    spec = specs(python("print('never')"))
    executor.launch(spec)
    executor.cancel(spec.job_id, grace=1)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status in (JobStatus.CANCELLED, JobStatus.COMPLETED)  # it may have won
    if outcome.status is JobStatus.CANCELLED:
        assert "never" not in (log_text(spec) if spec.log_path.exists() else "")


def test_on_exit_is_called_when_a_job_ends(executor: LocalExecutor, specs: Specs) -> None:
    ended: list[str] = []
    event = threading.Event()

    def note(job_id: str) -> None:
        ended.append(job_id)
        event.set()

    executor.on_exit(note)
    spec = specs(python("pass"))
    executor.launch(spec)
    assert event.wait(20)
    assert ended == [spec.job_id]
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED


def test_a_snapshot_is_unpacked_and_the_working_folder_removed_after(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    main = (
        b"import json\n"
        b"print(open('data/x.txt').read(), json.load(open('atlas_job_parameters.json')))\n"
    )
    snapshot = make_tar(tmp_path / "code.tar.gz", {"main.py": main, "data/x.txt": b"hello"})
    spec = specs(["python", "main.py"], snapshot=snapshot, params={"a": 1})
    handle = executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.COMPLETED, log_text(spec)
    assert "hello {'a': 1}" in log_text(spec)
    assert not handle.workdir.exists()
    assert snapshot.exists()


def test_keep_workdirs_keeps_the_working_folder(specs: Specs, tmp_path: Path) -> None:
    executor = LocalExecutor(tmp_path / "work", keep_workdirs=True, metrics_interval=0)
    snapshot = make_tar(tmp_path / "code.tar.gz", {"main.py": b"open('out.txt', 'w').write('x')"})
    spec = specs(["python", "main.py"], snapshot=snapshot)
    handle = executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    assert (handle.workdir / "main.py").is_file()
    assert (handle.workdir / "out.txt").read_text() == "x"
    assert (handle.workdir / ".atlas" / "exit.json").is_file()


def test_a_tar_slip_snapshot_fails_the_job_and_writes_nothing_outside(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    snapshot = make_tar(tmp_path / "evil.tar.gz", {"ok.py": b"", "../../escaped.txt": b"x"})
    spec = specs(["python", "ok.py"], snapshot=snapshot)
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.FAILED
    assert outcome.error is not None
    assert "unsafe member '../../escaped.txt'" in outcome.error
    assert not list(tmp_path.rglob("escaped.txt"))
    assert "unsafe member" in log_text(spec)


def test_adopt_after_a_restart_follows_a_running_job(specs: Specs, tmp_path: Path) -> None:
    first = LocalExecutor(tmp_path / "work", metrics_interval=0)
    flag = tmp_path / "go"
    spec = specs(until_exists(flag, after="raise SystemExit(4)"))
    record = first.launch(spec).record()
    wait_for(lambda: first.started(spec.job_id))

    second = LocalExecutor(tmp_path / "work", metrics_interval=0)  # the restarted server
    ended = threading.Event()
    second.on_exit(lambda job_id: ended.set())
    assert second.adopt(spec.job_id, record)
    assert second.running() == [spec.job_id]
    assert second.poll(spec.job_id) is None
    flag.touch()
    assert ended.wait(20)
    outcome = wait_outcome(second, spec.job_id)
    assert (outcome.status, outcome.exit_code) == (JobStatus.FAILED, 4)


def test_adopt_cancel_reaches_an_adopted_job(specs: Specs, tmp_path: Path) -> None:
    first = LocalExecutor(tmp_path / "work", metrics_interval=0)
    job_id, pids = _tree_job(first, specs, tmp_path)
    second = LocalExecutor(tmp_path / "work", metrics_interval=0)
    assert second.adopt(job_id, {})  # everything from the job's launcher.json
    second.cancel(job_id, grace=5)
    assert wait_outcome(second, job_id).status is JobStatus.CANCELLED
    wait_for(lambda: pids_gone(pids))


def test_adopt_reads_exit_json_of_a_job_that_ended_unwatched(specs: Specs, tmp_path: Path) -> None:
    first = LocalExecutor(tmp_path / "work", metrics_interval=0)
    spec = specs(python("raise SystemExit(3)"))
    handle = first.launch(spec)
    wait_for((handle.workdir / ".atlas" / "exit.json").exists)
    wait_for(lambda: pids_gone([handle.pid]))

    second = LocalExecutor(tmp_path / "work", metrics_interval=0)
    assert second.adopt(spec.job_id, handle.record())
    outcome = wait_outcome(second, spec.job_id)
    assert (outcome.status, outcome.exit_code) == (JobStatus.FAILED, 3)
    assert not handle.workdir.exists()


def test_adopt_refuses_a_reused_pid_and_a_job_without_trace(tmp_path: Path) -> None:
    executor = LocalExecutor(tmp_path / "work", metrics_interval=0)
    workdir = tmp_path / "work" / "0000000000000001"
    (workdir / ".atlas").mkdir(parents=True)
    # our own pid is alive, but it is not the launcher started at that time
    record = {"pid": os.getpid(), "create_time": 1_000_000.0, "workdir": str(workdir)}
    assert not executor.adopt("0000000000000001", record)
    assert not executor.adopt("0000000000000002", {})
    assert executor.running() == []


def test_bad_requests_get_clear_errors(
    executor: LocalExecutor, specs: Specs, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError):
        executor.poll("0000000000000009")
    with pytest.raises(InvalidInputError, match="command"):
        executor.launch(specs([]))
    with pytest.raises(InvalidInputError, match="env must be one of"):
        executor.launch(specs(["true"], env_mode="docker"))
    with pytest.raises(InvalidInputError, match="timeout"):
        executor.launch(specs(["true"], timeout=0))
    flag = tmp_path / "go"
    spec = specs(until_exists(flag))
    executor.launch(spec)
    with pytest.raises(ConflictError):
        executor.launch(spec)
    flag.touch()
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    executor.cancel(spec.job_id, grace=1)  # ended already: nothing happens
    assert executor.poll(spec.job_id) is not None


def test_the_executor_follows_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        home=str(tmp_path / "home"),
        work_dir=str(tmp_path / "jobs"),
        keep_workdirs=True,
        cancel_grace=3.0,
        uv_args="--no-index --find-links '/wheels here'",
    )
    executor = LocalExecutor.from_settings(settings)
    assert executor.work_dir == tmp_path / "jobs"
    assert executor.envs_dir == tmp_path / "home" / "envs"
    assert executor.keep_workdirs
    assert executor.grace == 3.0
    assert executor.uv_args == ("--no-index", "--find-links", "/wheels here")
    with pytest.raises(InvalidInputError, match="uv_args"):
        LocalExecutor.from_settings(Settings(home=str(tmp_path), uv_args="--find-links 'open"))


def test_timeout_and_cancel_work_while_metrics_are_sampled(specs: Specs, tmp_path: Path) -> None:
    """The metrics thread must not swallow the launcher's signals (SIGALRM, SIGTERM)."""
    executor = LocalExecutor(tmp_path / "work", metrics_interval=0.05)
    timed = specs(python("import time; time.sleep(60)"), timeout=1.5)
    cancelled = specs(python("import time; time.sleep(60)"))
    started = time.monotonic()
    executor.launch(timed)
    handle = executor.launch(cancelled)
    wait_for(lambda: psutil.Process(handle.pid).num_threads() > 1)  # metrics are sampled
    executor.cancel(cancelled.job_id, grace=5)
    assert wait_outcome(executor, cancelled.job_id).status is JobStatus.CANCELLED
    outcome = wait_outcome(executor, timed.job_id)
    assert outcome.status is JobStatus.FAILED
    assert outcome.error == "timed out after 1.5 s"
    assert time.monotonic() - started < 8


SECRETS_DUMP = """
import json, os, sys
json.dump({k: v for k, v in os.environ.items() if "SLACK" in k or k.startswith("ATLAS_")},
          open(sys.argv[1], "w"))
"""


def test_a_job_never_sees_the_servers_secrets(
    executor: LocalExecutor, specs: Specs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ATLAS_SLACK_TOKEN", "FOUNDATIONS_SLACK_TOKEN", "ATLAS_DB_URL"):
        monkeypatch.setenv(name, "xoxb-server-only")
    monkeypatch.setenv("ATLAS_OIDC_CLIENT_SECRET", "oidc-server-only")
    monkeypatch.setenv("ATLAS_S3_SECRET_ACCESS_KEY", "s3-server-only")
    monkeypatch.setenv("ATLAS_LOG_LEVEL", "debug")  # not a secret: passed on as before
    out = tmp_path / "env.json"
    spec = specs([*python(SECRETS_DUMP), str(out)])
    executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED, log_text(spec)
    seen = json.loads(out.read_text())
    assert not any("server-only" in value for value in seen.values()), seen
    assert seen["ATLAS_LOG_LEVEL"] == "debug"
