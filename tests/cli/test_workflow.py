"""A user's path: `atlas init`, run the example against a server, sync what ran offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from atlas.cli.main import cli
from tests.cli.conftest import Invoke, clean_env

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing answers HTTP there


def _init_and_run(folder: Path, *, url: str, home: Path) -> None:
    created = CliRunner().invoke(cli, ["init", str(folder)])
    assert created.exit_code == 0, created.output
    done = subprocess.run(
        [sys.executable, "main.py"],
        cwd=folder,
        env=clean_env(home, ATLAS_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("fitted y = ")


def _only_job(atlas: Invoke, project: str) -> dict[str, object]:
    listing = atlas("jobs", "ls", "-p", project, "--json")
    assert listing.exit_code == 0, listing.output
    (job,) = json.loads(listing.stdout)["items"]
    assert isinstance(job, dict)
    return job


def test_the_init_example_runs_and_is_tracked(
    atlas: Invoke, atlas_server: str, project_name: str, tmp_path: Path
) -> None:
    _init_and_run(tmp_path / project_name, url=atlas_server, home=tmp_path / "home")
    job = _only_job(atlas, project_name)
    assert job["status"] == "completed"
    assert job["params"] == {"samples": 200}
    assert job["metrics"]["loss"]["count"] == 50  # type: ignore[index]
    shown = atlas("jobs", "show", str(job["id"]))
    assert "model.json" in shown.stdout


def test_sync_uploads_what_ran_while_the_server_was_down(
    atlas: Invoke, project_name: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    spool = home / "spool"
    _init_and_run(tmp_path / project_name, url=DEAD_URL, home=home)
    assert len(list(spool.glob("*.spool"))) == 1

    unreachable = CliRunner().invoke(cli, ["--url", DEAD_URL, "sync", "--home", str(home)])
    assert unreachable.exit_code == 3
    assert DEAD_URL in unreachable.stderr
    assert len(list(spool.glob("*.spool"))) == 1, "a failed sync keeps the spool"

    synced = atlas("sync", "--home", str(home))
    assert synced.exit_code == 0, synced.output
    job = _only_job(atlas, project_name)
    assert synced.stdout.startswith(f"Uploaded 1 job from {spool}: ")
    assert "50 metric points" in synced.stdout
    assert synced.stdout.endswith(f"\n  {job['id']}\n")
    assert not list(spool.glob("*.spool"))
    assert job["status"] == "completed"
    assert job["metrics"]["loss"]["count"] == 50  # type: ignore[index]
    assert "model.json" in atlas("jobs", "show", str(job["id"])).stdout

    again = atlas("sync", "--home", str(home))
    assert again.exit_code == 0
    assert again.stdout == f"Nothing to sync: the spool {spool} is empty.\n"
