"""Unpacking code snapshots: everything lands inside the working folder, or nothing does."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from atlas.errors import InvalidInputError
from atlas.executors.launcher import clean_working_copy, read_json, write_json_atomic
from atlas.executors.workdir import unpack_snapshot
from tests.executors.conftest import make_tar


def _tar_with(path: Path, *members: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(_file("fine.txt"), io.BytesIO(b"ok"))
        for member in members:
            data = io.BytesIO(b"x" * member.size) if member.isfile() else None
            tar.addfile(member, data)
    return path


def _file(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 2
    return info


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _device(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    return info


def test_a_snapshot_unpacks_with_folders(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", {"main.py": b"print(1)", "pkg/mod.py": b"x = 1"})
    dest = tmp_path / "dest"
    assert unpack_snapshot(archive, dest) == 2
    assert (dest / "main.py").read_bytes() == b"print(1)"
    assert (dest / "pkg" / "mod.py").read_bytes() == b"x = 1"


def test_a_link_inside_the_folder_is_kept(tmp_path: Path) -> None:
    archive = _tar_with(tmp_path / "a.tar.gz", _link("alias.txt", "fine.txt"))
    dest = tmp_path / "dest"
    unpack_snapshot(archive, dest)
    assert (dest / "alias.txt").read_bytes() == b"ok"


@pytest.mark.parametrize(
    "member",
    [
        _file("../escaped.txt"),
        _file("a/../../escaped.txt"),
        _file("/tmp/escaped.txt"),
        _link("link", "/etc/passwd"),
        _link("link", "../../escaped.txt"),
        _link("hard", "../escaped.txt", tarfile.LNKTYPE),
        _device("dev"),
        _file(".atlas/exit.json"),
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "absolute",
        "symlink-abs",
        "symlink-out",
        "hardlink-out",
        "device",
        "control-folder",
    ],
)
def test_unsafe_members_refuse_the_whole_archive(tmp_path: Path, member: tarfile.TarInfo) -> None:
    archive = _tar_with(tmp_path / "evil.tar.gz", member)
    dest = tmp_path / "work" / "job"
    with pytest.raises(InvalidInputError, match="unsafe member") as caught:
        unpack_snapshot(archive, dest, reserved=".atlas")
    assert caught.value.detail["member"] == member.name
    assert not (dest / "fine.txt").exists()  # nothing of a refused archive is written
    assert not list(tmp_path.rglob("escaped.txt"))


def test_a_file_that_is_not_a_tar_gz_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "junk.tar.gz"
    archive.write_bytes(b"this is not gzip")
    with pytest.raises(InvalidInputError, match="cannot be unpacked"):
        unpack_snapshot(archive, tmp_path / "dest")


def test_cleaning_keeps_only_the_control_folder(tmp_path: Path) -> None:
    (tmp_path / ".atlas").mkdir()
    write_json_atomic(tmp_path / ".atlas" / "exit.json", {"exit_code": 0}, durable=True)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("")
    (tmp_path / "main.py").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "pkg")
    clean_working_copy(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".atlas"]
    assert read_json(tmp_path / ".atlas" / "exit.json") == {"exit_code": 0}
    assert read_json(tmp_path / "missing.json") is None
