"""`atlas submit` refuses a misspelt or misplaced Atlas option before anything is sent, and
warns when the command's own arguments look like Atlas options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.main import cli

UNREACHABLE = "http://127.0.0.1:9"  # a refused connection: exit code 3 once a request goes


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "main.py").write_text("print('hi')\n")
    return root


def submit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--url", UNREACHABLE, "submit", "--no-follow", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu", "1", "{folder}", "main.py"], "no such option: --gpu (did you mean --gpus?)"),
        (
            ["--parm", "lr=1", "{folder}", "main.py"],
            "no such option: --parm (did you mean --param?)",
        ),
        (["--bogus", "{folder}", "main.py"], "no such option: --bogus\n"),
        (["{folder}", "--gpus", "1", "main.py"], "--gpus comes after the folder or the command"),
        (["{folder}", "-p", "x", "main.py"], "-p comes after the folder or the command"),
    ],
)
def test_a_bad_option_before_the_command_is_refused_before_anything_is_sent(
    folder: Path, args: list[str], message: str
) -> None:
    code, _, err = submit(*(a.format(folder=folder) for a in args))
    assert code == 2, err  # a usage error: nothing reached the (absent) server
    assert message in err


def test_atlas_looking_arguments_of_the_command_are_warned_about(folder: Path) -> None:
    code, _, err = submit(str(folder), "main.py", "--gpu", "1", "--param=lr=0.1", "--lr", "3")
    assert code == 3  # still submitted: the arguments are the script's
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: --gpu goes to main.py as its own argument, not to Atlas; to give it to "
        "Atlas, put it before the folder and the command: atlas submit --gpus 1 DIR COMMAND "
        "(write `--` before the command to silence this warning)",
        "warning: --param goes to main.py as its own argument, not to Atlas; to give it to "
        "Atlas, put it before the folder and the command: atlas submit --param lr=0.1 DIR "
        "COMMAND (write `--` before the command to silence this warning)",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--gpus", "0", "--", "{folder}", "python", "main.py", "--param", "x"],
        ["{folder}", "--", "python", "main.py", "--gpus", "1"],
    ],
)
def test_a_double_dash_keeps_the_command_as_given(folder: Path, args: list[str]) -> None:
    code, _, err = submit(*(a.format(folder=folder) for a in args))
    assert code == 3, err  # the request went (to no server), the command unchanged
    assert "warning:" not in err
    assert "no Atlas server answered" in err
