"""Interrupted uploads leave nothing behind: a real server whose client sends part of an
upload's body and hangs up keeps no ``.atlas-tmp`` file, and a temporary file left by a
server that died is removed at the next start once it is old enough."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.sdk.conftest import ServerProcess

from atlas.store.artifacts import ArtifactStore, FsspecArtifactStore, LocalArtifactStore

DEADLINE_S = 30.0


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.atlas-tmp")) if root.exists() else []


def cut_upload(url: str, path: str, *, declared: int, sent: int) -> None:
    """PUT ``path`` declaring ``declared`` bytes, send ``sent`` of them and hang up."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80)) as sock:
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
            f"\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * sent)
        time.sleep(0.2)  # let the server start writing before the cut


def wait_without_temp_files(root: Path, server: ServerProcess) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while temp_files(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert temp_files(root) == [], server.output()


def test_a_cut_upload_leaves_no_temporary_file(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "home")
    server.start()
    try:
        with server.client() as client:
            job = client.create_job("uploads")
        artifacts = tmp_path / "home" / "artifacts"
        for sent in (10, 3 << 20):  # within the first write, and after a few flushes
            cut_upload(
                server.url,
                f"/api/v1/jobs/{job.id}/artifacts/model-{sent}.bin",
                declared=8 << 20,
                sent=sent,
            )
        cut_upload(server.url, f"/api/v1/snapshots/{'0' * 64}", declared=8 << 20, sent=2 << 20)
        wait_without_temp_files(artifacts, server)
        answer = httpx.get(f"{server.url}/api/v1/jobs/{job.id}/artifacts", timeout=10)
        assert answer.status_code == 200
        assert "model-" not in answer.text  # no part of a cut upload was recorded
        assert not list(artifacts.rglob("model-*"))
    finally:
        server.stop()


def test_a_stale_temporary_file_is_removed_at_start(tmp_path: Path) -> None:
    artifacts = tmp_path / "home" / "artifacts" / "jobs" / "x"
    artifacts.mkdir(parents=True)
    stale = artifacts / ".model.bin.0123.atlas-tmp"
    fresh = artifacts / ".other.bin.4567.atlas-tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written by another server")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    server = ServerProcess(tmp_path / "home")
    server.start()
    try:
        deadline = time.monotonic() + DEADLINE_S
        while stale.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not stale.exists(), server.output()
        assert fresh.exists()  # young: it may be another server's upload in progress
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["local", "fsspec"])
def test_only_old_temporary_files_are_removed(kind: str, tmp_path: Path) -> None:
    store: ArtifactStore
    if kind == "local":
        store = LocalArtifactStore(tmp_path / "artifacts")
    else:
        store = FsspecArtifactStore(f"file://{tmp_path}/fsspec-artifacts")
    store.write("jobs/a/artifacts/kept.bin", [b"done"])
    writer = store.open_writer("jobs/a/artifacts/open.bin")
    writer.write(b"in progress")
    assert store.remove_stale_temp_files() == 0  # young: it may still be written
    assert store.remove_stale_temp_files(older_than=-1) == 1
    with pytest.raises(FileNotFoundError):
        writer.commit()  # its temporary file is gone: the write fails, nothing appears
    assert not store.exists("jobs/a/artifacts/open.bin")
    assert store.exists("jobs/a/artifacts/kept.bin")
    assert store.remove_stale_temp_files(older_than=-1) == 0
