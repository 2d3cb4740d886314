"""`atlas init NAME`: a new project folder with a working example."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml
from click.testing import CliRunner

from atlas.cli.main import cli

EXPECTED = ["main.py", "job.config.yaml", "requirements.txt", ".atlasignore", "README.md"]


def test_init_writes_a_complete_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "my-project"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "my-project"
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPECTED)
    assert "Created project 'my-project'" in result.output
    config = yaml.safe_load((folder / "job.config.yaml").read_text())
    assert config == {
        "project_name": "my-project",
        "entrypoint": "main.py",
        "params": {"learning_rate": 0.1, "epochs": 50, "seed": 0},
        "num_gpus": 0,
        "log_level": "INFO",
    }
    source = (folder / "main.py").read_text()
    called = {
        node.func.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert {"load_parameters", "log_param", "log_metric", "save_artifact"} <= called
    assert "__pycache__/" in (folder / ".atlasignore").read_text()
    assert "# my-project" in (folder / "README.md").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_init_names_the_project_after_the_folder_unless_told(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "nested/dir/exp", "--project", "Vision 2026"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "nested/dir/exp/job.config.yaml").read_text())
    assert config["project_name"] == "Vision 2026"


def test_init_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["init", "empty"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty" / "main.py").is_file()


def test_init_refuses_to_overwrite_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "main.py").write_text("mine = True\n")
    result = CliRunner().invoke(cli, ["init", "taken"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {folder} exists and is not empty; choose another name\n"
    assert (folder / "main.py").read_text() == "mine = True\n"
    assert [p.name for p in folder.iterdir()] == ["main.py"]


def test_init_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["init", "notes.txt"])
    assert result.exit_code == 1
    assert "exists and is not a folder" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_init_refuses_a_name_that_is_no_project_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", ".hidden"])
    assert result.exit_code == 1
    assert "invalid project name '.hidden'" in result.stderr
    assert not (tmp_path / ".hidden").exists()
