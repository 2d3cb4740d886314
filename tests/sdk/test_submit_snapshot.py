"""Code snapshots: which files (gitignore rules, with and without git), determinism, limits."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from atlas.errors import InvalidInputError, PayloadTooLargeError
from atlas.sdk.gitstate import git_state
from atlas.sdk.ignores import parse_ignore_file
from atlas.sdk.snapshot import build_snapshot, snapshot_files


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def git(folder: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


PROJECT = {
    "main.py": "print('hi')\n",
    "lib/model.py": "x = 1\n",
    "lib/__pycache__/model.cpython-311.pyc": "bytecode",
    "data/train.csv": "a,b\n",
    "data/keep.txt": "kept\n",
    "logs/run.log": "log\n",
    "notes.tmp": "tmp\n",
    "sub/notes.tmp": "tmp\n",
    "sub/build/out.bin": "bin\n",
    "build/top.bin": "bin\n",
    "checkpoints/a.pt": "weights",
    ".gitignore": "__pycache__/\n*.tmp\n/build/\nlogs\ndata/*\n!data/keep.txt\n",
    ".atlasignore": "checkpoints/\n",
}
EXPECTED = [
    ".atlasignore",
    ".gitignore",
    "data/keep.txt",
    "lib/model.py",
    "main.py",
    "sub/build/out.bin",
]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "matched"),
    [
        ("*.log", "a/b/c.log", False, True),
        ("/top.txt", "top.txt", False, True),
        ("/top.txt", "sub/top.txt", False, False),
        ("doc/*.md", "doc/a.md", False, True),
        ("doc/*.md", "doc/sub/a.md", False, False),
        ("doc/**/*.md", "doc/sub/deep/a.md", False, True),
        ("doc/**/*.md", "doc/a.md", False, True),
        ("**/cache", "x/y/cache", True, True),
        ("out/", "out", False, False),
        ("out/", "a/out", True, True),
        ("logs/**", "logs/a/b", False, True),
        ("file?.txt", "file1.txt", False, True),
        ("file?.txt", "file/.txt", False, False),
        ("[ab].py", "b.py", False, True),
        ("[!ab].py", "b.py", False, False),
        ("\\#hash", "#hash", False, True),
        ("trailing\\ ", "trailing ", False, True),
    ],
)
def test_patterns_follow_gitignore_rules(
    pattern: str, path: str, is_dir: bool, matched: bool
) -> None:
    (rule,) = parse_ignore_file(pattern)
    assert rule.matches(path, is_dir=is_dir) is matched


def test_comments_and_blank_lines_are_skipped() -> None:
    assert parse_ignore_file("# a comment\n\n   \n") == []


def test_without_git_gitignore_and_atlasignore_are_honoured(tmp_path: Path) -> None:
    root = write(tmp_path / "project", PROJECT)
    assert snapshot_files(root) == EXPECTED


def test_in_a_git_checkout_git_decides_and_atlasignore_adds(tmp_path: Path) -> None:
    root = write(tmp_path / "project", PROJECT)
    git(root, "init", "-q")
    git(root, "add", "main.py", ".gitignore")
    git(root, "commit", "-q", "-m", "first")
    (root / "main.py").unlink()  # tracked but deleted: not taken
    assert snapshot_files(root) == [p for p in EXPECTED if p != "main.py"]


def test_a_subfolder_of_a_checkout_and_nested_ignore_files(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", {"other.py": "", "app/run.py": "", "app/x.bak": ""})
    write(repo, {"app/.atlasignore": "*.bak\n", "app/deep/.gitignore": "*.out\n"})
    write(repo, {"app/deep/a.out": "", "app/deep/a.py": ""})
    git(repo, "init", "-q")
    files = snapshot_files(repo / "app")
    assert files == [".atlasignore", "deep/.gitignore", "deep/a.py", "run.py"]


def test_a_file_in_an_ignored_folder_cannot_be_re_included(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"a.py": "", "out/x.py": "", ".gitignore": "out/\n!out/x.py\n"})
    assert snapshot_files(root) == [".gitignore", "a.py"]


def test_git_and_atlas_control_folders_are_never_taken(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"a.py": "", ".git/config": "", ".atlas/spec.json": ""})
    write(root, {"sub/.atlas/kept.txt": ""})
    assert snapshot_files(root) == ["a.py", "sub/.atlas/kept.txt"]


def test_identical_folders_give_identical_archives(tmp_path: Path) -> None:
    first = write(tmp_path / "one", PROJECT)
    second = write(tmp_path / "two", dict(reversed(PROJECT.items())))
    os.utime(second / "main.py", (1, 1))
    (second / "main.py").chmod(0o600)
    a = build_snapshot(first, limit_bytes=None, temp_dir=tmp_path)
    b = build_snapshot(second, limit_bytes=None, temp_dir=tmp_path)
    assert a.sha256 == b.sha256
    assert a.path.read_bytes() == b.path.read_bytes()
    assert hashlib.sha256(a.path.read_bytes()).hexdigest() == a.sha256
    assert a.size == a.path.stat().st_size
    assert a.files == len(EXPECTED)
    (second / "main.py").write_text("print('changed')\n")
    c = build_snapshot(second, limit_bytes=None, temp_dir=tmp_path)
    assert c.sha256 != a.sha256


def test_archive_entries_are_sorted_with_fixed_metadata(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"b.py": "b", "a/z.py": "z", "run.sh": "#!/bin/sh\n"})
    (root / "run.sh").chmod(0o775)
    os.symlink("b.py", root / "link.py")
    os.symlink("/etc/passwd", root / "escape")
    snap = build_snapshot(root, limit_bytes=None, temp_dir=tmp_path)
    assert snap.warnings == ("left out escape: a link to somewhere outside the folder",)
    with gzip.open(snap.path) as gz:
        assert gz.read(1)  # a valid gzip stream
    with tarfile.open(snap.path) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["a/z.py", "b.py", "link.py", "run.sh"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    modes = {m.name: m.mode for m in members if m.isfile()}
    assert modes == {"a/z.py": 0o644, "b.py": 0o644, "run.sh": 0o755}
    link = next(m for m in members if m.name == "link.py")
    assert link.issym()
    assert link.linkname == "b.py"
    for member in members:  # nothing unsafe for tarfile's data filter
        assert tarfile.data_filter(member, str(tmp_path / "unpack")) is not None


def test_above_the_limit_the_snapshot_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "weights.bin").write_bytes(os.urandom(300_000))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(PayloadTooLargeError) as caught:
        build_snapshot(root, limit_bytes=100_000, temp_dir=scratch)
    assert "max_snapshot_mb" in caught.value.message
    assert ".atlasignore" in caught.value.message
    assert list(scratch.iterdir()) == []


def test_a_large_snapshot_warns(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "data.bin").write_bytes(os.urandom(5000))
    snap = build_snapshot(root, limit_bytes=None, warn_bytes=1000, temp_dir=tmp_path)
    assert len(snap.warnings) == 1
    assert "is data in it?" in snap.warnings[0]


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a folder"):
        snapshot_files(tmp_path / "missing")


def test_git_state_records_commit_branch_dirty_and_diff(tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {"main.py": "a = 1\n"})
    assert git_state(root) == {}
    git(root, "init", "-q", "-b", "trunk")
    git(root, "add", "main.py")
    git(root, "commit", "-q", "-m", "first")
    clean = git_state(root)
    assert clean["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert clean["branch"] == "trunk"
    assert clean["dirty"] is False
    assert clean["diff"] == ""
    (root / "main.py").write_text("a = 2\n")
    dirty = git_state(root)
    assert dirty["dirty"] is True
    assert "-a = 1" in str(dirty["diff"])
    assert "+a = 2" in str(dirty["diff"])
