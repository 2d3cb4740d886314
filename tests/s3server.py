"""A real S3 endpoint for the tests: moto's server (``python -m moto.server``) in a
subprocess on 127.0.0.1 and a free port, one per test session, a new bucket per test."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from atlas.store.artifacts import S3ArtifactStore, S3Options

__all__ = ["MotoServer", "moto_server", "s3_bucket"]

START_DEADLINE_S = 60.0
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
INSTALL = "moto's S3 server is missing: .venv/bin/pip install -e '.[dev]' (moto[server])"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServer:
    """``python -m moto.server`` on ``port``; its output goes to ``log``."""

    log: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def options(self) -> S3Options:
        """How a store reaches this server (the moto credentials are any)."""
        return S3Options(
            endpoint_url=self.url,
            region="us-east-1",
            access_key_id="testing",
            secret_access_key="testing",
        )

    def start(self) -> None:
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
            pytest.fail(INSTALL)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **CREDENTIALS},
            )
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=2.0)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"moto never answered:\n{self.output()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def new_bucket(self) -> str:
        """A new, empty bucket's name."""
        name = f"atlas-{uuid.uuid4().hex[:20]}"
        store = S3ArtifactStore(f"s3://{name}", options=self.options())
        store._fs.call_s3("create_bucket", Bucket=name)
        return name


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One moto S3 server for the session."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(moto_server: MotoServer) -> str:
    """A new bucket on the session's moto server."""
    return moto_server.new_bucket()
