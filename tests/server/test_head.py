"""``HEAD`` answers like ``GET`` without a body on every ``GET`` route: artifacts, logs,
snapshots, JSON resources (it was 405)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.cli.conftest import running_server
from tests.server.conftest import API, TestClient, assert_error

CONTENT = b"0123456789" * 1000


def test_head_of_an_artifact_gives_the_get_headers(client: TestClient, job_id: str) -> None:
    url = f"{API}/jobs/{job_id}/artifacts/dir/data.csv"
    assert client.put(url, content=CONTENT).status_code == 201
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-length", "content-type", "etag", "accept-ranges", "content-disposition"):
        assert head.headers[name] == got.headers[name], name
    assert head.headers["content-length"] == str(len(CONTENT))
    part = client.head(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-19/{len(CONTENT)}"


def test_head_of_what_is_missing_is_404_without_a_body(client: TestClient, job_id: str) -> None:
    head = client.head(f"{API}/jobs/{job_id}/artifacts/nothing.txt")
    assert head.status_code == 404
    assert head.content == b""
    assert_error(client.get(f"{API}/jobs/{job_id}/artifacts/nothing.txt"), 404, "not_found")


def test_head_of_logs_jobs_and_snapshots(client: TestClient, job_id: str) -> None:
    client.post(f"{API}/jobs/{job_id}/log", content=b"line\n")
    head = client.head(f"{API}/jobs/{job_id}/log")
    assert head.status_code == 200
    assert head.headers["x-atlas-log-size"] == "5"
    assert head.content == b""
    head = client.head(f"{API}/projects/vision")
    assert head.status_code == 200
    assert head.headers["content-type"] == "application/json"
    assert head.content == b""
    size = len(client.get(f"{API}/jobs/{job_id}/artifacts").content)
    assert client.head(f"{API}/jobs/{job_id}/artifacts").headers["content-length"] == str(size)
    # The snapshot route declares HEAD itself: it keeps its own answer.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("main.py")
        tar.addfile(info, io.BytesIO(b""))
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    assert client.head(f"{API}/snapshots/{sha}").status_code == 404
    assert client.put(f"{API}/snapshots/{sha}", content=data).status_code == 201
    head = client.head(f"{API}/snapshots/{sha}")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))


def test_head_of_a_write_only_route_is_still_405(client: TestClient) -> None:
    head = client.head(f"{API}/submissions")
    assert head.status_code == 405


def test_head_of_a_large_artifact_on_a_real_server(tmp_path: Path) -> None:
    """Through uvicorn: the headers come at once and the connection stays usable."""
    big = b"x" * (8 * 1024 * 1024)
    with running_server(tmp_path / "home") as server, httpx.Client(base_url=server.url) as http:
        assert urlsplit(server.url).hostname == "127.0.0.1"
        job = http.post(f"{API}/jobs", json={"project": "head"}).json()["id"]
        url = f"{API}/jobs/{job}/artifacts/big.bin"
        assert http.put(url, content=big).status_code == 201
        for _ in range(3):  # the same kept-open connection each time
            head = http.head(url)
            assert head.status_code == 200
            assert head.headers["content-length"] == str(len(big))
            assert head.content == b""
        assert http.get(url).content == big
    assert "Traceback" not in server.output(), server.output()
