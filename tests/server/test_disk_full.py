"""A full disk anywhere in a request answers 507 ``insufficient_storage`` in the error shape,
and leaves nothing half-written: real ``ENOSPC`` from ``/dev/full`` and from a 1 MiB tmpfs
holding the server's artifacts and database."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for

TMPFS_BYTES = 1024 * 1024


def test_enospc_from_a_file_write_answers_507(client: TestClient) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")

    def write_to_a_full_disk() -> None:
        with open("/dev/full", "wb") as full:
            full.write(b"x" * 8192)

    app = client.app
    assert isinstance(app, FastAPI)
    app.add_api_route("/full", write_to_a_full_disk, methods=["POST"])
    error = assert_error(client.post("/full"), 507, "insufficient_storage")
    assert "disk is full" in str(error["message"])


def test_other_os_errors_stay_internal(settings: object) -> None:
    def missing() -> None:
        Path("/nonexistent/file").read_bytes()

    with make_client(settings, raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        client.app.add_api_route("/missing", missing)  # type: ignore[attr-defined]
        assert_error(client.get("/missing"), 500, "internal")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root, or the right to mount)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        message = f"cannot mount a tmpfs here: {mount.stderr.strip()}"
        if os.geteuid() == 0:  # root can: a failure is the test's, not the machine's
            pytest.fail(message)
        pytest.skip(message + " (run as root, as CI does, to test a full disk)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_keeps_nothing_of_the_request(
    small_disk: Path, tmp_path: Path, migrated_db: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, small_disk / "atlas.db")
    settings = settings_for(
        home,
        db_url=f"sqlite:///{small_disk / 'atlas.db'}",
        artifacts=str(small_disk / "artifacts"),
        max_upload_mb=64,
    )
    with make_client(settings) as client:
        job = client.post(f"{API}/jobs", json={"project": "full"}).json()["id"]

        # An upload larger than the disk: 507, no artifact, no temporary file.
        url = f"{API}/jobs/{job}/artifacts/big.bin"
        error = assert_error(
            client.put(url, content=b"x" * (2 * TMPFS_BYTES)), 507, "insufficient_storage"
        )
        assert "nothing of this request was kept" in str(error["message"])
        assert client.get(f"{API}/jobs/{job}/artifacts").json()["items"] == []
        assert [f for f in leftovers(small_disk) if "atlas-tmp" in f] == []
        # A log append larger than the disk: 507, and the log keeps only what it had.
        client.post(f"{API}/jobs/{job}/log", content=b"first line\n")
        response = client.post(f"{API}/jobs/{job}/log", content=b"y" * (2 * TMPFS_BYTES))
        assert_error(response, 507, "insufficient_storage")
        assert client.get(f"{API}/jobs/{job}/log").content == b"first line\n"
        # ... and the space is free again.
        assert client.put(f"{API}/jobs/{job}/artifacts/small.txt", content=b"ok").status_code == 201

        # Rows that do not fit the database: 507, and no job half-created.
        payload = {f"p{i}": "v" * 60_000 for i in range(40)}
        response = client.post(f"{API}/jobs", json={"project": "full", "params": payload})
        assert_error(response, 507, "insufficient_storage")
        page = client.get(f"{API}/projects/full/jobs").json()
        assert [j["id"] for j in page["items"]] == [job]

        # The server goes on answering.
        assert client.get("/healthz").status_code == 200
        assert client.get(f"{API}/jobs/{job}/artifacts/small.txt").content == b"ok"
