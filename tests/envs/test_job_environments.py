"""Jobs whose snapshot holds a requirements.txt run in their own cached environment."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import psutil

from atlas.domain import JobStatus
from atlas.executors.local import LocalExecutor
from tests.envs.conftest import MODULE, offline_uv_args
from tests.executors.conftest import Specs, log_text, make_tar, wait_for, wait_outcome

MAIN = f"import {MODULE}, atlas, sys\nprint('value', {MODULE}.VALUE, sys.prefix)\n".encode()


def _executor(tmp_path: Path, wheels: Path) -> LocalExecutor:
    return LocalExecutor(
        tmp_path / "work",
        envs_dir=tmp_path / "envs",
        uv_args=offline_uv_args(wheels),
        metrics_interval=0,
    )


def test_a_job_installs_its_requirements_and_a_later_job_reuses_them(
    tmp_path: Path, wheels: Path
) -> None:
    executor = _executor(tmp_path, wheels)
    specs = Specs(tmp_path)
    files = {"main.py": MAIN, "requirements.txt": b"atlas-testpkg==1.0\n"}
    snapshot = make_tar(tmp_path / "code.tar.gz", files)

    first = specs(["python", "main.py"], snapshot=snapshot)
    executor.launch(first)
    outcome = wait_outcome(executor, first.job_id, timeout=120)
    assert outcome.status is JobStatus.COMPLETED, log_text(first)
    text = log_text(first)
    assert "[atlas] building environment" in text
    assert "value 42" in text
    assert str(tmp_path / "envs") in text  # sys.prefix: the job's environment

    second = specs(["python", "main.py"], snapshot=snapshot)
    executor.launch(second)
    assert wait_outcome(executor, second.job_id).status is JobStatus.COMPLETED, log_text(second)
    assert "[atlas] using the cached environment" in log_text(second)
    assert "building environment" not in log_text(second)


def test_env_none_runs_with_the_servers_python(tmp_path: Path, wheels: Path) -> None:
    executor = _executor(tmp_path, wheels)
    files = {"main.py": MAIN, "requirements.txt": b"atlas-testpkg==1.0\n"}
    spec = Specs(tmp_path)(
        ["python", "main.py"], snapshot=make_tar(tmp_path / "c.tar.gz", files), env_mode="none"
    )
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.FAILED
    assert f"No module named '{MODULE}'" in log_text(spec)
    assert not (tmp_path / "envs").exists()


def test_a_failed_build_fails_the_job_with_uvs_message(tmp_path: Path, wheels: Path) -> None:
    executor = _executor(tmp_path, wheels)
    files = {"main.py": MAIN, "requirements.txt": b"atlas-no-such-package\n"}
    spec = Specs(tmp_path)(["python", "main.py"], snapshot=make_tar(tmp_path / "c.tar.gz", files))
    executor.launch(spec)
    outcome = wait_outcome(executor, spec.job_id, timeout=60)
    assert outcome.status is JobStatus.FAILED
    assert outcome.exit_code is None
    assert outcome.error is not None
    assert outcome.error.startswith("building the job's environment failed")
    assert "atlas-no-such-package" in outcome.error
    assert "value" not in log_text(spec)


def test_cancel_during_the_build_stops_uv_and_leaves_no_half_environment(
    tmp_path: Path,
) -> None:
    # a package index on loopback that accepts connections and never answers: uv waits
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        index = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        executor = LocalExecutor(
            tmp_path / "work",
            envs_dir=tmp_path / "envs",
            uv_args=["--no-index", "--find-links", index],
            metrics_interval=0,
        )
        files = {"main.py": MAIN, "requirements.txt": b"atlas-testpkg\n"}
        spec = Specs(tmp_path)(
            ["python", "main.py"], snapshot=make_tar(tmp_path / "c.tar.gz", files)
        )
        executor.launch(spec)
        wait_for(lambda: spec.log_path.exists() and "Creating virtual" in log_text(spec))
        wait_for(lambda: _uv_installing(tmp_path))
        started = time.monotonic()
        executor.cancel(spec.job_id, grace=2)
        outcome = wait_outcome(executor, spec.job_id)
    assert outcome.status is JobStatus.CANCELLED
    assert time.monotonic() - started < 10
    assert not _uv_installing(tmp_path)
    assert [p.name for p in (tmp_path / "envs").iterdir() if not p.name.endswith(".lock")] == []
    assert "value" not in log_text(spec)


def _uv_installing(tmp_path: Path) -> bool:
    """Whether a ``uv pip install`` into an environment under ``tmp_path`` runs."""
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "install" in cmdline and any(str(tmp_path) in arg for arg in cmdline):
            return True
    return False
