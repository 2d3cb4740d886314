"""`atlas nodes ls` and `atlas jobs show` against a real `atlas server --executor ray` on a
real multi-node Ray cluster on loopback: every node listed, and a running job on the node it
was placed on, holding one of that node's GPUs."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke, running_server
from tests.ray_cluster import RayCluster, ray_cluster  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.ray, pytest.mark.slow]

DEADLINE_S = 90.0

HOLD = """\
import pathlib, sys, time
release = pathlib.Path(sys.argv[1])
deadline = time.time() + 90
while not release.exists() and time.time() < deadline:
    time.sleep(0.05)
"""


@pytest.fixture(scope="module")
def atlas_server(
    tmp_path_factory: pytest.TempPathFactory,
    ray_cluster: RayCluster,  # noqa: F811
) -> Iterator[str]:
    env = {"ATLAS_EXECUTOR": "ray", "ATLAS_RAY_ADDRESS": ray_cluster.address}
    with running_server(tmp_path_factory.mktemp("ray-nodes-server"), env=env) as server:
        yield server.url


def wait_for_status(client: Client, job_id: str, wanted: set[JobStatus]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if client.get_job(job_id).status in wanted:
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {wanted}: {client.get_job(job_id)}")


def test_every_node_is_listed_and_a_job_shows_on_its_node(
    atlas: Invoke,
    atlas_server: str,
    tmp_path: Path,
    project_name: str,
    ray_cluster: RayCluster,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    live = ray_cluster.node_ids()
    listed = json.loads(atlas("nodes", "ls", "--json").stdout)["nodes"]
    assert {node["id"] for node in listed if node["alive"]} == live
    assert all(node["address"] == "127.0.0.1" for node in listed)

    root = tmp_path / "code"
    root.mkdir()
    (root / "hold.py").write_text(HOLD)
    release = tmp_path / "release"
    flags = ["-p", project_name, "--no-follow", "--env", "none", "--gpus", "1"]
    submitted = atlas("submit", *flags, str(root), sys.executable, "hold.py", str(release))
    assert submitted.exit_code == 0, submitted.output
    job_id = submitted.stdout.strip().splitlines()[-1]
    with Client(atlas_server, token="", timeout=10.0) as client:
        try:
            wait_for_status(client, job_id, {JobStatus.RUNNING})
            node_id = str(client.get_job(job_id).resources["node"])
            assert node_id in live

            shown = atlas("jobs", "show", job_id)
            assert shown.exit_code == 0, shown.output
            assert f"  node:      {node_id}\n" in shown.stdout

            table = atlas("nodes", "ls")
            assert table.exit_code == 0, table.output
            rows = {line.split()[-1]: line for line in table.stdout.splitlines()[1:]}
            assert set(rows) == {node[:12] for node in live} | {
                node["id"][:12] for node in listed if not node["alive"]
            }
            row = rows[node_id[:12]]
            assert " alive " in row
            assert f":{job_id}" in row  # one of its GPUs, held by the job
            assert row.split()[-2] == job_id  # running there
            others = [line for key, line in rows.items() if key != node_id[:12]]
            assert all(job_id not in line for line in others)
        finally:
            release.write_text("go")
        wait_for_status(client, job_id, set(FINAL_STATUSES))
        assert client.get_job(job_id).status is JobStatus.COMPLETED
