"""The peer's own environment: MLflow 3.x in a venv under bench/.peers/mlflow.

Created by the benchmark itself on first use (``python3 -m venv`` + ``pip install``), reused
when present. Nothing of MLflow is ever imported into the harness: its code runs in worker
subprocesses with this venv's Python.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.worker import BenchError

__all__ = ["MLFLOW_ENV", "PEERS_ROOT", "MlflowEnv", "mlflow_env"]

PEERS_ROOT = Path(__file__).resolve().parent / ".peers"
REQUIREMENT = "mlflow>=3,<4"
# psycopg2 lets the same MLflow run on PostgreSQL for job_listing_postgres.
EXTRA = ("psycopg2-binary",)

# Telemetry off and nothing reaching out: the machine has no network and a time-out would
# be measured as MLflow's cost.
MLFLOW_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ENABLE_ASYNC_LOGGING": "false",
    "GIT_PYTHON_REFRESH": "quiet",
    "PYTHONUNBUFFERED": "1",
}


@dataclass(frozen=True, slots=True)
class MlflowEnv:
    """A ready MLflow venv: its interpreter and MLflow's version."""

    python: Path
    version: str
    name: str = "mlflow"


def mlflow_env(root: Path = PEERS_ROOT) -> MlflowEnv:
    """Return the MLflow venv, creating and installing it when missing or broken."""
    python, version = peer_venv(
        root / "mlflow",
        [REQUIREMENT, *EXTRA],
        probe="import mlflow, psycopg2; print(mlflow.__version__)",
        env=MLFLOW_ENV,
    )
    return MlflowEnv(python=python, version=version)


def peer_venv(
    venv: Path, requirements: list[str], *, probe: str, env: dict[str, str]
) -> tuple[Path, str]:
    """A peer's own venv at ``venv`` with ``requirements``: its interpreter and the version
    that ``probe`` (Python code) prints. Installed once; reinstalled when the probe fails."""
    python = venv / "bin" / "python"
    version = _version(python, probe, env)
    if version is None:
        print(f"bench: installing {' '.join(requirements)} into {venv} (once)", file=sys.stderr)
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        _run([_system_python(), "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run([str(python), "-m", "pip", "install", "--quiet", *requirements])
        version = _version(python, probe, env)
        if version is None:
            raise BenchError(f"{' '.join(requirements)} did not install into {venv}")
    return python, version


def _version(python: Path, probe: str, env: dict[str, str]) -> str | None:
    if not python.exists():
        return None
    answer = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    if answer.returncode != 0:
        return None
    return answer.stdout.strip() or None


def _system_python() -> str:
    """A Python outside our venv (``python3`` on PATH), as a user would create a venv with."""
    found = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    return found or sys.executable


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
