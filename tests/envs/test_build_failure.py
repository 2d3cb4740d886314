"""The error of a failed environment build: a complete first sentence, never a dangling
colon, with uv's last lines below it (a real failing program stands in for uv)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from atlas.envs import EnvBuilder
from atlas.envs.builder import build_failure
from atlas.errors import InvalidInputError


def fake_uv(tmp_path: Path, script: str) -> str:
    path = tmp_path / "uv"
    path.write_text("#!/bin/sh\n" + script)
    os.chmod(path, 0o755)
    return str(path)


def failed_build(tmp_path: Path, script: str) -> str:
    requirements = tmp_path / "code" / "requirements.txt"
    requirements.parent.mkdir()
    requirements.write_text("numpy\n")
    builder = EnvBuilder(tmp_path / "envs", output=io.BytesIO(), uv=fake_uv(tmp_path, script))
    with pytest.raises(InvalidInputError) as caught:
        builder.ensure(requirements)
    return caught.value.message


def test_a_silent_uv_failure_says_so(tmp_path: Path) -> None:
    message = failed_build(tmp_path, "exit 3\n")
    assert message == (
        "building the job's environment failed: uv venv exited with code 3 and printed nothing"
    )


def test_the_first_line_names_uvs_last_word(tmp_path: Path) -> None:
    script = (
        "echo '  x No solution found when resolving dependencies:'\n"
        "echo '  ╰─▶ Because nothing-here was not found, the requirements are unsatisfiable.'\n"
        "exit 1\n"
    )
    message = failed_build(tmp_path, script)
    first, *rest = message.splitlines()
    assert first == (
        "building the job's environment failed: uv venv exited with code 1: Because "
        "nothing-here was not found, the requirements are unsatisfiable."
    )
    assert rest[0] == "uv's last lines:"
    assert "No solution found" in rest[1]


def test_no_line_of_the_message_hangs_on_a_colon() -> None:
    message = build_failure("pip", 2, ["", "error: cannot reach the index:", "  "])
    assert not message.splitlines()[0].endswith(":")
    assert message.splitlines()[0].endswith("error: cannot reach the index")
