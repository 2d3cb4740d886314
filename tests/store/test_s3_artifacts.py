"""What the S3 artifact store does on the wire, on a real moto server: uploads in parts that
appear whole or not at all, reads of only the bytes asked, appends that write only their own
bytes (and never overwrite another server's), settings and credentials, and a 1 GB upload
in bounded memory. The behaviour all stores share is in test_artifacts.py."""

from __future__ import annotations

import hashlib
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from tests.s3server import MotoServer

from atlas.errors import InvalidInputError
from atlas.settings import Settings
from atlas.store.artifacts import (
    S3ArtifactStore,
    S3Options,
    StoredFile,
    log_path,
    open_artifact_store,
)
from atlas.store.part_files import part_key
from atlas.store.s3_artifacts import PART_BYTES, part_size

JOB = "01m89m2dr628hx63"
MIB = 1 << 20


class S3Calls:
    """The S3 operations a store's client sends, with their parameters."""

    def __init__(self, store: S3ArtifactStore) -> None:
        store._call("list_objects_v2", MaxKeys=1)  # the client exists from the first call
        self.calls: list[tuple[str, dict[str, Any]]] = []
        store._fs.s3.meta.events.register("provide-client-params.s3", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        shown = {k: v for k, v in params.items() if k != "Body"}
        if "Body" in params:
            shown["BodySize"] = len(params["Body"])
        self.calls.append((model.name, shown))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def store(moto_server: MotoServer, s3_bucket: str) -> S3ArtifactStore:
    return S3ArtifactStore(f"s3://{s3_bucket}/team/atlas", options=moto_server.options())


def _chunks(total: int, piece: bytes) -> Iterator[bytes]:
    for _ in range(total // len(piece)):
        yield piece


def _uploads(store: S3ArtifactStore) -> list[str]:
    answer = store._call("list_multipart_uploads", Prefix="team/")
    return [upload["Key"] for upload in answer.get("Uploads", [])]


def test_a_large_file_goes_up_in_parts_and_appears_only_when_complete(
    store: S3ArtifactStore,
) -> None:
    calls = S3Calls(store)
    piece = bytes(range(256)) * 4096  # 1 MiB
    writer = store.open_writer("jobs/x/artifacts/model.bin")
    for chunk in _chunks(20 * MIB, piece):
        writer.write(chunk)
    assert not store.exists("jobs/x/artifacts/model.bin")
    assert _uploads(store) == ["team/atlas/jobs/x/artifacts/model.bin"]
    stored = writer.commit()
    assert stored == StoredFile(20 * MIB, hashlib.sha256(piece * 20).hexdigest())
    assert store.size("jobs/x/artifacts/model.bin") == 20 * MIB
    assert _uploads(store) == []
    sizes = [p["BodySize"] for name, p in calls.calls if name == "UploadPart"]
    assert sizes == [PART_BYTES, PART_BYTES, 4 * MIB]
    assert "PutObject" not in calls.names()  # no temporary copy: the upload is the object
    assert "CopyObject" not in calls.names()
    assert part_size(1) == PART_BYTES
    assert part_size(1001) == 2 * PART_BYTES


def test_a_cut_upload_leaves_no_object_and_no_upload(store: S3ArtifactStore) -> None:
    store.write("model.bin", [b"old"])
    seen: list[list[str]] = []

    def cut_upload() -> None:
        with store.open_writer("model.bin") as writer:
            for chunk in _chunks(12 * MIB, b"x" * MIB):
                writer.write(chunk)
            seen.append(_uploads(store))
            raise RuntimeError("client gone")

    with pytest.raises(RuntimeError, match="client gone"):
        cut_upload()
    assert seen == [["team/atlas/model.bin"]]
    assert _uploads(store) == []
    assert b"".join(store.open_read("model.bin")) == b"old"


def test_a_small_file_is_one_put(store: S3ArtifactStore) -> None:
    calls = S3Calls(store)
    assert store.write("a.txt", [b"hello ", b"world"]).size == 11
    assert calls.names().count("PutObject") == 1
    assert "CreateMultipartUpload" not in calls.names()


def test_a_range_read_fetches_only_the_range(store: S3ArtifactStore) -> None:
    data = bytes(range(256)) * (40 * 4096)  # 40 MiB
    store.write("big.bin", [data])
    calls = S3Calls(store)
    assert b"".join(store.open_read("big.bin", 30_000_000, 30_000_010)) == data[30_000_000:][:10]
    gets = [p.get("Range") for name, p in calls.calls if name == "GetObject"]
    assert gets == ["bytes=30000000-30000009"]
    calls.clear()
    assert b"".join(store.open_read("big.bin", 20 * MIB)) == data[20 * MIB :]
    gets = [p.get("Range") for name, p in calls.calls if name == "GetObject"]
    assert gets == [
        f"bytes={20 * MIB}-{28 * MIB - 1}",
        f"bytes={28 * MIB}-{36 * MIB - 1}",
        f"bytes={36 * MIB}-{40 * MIB - 1}",
    ]


def test_an_append_writes_only_its_bytes(store: S3ArtifactStore) -> None:
    path = log_path(JOB)
    store.append(path, b"a" * 5000)
    calls = S3Calls(store)
    for i in range(3):
        store.append(path, f"line {i}\n".encode())
    assert {"GetObject", "CopyObject"}.isdisjoint(calls.names())
    puts = [p for name, p in calls.calls if name == "PutObject"]
    assert [p["BodySize"] for p in puts] == [7, 7, 7]
    assert all(p["IfNoneMatch"] == "*" for p in puts)
    root = "atlas/" + path
    assert [p["Key"] for p in puts] == [
        part_key(f"team/{root}", offset) for offset in (5000, 5007, 5014)
    ]
    calls.clear()
    assert store.size(path) == 5021  # a poll of a known log: one listing of the new parts
    assert calls.names() == ["ListObjectsV2"]
    assert calls.calls[0][1]["StartAfter"] == part_key(f"team/{root}", 5013)


def test_appends_from_two_servers_never_overwrite_each_other(
    moto_server: MotoServer, s3_bucket: str
) -> None:
    url = f"s3://{s3_bucket}/shared"
    servers = [S3ArtifactStore(url, options=moto_server.options()) for _ in range(2)]
    path = log_path(JOB)

    def write_lines(server: int) -> None:
        for i in range(40):
            servers[server].append(path, f"server {server} line {i:02d}\n".encode())

    threads = [threading.Thread(target=write_lines, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = S3ArtifactStore(url, options=moto_server.options())
    lines = b"".join(reader.open_read(path)).decode().splitlines()
    assert sorted(lines) == sorted(f"server {s} line {i:02d}" for s in range(2) for i in range(40))
    assert [line for line in lines if line.startswith("server 1")] == [
        f"server 1 line {i:02d}" for i in range(40)
    ]
    assert servers[0].size(path) == servers[1].size(path) == reader.size(path)


def test_a_reader_sees_a_log_grow_and_a_deleted_log_go(
    moto_server: MotoServer, s3_bucket: str
) -> None:
    url = f"s3://{s3_bucket}/x"
    writer, reader = (S3ArtifactStore(url, options=moto_server.options()) for _ in range(2))
    path = log_path(JOB)
    writer.append(path, b"one\n")
    assert reader.size(path) == 4
    writer.append(path, b"two\n")
    assert b"".join(reader.open_read(path, 4)) == b"two\n"
    writer.delete(path)
    assert not reader.exists(path)
    writer.append(path, b"new\n")
    assert b"".join(reader.open_read(path)) == b"new\n"


def test_stale_uploads_of_a_dead_server_are_aborted(store: S3ArtifactStore) -> None:
    writer = store.open_writer("half.bin")
    writer.write(b"x" * (PART_BYTES + 1))  # a part sent: an upload in progress
    # moto dates every upload in 2010: younger than a century, older than an instant.
    assert store.remove_stale_temp_files(older_than=100 * 365 * 86400) == 0
    assert store.remove_stale_temp_files(older_than=0) == 1
    assert _uploads(store) == []
    assert not store.exists("half.bin")


def test_the_store_is_opened_from_the_settings(
    moto_server: MotoServer, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = Settings(
        s3_endpoint_url=moto_server.url,
        s3_region="eu-west-1",
        s3_access_key_id="testing",
        s3_secret_access_key="testing",
    )
    store = open_artifact_store(f"s3://{s3_bucket}/p", s3=S3Options.from_settings(settings))
    assert isinstance(store, S3ArtifactStore)
    store.write("a.txt", [b"via settings"])
    assert b"".join(store.open_read("a.txt")) == b"via settings"
    assert store._fs.s3.meta.region_name == "eu-west-1"
    with pytest.raises(InvalidInputError, match="credentials"):
        open_artifact_store(f"s3://{s3_bucket}/p", s3=S3Options(endpoint_url=moto_server.url))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # the usual AWS variables work too
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    from_env = open_artifact_store(
        f"s3://{s3_bucket}/p", s3=S3Options(endpoint_url=moto_server.url)
    )
    assert b"".join(from_env.open_read("a.txt")) == b"via settings"


def test_a_missing_bucket_is_a_clear_error(moto_server: MotoServer) -> None:
    with pytest.raises(InvalidInputError, match="cannot use the bucket 'no-such-bucket'"):
        open_artifact_store("s3://no-such-bucket/x", s3=moto_server.options())


@pytest.mark.slow
def test_a_1_gb_upload_holds_a_few_parts_in_memory(store: S3ArtifactStore) -> None:
    piece = bytes(range(256)) * 4096  # 1 MiB, sent 1,024 times
    expected = hashlib.sha256()
    for _ in range(1024):
        expected.update(piece)
    tracemalloc.start()
    try:
        started = time.monotonic()
        stored = store.write("jobs/x/artifacts/huge.bin", _chunks(1 << 30, piece))
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored == StoredFile(1 << 30, expected.hexdigest())
    assert store.size("jobs/x/artifacts/huge.bin") == 1 << 30
    assert peak < 6 * PART_BYTES, f"peak {peak / MIB:.0f} MiB in {elapsed:.0f} s"
    tail = b"".join(store.open_read("jobs/x/artifacts/huge.bin", (1 << 30) - 5))
    assert tail == piece[-5:]
