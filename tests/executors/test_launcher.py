"""The launcher process on its own: its environment variables, its invocation, its weight."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from atlas.domain import JobStatus
from atlas.executors.launcher import job_environment, main
from atlas.executors.local import LocalExecutor
from tests.executors.conftest import Specs, log_text, wait_outcome

SPEC: dict[str, object] = {
    "job_id": "0000000000000001",
    "project": "proj",
    "user": "ada",
    "server_url": "http://127.0.0.1:5555",
    "token": None,
    "gpus": [0, 2],
    "cpus": 3,
    "python": "/opt/py/bin/python",
}


def test_the_job_environment_puts_the_interpreter_first_and_keeps_the_rest() -> None:
    base = {"PATH": "/usr/bin", "HOME": "/home/ada", "PYTHONHOME": "/x", "OMP_NUM_THREADS": "8"}
    env = job_environment(SPEC, base, None)
    assert env["PATH"] == "/opt/py/bin:/usr/bin"
    assert env["HOME"] == "/home/ada"
    assert "PYTHONHOME" not in env
    assert env["OMP_NUM_THREADS"] == "8"  # the user's own choice wins
    assert env["CUDA_VISIBLE_DEVICES"] == "0,2"
    assert env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"
    assert env["ATLAS_TOKEN"] == ""
    assert env["PYTHONUNBUFFERED"] == "1"
    assert "VIRTUAL_ENV" not in env
    assert job_environment(SPEC, {}, None)["OMP_NUM_THREADS"] == "3"


def test_a_bad_invocation_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "cannot read the job spec" in capsys.readouterr().err


def test_the_launcher_imports_nothing_of_atlas_for_a_plain_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every job pays the launcher's start: without a snapshot, an environment or metrics it
    imports the standard library only (the import log goes to the job's log)."""
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    executor = LocalExecutor(tmp_path / "work", metrics_interval=5)
    spec = Specs(tmp_path)(["true"])
    executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    imported = [line.rsplit("|", 1)[-1].strip() for line in log_text(spec).splitlines()]
    assert "json" in imported  # the import log is there
    heavy = {"atlas", "pathlib", "subprocess", "threading", "typing", "psutil", "httpx"}
    assert heavy.isdisjoint(imported), sorted(heavy.intersection(imported))


def test_the_launcher_runs_as_a_module_too(tmp_path: Path) -> None:
    import subprocess

    executor = LocalExecutor(tmp_path / "work", keep_workdirs=True, metrics_interval=0)
    spec = Specs(tmp_path)(["true"])
    handle = executor.launch(spec)
    assert wait_outcome(executor, spec.job_id).status is JobStatus.COMPLETED
    spec_file = handle.workdir / ".atlas" / "spec.json"
    (handle.workdir / ".atlas" / "exit.json").unlink()
    ran = subprocess.run(
        [sys.executable, "-m", "atlas.executors.launcher", str(spec_file)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert (handle.workdir / ".atlas" / "exit.json").is_file()
