"""The README quickstart works as written: its script, then its CLI commands and Client calls."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Invoke, clean_env

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_names_the_two_commands() -> None:
    bash = "\n".join(_blocks("bash"))
    assert "make run" in bash
    assert "make test" in bash


def test_quickstart_script_is_tracked_and_listed(
    atlas_server: str, atlas: Invoke, tmp_path: Path
) -> None:
    script = next(block for block in _blocks("python") if "# train.py" in block)
    folder = tmp_path / "quickstart-demo"
    folder.mkdir()
    (folder / "train.py").write_text(script)
    env = clean_env(tmp_path / "home", ATLAS_URL=atlas_server)
    run = subprocess.run(
        [sys.executable, "train.py"], cwd=folder, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "training finished" in run.stdout

    listed = atlas("projects", "ls")
    assert listed.exit_code == 0, listed.output
    assert "quickstart-demo" in listed.output

    jobs = atlas(
        "jobs",
        "ls",
        "--project",
        "quickstart-demo",
        "--filter",
        "params.lr < 0.1",
        "--sort=-metrics.loss.min",
        "--json",
    )
    assert jobs.exit_code == 0, jobs.output
    [job] = json.loads(jobs.output)["items"]
    assert job["status"] == "completed"
    assert job["params"]["model.layers"] == 3
    assert job["tags"] == {"stage": "baseline"}
    assert job["metrics"]["loss"]["count"] == 100

    shown = atlas("jobs", "show", job["id"])
    assert shown.exit_code == 0, shown.output
    assert "summary.txt" in shown.output
    assert "loss" in shown.output

    import pandas as pd

    import atlas as sdk

    with sdk.Client(atlas_server) as client:
        frame = client.get_metrics_for_all_jobs("quickstart-demo")
        series = client.get_metric(job["id"], "loss", max_points=1000)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["job_id"]) == [job["id"]]
    assert series.values[0] == 1.0
    assert len(series.values) == 100


def test_submit_snippet_runs_jobs_on_the_scheduler(
    atlas_server: str, atlas: Invoke, tmp_path: Path
) -> None:
    created = atlas("init", "mnist")
    assert created.exit_code == 0, created.output
    snippet = next(block for block in _blocks("python") if "atlas.submit(" in block)
    (tmp_path / "sweep.py").write_text(snippet)
    env = clean_env(tmp_path / "home", ATLAS_URL=atlas_server)
    run = subprocess.run(
        [sys.executable, "sweep.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    assert all(" completed " in line for line in lines), run.stdout


def test_the_params_given_to_the_template_are_those_its_main_py_reads() -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "atlas" / "cli" / "templates"
    read = set(re.findall(r'params\.get\("(\w+)"', (templates / "main.py.tmpl").read_text()))
    first_example = re.search(
        r"```\n(.*?)```", (README.parent / "docs" / "jobs.md").read_text(), re.S
    )
    assert first_example is not None
    for text in (README.read_text(), first_example[1]):
        given = set(re.findall(r"--param (\w+)=", text)) | set(
            re.findall(r'params=\{"(\w+)"', text)
        )
        assert given, text[:200]
        assert given <= read, (given, read)
