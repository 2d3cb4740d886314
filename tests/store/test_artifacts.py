"""The artifact stores' contract, run over each of them (a local folder, fsspec's ``memory://``
and S3 on a real moto server), and safe paths."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest
from tests.s3server import MotoServer

from atlas.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    RangeNotSatisfiableError,
)
from atlas.store.artifacts import (
    ArtifactStore,
    FsspecArtifactStore,
    LocalArtifactStore,
    S3ArtifactStore,
    StoredFile,
    artifact_path,
    job_prefix,
    log_path,
    open_artifact_store,
    safe_relpath,
)

JOB = "01m89m2dr628hx63"


@pytest.fixture(params=["local", "memory", "s3"])
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path / "artifacts")
        return
    if request.param == "s3":
        moto: MotoServer = request.getfixturevalue("moto_server")
        yield S3ArtifactStore(f"s3://{moto.new_bucket()}/atlas", options=moto.options())
        return
    root = f"memory://atlas-test-{uuid.uuid4().hex}"
    yield FsspecArtifactStore(root)
    memory = fsspec.filesystem("memory")
    if memory.exists(root):
        memory.rm(root, recursive=True)


def _read(files: ArtifactStore, path: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(files.open_read(path, start, end))


def test_write_and_read(files: ArtifactStore) -> None:
    path = artifact_path(JOB, "plots/loss.png")
    stored = files.write(path, [b"hello ", b"world"])
    assert stored == StoredFile(11, hashlib.sha256(b"hello world").hexdigest())
    assert files.exists(path)
    assert files.size(path) == 11
    assert _read(files, path) == b"hello world"
    assert files.write(path, [b"new"]).size == 3  # replaced whole
    assert _read(files, path) == b"new"


def test_byte_ranges(files: ArtifactStore) -> None:
    files.write("f.bin", [bytes(range(256)) * 10_000])
    assert _read(files, "f.bin", 10, 20) == bytes(range(10, 20))
    assert _read(files, "f.bin", 2_559_990) == bytes(range(246, 256))
    assert _read(files, "f.bin", 0, 10**9) == bytes(range(256)) * 10_000
    assert _read(files, "f.bin", 2_560_000) == b""  # at the end: nothing, no error
    assert len(list(files.open_read("f.bin"))) > 1  # streamed in pieces
    with pytest.raises(RangeNotSatisfiableError):
        files.open_read("f.bin", 2_560_001)
    with pytest.raises(RangeNotSatisfiableError):
        files.open_read("f.bin", 10, 5)
    with pytest.raises(InvalidInputError):
        files.open_read("f.bin", -1)


def test_missing_files(files: ArtifactStore) -> None:
    assert not files.exists("nope.txt")
    with pytest.raises(NotFoundError):
        files.size("nope.txt")
    with pytest.raises(NotFoundError):
        files.open_read("nope.txt")
    files.delete("nope.txt")  # nothing to do
    files.delete_prefix("jobs/nope")


def test_a_writer_commits_on_exit_and_discards_on_error(files: ArtifactStore) -> None:
    with files.open_writer("a.txt") as writer:
        writer.write(b"part one, ")
        writer.write(b"part two")
    assert _read(files, "a.txt") == b"part one, part two"
    with pytest.raises(RuntimeError, match="upload broken"):
        _broken_upload(files, "a.txt")
    assert _read(files, "a.txt") == b"part one, part two"  # the old file, untouched
    assert _names(files) == ["a.txt"]  # no temporary file left


def test_nothing_is_visible_before_commit(files: ArtifactStore) -> None:
    writer = files.open_writer("b.txt")
    writer.write(b"data")
    assert not files.exists("b.txt")
    assert writer.commit() == StoredFile(4, hashlib.sha256(b"data").hexdigest())
    assert files.exists("b.txt")


def test_size_limit(files: ArtifactStore) -> None:
    with pytest.raises(PayloadTooLargeError):
        files.write("big.bin", [b"x" * 600, b"x" * 600], max_bytes=1000)
    assert not files.exists("big.bin")
    assert _names(files) == []
    assert files.write("ok.bin", [b"x" * 1000], max_bytes=1000).size == 1000


def test_append(files: ArtifactStore) -> None:
    path = log_path(JOB)
    assert files.append(path, b"line 1\n") == 7
    assert files.append(path, b"line 2\n") == 14
    assert files.append(path, b"") == 14
    assert _read(files, path) == b"line 1\nline 2\n"
    assert _read(files, path, 7) == b"line 2\n"


def test_a_log_appended_many_times_reads_as_one_file(files: ArtifactStore) -> None:
    path = log_path(JOB)
    lines = [f"step {i} {'x' * (i % 7)}\n".encode() for i in range(60)]
    for line in lines:
        files.append(path, line)
    whole = b"".join(lines)
    assert files.size(path) == len(whole)
    assert _read(files, path) == whole
    for start, end in [(0, 1), (5, 300), (17, 18), (len(whole) - 3, None), (100, 10**6)]:
        assert _read(files, path, start, end) == whole[start:end]
    assert _read(files, path, len(whole)) == b""
    with pytest.raises(RangeNotSatisfiableError):
        files.open_read(path, len(whole) + 1)


def test_an_empty_append_creates_an_empty_file(files: ArtifactStore) -> None:
    assert files.append("empty.txt", b"") == 0
    assert files.exists("empty.txt")
    assert files.size("empty.txt") == 0
    assert _read(files, "empty.txt") == b""
    assert files.append("empty.txt", b"now") == 3
    assert _read(files, "empty.txt") == b"now"


def test_appending_to_a_written_file_and_writing_over_an_appended_one(
    files: ArtifactStore,
) -> None:
    files.write("notes.txt", [b"written "])
    assert files.append("notes.txt", b"then appended") == 21
    assert _read(files, "notes.txt") == b"written then appended"
    assert _read(files, "notes.txt", 5, 10) == b"en th"
    assert files.write("notes.txt", [b"replaced"]).size == 8
    assert _read(files, "notes.txt") == b"replaced"
    assert files.size("notes.txt") == 8
    files.delete("notes.txt")
    assert not files.exists("notes.txt")
    assert _names(files) == []


def test_a_deleted_log_starts_again_empty(files: ArtifactStore) -> None:
    path = log_path(JOB)
    files.append(path, b"first life\n")
    files.delete(path)
    assert not files.exists(path)
    with pytest.raises(NotFoundError):
        files.size(path)
    assert files.append(path, b"again\n") == 6
    assert _read(files, path) == b"again\n"
    files.delete_prefix(job_prefix(JOB))
    assert _names(files) == []


def test_delete_prefix_removes_a_jobs_files_only(files: ArtifactStore) -> None:
    other = "01m89m2dr628hx64"
    files.write(artifact_path(JOB, "a/b/c.txt"), [b"1"])
    files.append(log_path(JOB), b"log")
    files.write(artifact_path(other, "c.txt"), [b"2"])
    files.delete_prefix(job_prefix(JOB))
    assert not files.exists(artifact_path(JOB, "a/b/c.txt"))
    assert not files.exists(log_path(JOB))
    assert files.exists(artifact_path(other, "c.txt"))
    files.delete(artifact_path(other, "c.txt"))
    assert not files.exists(artifact_path(other, "c.txt"))


def test_unsafe_paths_are_refused_everywhere(files: ArtifactStore) -> None:
    for call in (
        lambda: files.write("../escape", [b"x"]),
        lambda: files.append("/etc/passwd", b"x"),
        lambda: files.size("a/../../b"),
        lambda: files.exists("a\\b"),
        lambda: files.open_read("a//b"),
        lambda: files.delete_prefix(".."),
    ):
        with pytest.raises(InvalidInputError):
            call()


def test_local_files_stay_under_the_root(tmp_path: Path) -> None:
    files = LocalArtifactStore(tmp_path / "root")
    files.write("jobs/x/artifacts/a.txt", [b"x"])
    assert (tmp_path / "root/jobs/x/artifacts/a.txt").read_bytes() == b"x"
    with pytest.raises(ConflictError):
        files.write("jobs/x/artifacts/a.txt/inside", [b"y"])  # a file is not a folder
    with pytest.raises(ConflictError):
        files.write("jobs/x/artifacts", [b"y"])  # a folder is not a file
    assert sorted(p.name for p in (tmp_path / "root/jobs/x/artifacts").iterdir()) == ["a.txt"]


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/abs",
        "..",
        "a/../b",
        "./a",
        "a/./b",
        "a//b",
        "a/",
        "a\\b",
        "nul\x00",
        "tab\tname",
        "x" * 256,
        "é" * 128,
        "a/" * 500 + "b",
    ],
)
def test_safe_relpath_refuses(path: str) -> None:
    with pytest.raises(InvalidInputError):
        safe_relpath(path)


@pytest.mark.parametrize(
    "path", ["a", "a/b/c.txt", ".hidden", "a..b", "日本/語.png", "x" * 255, "C:"]
)
def test_safe_relpath_accepts(path: str) -> None:
    assert safe_relpath(path) == path


def test_layout() -> None:
    assert artifact_path(JOB, "m/model.pt") == f"jobs/{JOB}/artifacts/m/model.pt"
    assert log_path(JOB) == f"jobs/{JOB}/log.txt"
    assert job_prefix(JOB) == f"jobs/{JOB}"
    with pytest.raises(InvalidInputError):
        artifact_path(JOB, "../log.txt")
    with pytest.raises(InvalidInputError):
        job_prefix("../other")


def test_open_artifact_store_picks_by_scheme(tmp_path: Path) -> None:
    assert isinstance(open_artifact_store(str(tmp_path)), LocalArtifactStore)
    local = open_artifact_store(f"file://{tmp_path}/files")
    assert isinstance(local, LocalArtifactStore)
    assert local.root == tmp_path / "files"
    assert isinstance(open_artifact_store("memory://bucket/prefix"), FsspecArtifactStore)


def _broken_upload(files: ArtifactStore, path: str) -> None:
    with files.open_writer(path) as writer:
        writer.write(b"half")
        raise RuntimeError("upload broken")


def _names(files: ArtifactStore) -> list[str]:
    """Every file in the store, temporary ones included."""
    if isinstance(files, LocalArtifactStore):
        return sorted(str(p.relative_to(files.root)) for p in files.root.rglob("*") if p.is_file())
    if isinstance(files, S3ArtifactStore):
        root = files.url.removeprefix("s3://")
        found = files._fs.find(root)
        return sorted(name.removeprefix(root).lstrip("/") for name in found)
    assert isinstance(files, FsspecArtifactStore)
    root = files.url.removeprefix("memory://")
    fs = fsspec.filesystem("memory")
    found = fs.find(root) if fs.exists(root) else []
    return sorted(name.removeprefix("/").removeprefix(root).lstrip("/") for name in found)
