"""``/api/v1/jobs/{id}/artifacts``: streamed uploads, safe paths, downloads with ranges."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import (
    API,
    UPLOAD_LIMIT_MB,
    TestClient,
    assert_error,
    make_client,
    settings_for,
)

ID = "0123456789abcdef"


def job_folder(client: TestClient, job_id: str) -> Path:
    return client.app.state.settings.home_path / "artifacts" / "jobs" / job_id  # type: ignore[attr-defined, no-any-return]


def test_upload_list_and_download(client: TestClient, job_id: str) -> None:
    data = bytes(range(256)) * 40
    response = client.put(f"{API}/jobs/{job_id}/artifacts/plots/loss.png?step=7", content=data)
    assert response.status_code == 201
    artifact = response.json()
    assert artifact["path"] == "plots/loss.png"
    assert artifact["kind"] == "image"
    assert artifact["mime"] == "image/png"
    assert artifact["size"] == len(data)
    assert artifact["sha256"] == hashlib.sha256(data).hexdigest()
    assert artifact["step"] == 7
    assert artifact["created_at"].endswith("Z")
    table = client.put(f"{API}/jobs/{job_id}/artifacts/eval.csv", content=b"a,b\n1,2\n").json()
    assert table["kind"] == "table"
    assert table["step"] is None
    items = client.get(f"{API}/jobs/{job_id}/artifacts").json()["items"]
    assert [a["path"] for a in items] == ["eval.csv", "plots/loss.png"]
    download = client.get(f"{API}/jobs/{job_id}/artifacts/plots/loss.png")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "image/png"
    assert download.headers["accept-ranges"] == "bytes"
    assert download.headers["etag"] == f'"{artifact["sha256"]}"'
    assert download.headers["content-security-policy"] == "sandbox"


def test_a_new_upload_replaces_the_old_file(client: TestClient, job_id: str) -> None:
    client.put(f"{API}/jobs/{job_id}/artifacts/notes.txt", content=b"old")
    new = client.put(f"{API}/jobs/{job_id}/artifacts/notes.txt", content=b"newer").json()
    assert new["size"] == 5
    assert client.get(f"{API}/jobs/{job_id}/artifacts/notes.txt").content == b"newer"
    assert len(client.get(f"{API}/jobs/{job_id}/artifacts").json()["items"]) == 1


def test_a_streamed_upload_of_unknown_length(client: TestClient, job_id: str) -> None:
    def pieces() -> Iterator[bytes]:
        for i in range(40):
            yield bytes([i]) * 10_000

    response = client.put(f"{API}/jobs/{job_id}/artifacts/stream.bin", content=pieces())
    assert response.status_code == 201
    assert response.json()["size"] == 400_000
    assert response.json()["kind"] == "file"


def test_empty_file(client: TestClient, job_id: str) -> None:
    made = client.put(f"{API}/jobs/{job_id}/artifacts/empty.txt", content=b"").json()
    assert made["size"] == 0
    download = client.get(f"{API}/jobs/{job_id}/artifacts/empty.txt")
    assert download.status_code == 200
    assert download.content == b""
    ranged = client.get(f"{API}/jobs/{job_id}/artifacts/empty.txt", headers={"Range": "bytes=0-"})
    assert_error(ranged, 416, "range_not_satisfiable")


@pytest.mark.parametrize(
    ("header", "status", "body", "content_range"),
    [
        ("bytes=0-9", 206, b"0123456789", "bytes 0-9/26"),
        ("bytes=20-", 206, b"klmnop", "bytes 20-25/26"),
        ("bytes=-3", 206, b"nop", "bytes 23-25/26"),
        ("bytes=24-100", 206, b"op", "bytes 24-25/26"),
        ("bytes=9-2", 200, b"0123456789abcdefghijklmnop", None),
        ("lines=1-2", 200, b"0123456789abcdefghijklmnop", None),
    ],
)
def test_range_requests(
    client: TestClient,
    job_id: str,
    header: str,
    status: int,
    body: bytes,
    content_range: str | None,
) -> None:
    client.put(f"{API}/jobs/{job_id}/artifacts/abc.txt", content=b"0123456789abcdefghijklmnop")
    response = client.get(f"{API}/jobs/{job_id}/artifacts/abc.txt", headers={"Range": header})
    assert response.status_code == status
    assert response.content == body
    assert response.headers.get("content-range") == content_range
    assert response.headers["content-length"] == str(len(body))


@pytest.mark.parametrize("header", ["bytes=26-", "bytes=100-200", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(client: TestClient, job_id: str, header: str) -> None:
    client.put(f"{API}/jobs/{job_id}/artifacts/abc.txt", content=b"0123456789abcdefghijklmnop")
    response = client.get(f"{API}/jobs/{job_id}/artifacts/abc.txt", headers={"Range": header})
    error = assert_error(response, 416, "range_not_satisfiable")
    assert error["detail"]["size"] == 26  # type: ignore[index]
    assert response.headers["content-range"] == "bytes */26"


@pytest.mark.parametrize(
    "path",
    [
        "%2e%2e/x",
        "..%2Fx",
        "a/%2e%2e/%2e%2e/b",
        "/abs",
        "%2Fabs",
        "a//b",
        "a/%2e/b",
        "a%5Cb",
        "a%00b",
        "dir/",
        "x" * 1001,
        ("n" * 256) + ".txt",
    ],
)
def test_unsafe_paths_are_refused_and_nothing_is_written(
    client: TestClient, job_id: str, path: str
) -> None:
    response = client.put(f"{API}/jobs/{job_id}/artifacts/{path}", content=b"evil")
    assert response.status_code in (404, 422), response.text
    if response.status_code == 422:
        assert_error(response, 422, "invalid_input")
    home = client.app.state.settings.home_path  # type: ignore[attr-defined]
    written = [
        p for p in home.rglob("*") if p.is_file() and p.suffix != ".db" and "atlas.db" not in p.name
    ]
    assert written == []
    got = client.get(f"{API}/jobs/{job_id}/artifacts/{path}")
    assert got.status_code in (404, 422)


def test_encoded_traversal_reaches_the_path_check(client: TestClient, job_id: str) -> None:
    response = client.put(f"{API}/jobs/{job_id}/artifacts/%2e%2e/%2e%2e/escape.txt", content=b"x")
    error = assert_error(response, 422, "invalid_input")
    assert "'..'" in str(error["message"])
    assert_error(client.get(f"{API}/jobs/{job_id}/artifacts/%2e%2e/secret"), 422, "invalid_input")


def raw_request(client: TestClient, method: str, path: str) -> tuple[int, bytes]:
    """Send ``path`` to the app exactly as given (an HTTP client would remove ``..``)."""
    messages: list[dict[str, object]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"content-length", b"4")],
        "client": ("127.0.0.1", 1),
        "server": ("localhost", 80),
        "root_path": "",
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"evil", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        messages.append(message)

    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)
    status = int(messages[0]["status"])  # type: ignore[call-overload]
    return status, b"".join(m.get("body", b"") for m in messages[1:])  # type: ignore[misc]


@pytest.mark.parametrize("path", ["../x", "a/../../b", "./a", "a/./b", "../../../../etc/passwd"])
def test_raw_dot_segments_are_refused(client: TestClient, job_id: str, path: str) -> None:
    status, body = raw_request(client, "PUT", f"{API}/jobs/{job_id}/artifacts/{path}")
    assert status == 422, body
    assert b'"invalid_input"' in body
    assert not (client.app.state.settings.home_path.parent / "x").exists()  # type: ignore[attr-defined]


def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    client: TestClient, job_id: str
) -> None:
    limit = UPLOAD_LIMIT_MB * 1024 * 1024
    declared = client.put(f"{API}/jobs/{job_id}/artifacts/big.bin", content=b"x" * (limit + 1))
    assert_error(declared, 413, "payload_too_large")

    def pieces() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * (limit // 4)

    streamed = client.put(f"{API}/jobs/{job_id}/artifacts/big.bin", content=pieces())
    assert_error(streamed, 413, "payload_too_large")
    assert client.get(f"{API}/jobs/{job_id}/artifacts").json()["items"] == []
    folder = job_folder(client, job_id)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]
    exact = client.put(f"{API}/jobs/{job_id}/artifacts/ok.bin", content=b"z" * limit)
    assert exact.status_code == 201


def test_a_file_where_a_folder_is_is_a_conflict(client: TestClient, job_id: str) -> None:
    client.put(f"{API}/jobs/{job_id}/artifacts/a/b.txt", content=b"x")
    assert_error(client.put(f"{API}/jobs/{job_id}/artifacts/a", content=b"y"), 409, "conflict")
    assert_error(
        client.put(f"{API}/jobs/{job_id}/artifacts/a/b.txt/c", content=b"y"), 409, "conflict"
    )


def test_unknown_job_artifact_and_step(client: TestClient, job_id: str) -> None:
    assert_error(client.put(f"{API}/jobs/{ID}/artifacts/a.txt", content=b"x"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{ID}/artifacts"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job_id}/artifacts/missing.txt"), 404, "not_found")
    for step in ("x", str(2**63), "1.5"):
        response = client.put(f"{API}/jobs/{job_id}/artifacts/a.txt?step={step}", content=b"x")
        assert_error(response, 422, "invalid_input")
    assert not job_folder(client, ID).exists()


def test_an_fsspec_artifact_store_serves_the_same_api(tmp_path: Path, migrated_db: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    settings = settings_for(home, artifacts=f"memory://atlas-{uuid.uuid4().hex}")
    with make_client(settings) as client:
        assert client.get(f"{API}/info").json()["artifacts"] == settings.artifacts
        job_id = client.post(f"{API}/jobs", json={"project": "p"}).json()["id"]
        made = client.put(f"{API}/jobs/{job_id}/artifacts/a/b.txt", content=b"0123456789")
        assert made.status_code == 201
        assert made.json()["sha256"] == hashlib.sha256(b"0123456789").hexdigest()
        ranged = client.get(
            f"{API}/jobs/{job_id}/artifacts/a/b.txt", headers={"Range": "bytes=2-4"}
        )
        assert ranged.status_code == 206
        assert ranged.content == b"234"
        client.post(f"{API}/jobs/{job_id}/log", content=b"one\n")
        client.post(f"{API}/jobs/{job_id}/log", content=b"two\n")
        log = client.get(f"{API}/jobs/{job_id}/log", params={"offset": 4})
        assert log.text == "two\n"
        assert log.headers["x-atlas-log-size"] == "8"
        assert client.delete(f"{API}/jobs/{job_id}").status_code == 204
        store = client.app.state.artifacts  # type: ignore[attr-defined]
        assert not store.exists(f"jobs/{job_id}/artifacts/a/b.txt")
        assert not store.exists(f"jobs/{job_id}/log.txt")
