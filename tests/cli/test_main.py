"""The `atlas` group: version, global options, exit codes and the documentation of it all."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.version import __version__
from tests.cli.conftest import clean_env

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def _commands(group: click.Group, prefix: str = "atlas") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"atlas, version {__version__}\n"


def test_the_console_script_and_python_m_atlas_both_run(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("atlas")
    for argv in ([str(script), "--version"], [sys.executable, "-m", "atlas", "--version"]):
        done = subprocess.run(
            argv, env=clean_env(tmp_path), capture_output=True, text=True, timeout=60
        )
        assert (done.returncode, done.stdout) == (0, f"atlas, version {__version__}\n")


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A URL where nothing listens: a bound socket that never accepts refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(
    "args", [["projects", "ls"], ["jobs", "ls", "-p", "x"], ["jobs", "show", "0" * 16]]
)
def test_no_server_exits_with_3_naming_the_url_and_how_to_start_one(
    dead_url: str, args: list[str]
) -> None:
    result = CliRunner().invoke(cli, ["--url", dead_url, *args])
    assert result.exit_code == 3, result.output
    first, hint = result.stderr.splitlines()
    assert first.startswith("error: no Atlas server answered")
    assert dead_url in first
    assert hint == (
        "Start a server with `atlas server`, or point the CLI at yours with --url or ATLAS_URL."
    )


def test_the_url_comes_from_the_environment_when_not_given(
    dead_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_URL", dead_url)
    result = CliRunner().invoke(cli, ["projects", "ls"])
    assert result.exit_code == 3
    assert dead_url in result.stderr


def test_a_bad_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_TIMEOUT", "soon")
    result = CliRunner().invoke(cli, ["projects", "ls"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: setting timeout from environment: 'soon' is not a valid float\n"
    )


def test_every_command_and_option_is_documented() -> None:
    docs = DOCS.read_text()
    missing = []
    for path, command in _commands(cli):
        if f"`{path}" not in docs and f"## {path}" not in docs:
            missing.append(path)
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option not in docs:
                    missing.append(f"{path} {option}")
    for param in cli.params:
        for option in getattr(param, "opts", []):
            if option.startswith("--") and option not in docs:
                missing.append(f"atlas {option}")
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_every_exit_code_is_documented() -> None:
    docs = DOCS.read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in docs
