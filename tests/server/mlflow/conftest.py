"""A real ``atlas server`` subprocess on a free port, and the real ``mlflow`` client run in
subprocesses against it with ``MLFLOW_TRACKING_URI`` (skipped where the optional client
is not installed: it is in the dev extra)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from atlas.sdk.client import Client
from tests.requirements import required
from tests.sdk.conftest import ServerProcess

CLIENT_TIMEOUT_S = 180


@dataclass
class MlflowWorld:
    """The server and a way to run MLflow client code against it."""

    server: ServerProcess
    folder: Path
    atlas: Client
    """An Atlas SDK client of the server, to check what the MLflow client wrote."""

    def run(self, code: str, **env: str) -> dict[str, object]:
        """Run ``code`` (a script using ``mlflow``) in a fresh interpreter against the
        server; return the JSON object it prints last. ``AssertionError`` with its output
        when it fails."""
        script = self.folder / f"client_{len(list(self.folder.glob('client_*')))}.py"
        script.write_text(textwrap.dedent(code))
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "MLFLOW_"))},
            "MLFLOW_TRACKING_URI": self.server.url,
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            "GIT_PYTHON_REFRESH": "quiet",
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
            "PYTHONWARNINGS": "ignore",
            **env,
        }
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=self.folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT_S,
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{script.name} failed:\n{output}\n{self.server.output()}"
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        assert lines, f"{script.name} printed no JSON:\n{output}"
        answer = json.loads(lines[-1])
        assert isinstance(answer, dict)
        return answer


@pytest.fixture(scope="module")
def mlflow_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowWorld]:
    required("mlflow", package="mlflow-skinny")
    home = tmp_path_factory.mktemp("mlflow-atlas")
    server = ServerProcess(home / "home")
    server.start()
    try:
        with Client(server.url, token="", timeout=30.0) as atlas:
            yield MlflowWorld(server, home, atlas)
    finally:
        server.stop()
