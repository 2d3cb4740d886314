"""``atlas tensorboard``: TensorBoard over jobs, started by a real server, its address
printed; listed and stopped."""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.sdk.client import Client
from tests.tbevents.conftest import atlas_server, isolated_env
from tests.tbevents.writers import simple, write_events

__all__ = ["atlas_server", "isolated_env"]  # the fixtures, imported for pytest


def test_open_list_and_stop(atlas_server: str, tmp_path: Path) -> None:
    folder = tmp_path
    with Client(atlas_server, token="") as client:
        job = client.create_job("cli-tb", name="baseline").id
        path = write_events(folder / "logs", [(s, [simple("loss", s)]) for s in range(3)])
        client.append_artifact(job, f"tensorboard/{path.name}", path.read_bytes(), offset=0)

    runner = CliRunner()
    opened = runner.invoke(cli, ["--url", atlas_server, "tensorboard", job])
    assert opened.exit_code == 0, opened.output
    url = opened.stdout.strip()
    assert url.startswith(f"{atlas_server}/tensorboard/")
    assert f"baseline-{job[:8]}  ({job})" in opened.stderr
    assert "(started)" in opened.stderr
    assert httpx.get(url + "data/runs", timeout=30).status_code == 200

    again = runner.invoke(cli, ["--url", atlas_server, "tensorboard", job])
    assert again.stdout.strip() == url
    assert "(running)" in again.stderr

    listed = runner.invoke(cli, ["--url", atlas_server, "tensorboard", "--list"])
    tensorboard_id = url.rstrip("/").rsplit("/", 1)[-1]
    assert listed.stdout.startswith(f"{tensorboard_id}  {url}")
    stopped = runner.invoke(cli, ["--url", atlas_server, "tensorboard", "--stop", tensorboard_id])
    assert stopped.exit_code == 0, stopped.output
    assert httpx.get(url, timeout=30).status_code == 404

    unknown = runner.invoke(cli, ["--url", atlas_server, "tensorboard", "0123456789abcdef"])
    assert unknown.exit_code == 1
    assert "not found" in unknown.stderr
    assert runner.invoke(cli, ["--url", atlas_server, "tensorboard"]).exit_code == 2
