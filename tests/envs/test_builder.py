"""Environments built with uv from requirements.txt, cached by hash, offline."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from atlas.envs import EnvBuilder, env_key
from atlas.envs.overlay import overlay_links
from atlas.errors import InvalidInputError
from tests.envs.conftest import MODULE, offline_uv_args

IMPORTS = (
    f"import {MODULE}, atlas, atlas.sdk.client, yaml\nprint({MODULE}.VALUE, atlas.__version__)\n"
)


def _requirements(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "requirements.txt"
    path.write_text(text)
    return path


def _run(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_an_environment_is_built_once_and_reused(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path / "code", "atlas-testpkg==1.0\n")
    output = io.BytesIO()
    builder = EnvBuilder(tmp_path / "envs", output=output, uv_args=offline_uv_args(wheels))
    env = builder.ensure(requirements)
    assert not env.reused
    assert env.path == tmp_path / "envs" / env.key
    log = output.getvalue().decode()
    assert "[atlas] building environment" in log
    assert "atlas-testpkg" in log  # uv's own output goes to the log
    ran = _run(env.python, IMPORTS)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["42", __import__("atlas").__version__]

    again = builder.ensure(_requirements(tmp_path / "other", "atlas-testpkg==1.0\r\n\n"))
    assert again.reused
    assert again.path == env.path
    assert [p.name for p in (tmp_path / "envs").iterdir() if p.name.startswith(".build")] == []


def test_the_server_packages_do_not_leak_into_an_environment(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path / "code", "atlas-testpkg\n")
    builder = EnvBuilder(tmp_path / "envs", output=io.BytesIO(), uv_args=offline_uv_args(wheels))
    env = builder.ensure(requirements)
    ran = _run(env.python, "import sqlalchemy")
    assert ran.returncode != 0
    assert "No module named 'sqlalchemy'" in ran.stderr
    assert "atlas" in overlay_links()


def test_a_failed_build_raises_uvs_message_and_leaves_nothing(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path / "code", "atlas-no-such-package==9.9\n")
    output = io.BytesIO()
    builder = EnvBuilder(tmp_path / "envs", output=output, uv_args=offline_uv_args(wheels))
    with pytest.raises(InvalidInputError, match="building the job's environment failed") as caught:
        builder.ensure(requirements)
    assert "atlas-no-such-package" in caught.value.message
    assert "atlas-no-such-package" in output.getvalue().decode()
    leftovers = [p.name for p in (tmp_path / "envs").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def test_concurrent_builds_of_one_environment_build_it_once(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path / "code", "atlas-testpkg==1.0\n")
    outputs = [io.BytesIO(), io.BytesIO()]
    results: list[Path] = []

    def build(output: io.BytesIO) -> None:
        builder = EnvBuilder(tmp_path / "envs", output=output, uv_args=offline_uv_args(wheels))
        results.append(builder.ensure(requirements).path)

    threads = [threading.Thread(target=build, args=(output,)) for output in outputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2
    assert results[0] == results[1]
    builds = sum(o.getvalue().count(b"[atlas] building environment") for o in outputs)
    assert builds == 1
    assert _run(results[0] / "bin" / "python", IMPORTS).returncode == 0


def test_the_key_follows_the_requirements_and_the_interpreter() -> None:
    key = env_key(b"numpy==2.0\nrequests\n", python=sys.executable)
    assert key == env_key(b"  numpy==2.0\r\nrequests  \n\n", python=sys.executable)
    assert key != env_key(b"numpy==2.1\nrequests\n", python=sys.executable)
    assert key != env_key(b"numpy==2.0\nrequests\n", python="/usr/bin/python3")
    assert key.startswith(f"py{sys.version_info.major}{sys.version_info.minor}-")


def test_relative_paths_and_a_requirements_file_without_packages(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _requirements(tmp_path / "code", "# nothing to install\n")
    builder = EnvBuilder(Path("envs"), output=io.BytesIO(), uv_args=offline_uv_args(wheels))
    env = builder.ensure(Path("code/requirements.txt"))
    assert env.path == tmp_path / "envs" / env.key
    ran = _run(env.python, "import atlas.sdk.client; print('ok')")
    assert ran.stdout.strip() == "ok", ran.stderr
