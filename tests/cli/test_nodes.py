"""`atlas nodes ls` against a real `atlas server` whose machine has labels, two (configured)
GPUs and four CPU slots: the node with what a running job holds on it, as a table and as
JSON; and the table's rendering of a cluster's nodes, a dead one among them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.cli.nodes import nodes_table
from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.sdk.client import Client
from atlas.sdk.scheduling import parse_scheduler_state
from tests.cli.conftest import Invoke, running_server

DEADLINE_S = 60.0
SERVER_ENV = {"ATLAS_GPUS": "0,1", "ATLAS_CPUS": "4", "ATLAS_LABELS": "gpu_type=a100,zone=b"}

HOLD = """\
import pathlib, time
import atlas

release = pathlib.Path(atlas.load_parameters(log=False)["release"])
deadline = time.time() + 60
while not release.exists() and time.time() < deadline:
    time.sleep(0.05)
"""


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("nodes-server"), env=SERVER_ENV) as server:
        yield server.url


@pytest.fixture
def client(atlas_server: str) -> Iterator[Client]:
    with Client(atlas_server, token="", timeout=10.0) as api:
        yield api


def wait_for_status(client: Client, job_id: str, wanted: set[JobStatus]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if client.get_job(job_id).status in wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {wanted}: {client.get_job(job_id)}")


def submit_holding(atlas: Invoke, tmp_path: Path, project: str, *flags: str) -> tuple[str, Path]:
    root = tmp_path / "code"
    root.mkdir()
    (root / "hold.py").write_text(HOLD)
    release = tmp_path / "release"
    line = ["submit", "-p", project, "--no-follow", "--env", "none", "--param"]
    result = atlas(*line, f"release={release}", *flags, str(root), "python", "hold.py")
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1], release


def test_an_idle_machine_is_one_node_with_its_labels(atlas: Invoke) -> None:
    result = atlas("nodes", "ls")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == [
        "NODE", "STATE", "ADDRESS", "LABELS", "CPUS", "MEMORY", "GPUS", "RUNNING", "ID"
    ]  # fmt: skip
    assert len(rows) == 1
    cells = rows[0].split()
    assert cells[1] == "alive"
    assert cells[-1] == "local"
    assert "gpu_type=a100,zone=b" in cells
    assert "0/4" in cells
    assert cells[-4:] == ["0:free", "1:free", "-", "local"]


def test_a_running_job_shows_on_its_node_with_the_gpu_it_holds(
    atlas: Invoke, tmp_path: Path, project_name: str, client: Client
) -> None:
    job_id, release = submit_holding(
        atlas, tmp_path, project_name, "--gpus", "1", "--cpus", "2", "--label", "zone=b"
    )
    try:
        wait_for_status(client, job_id, {JobStatus.RUNNING})
        table = atlas("nodes", "ls")
        assert table.exit_code == 0, table.output
        row = table.stdout.splitlines()[1]
        assert "2/4" in row.split()
        assert f"0:{job_id} 1:free" in row
        assert row.split()[-2:] == [job_id, "local"]

        as_json = atlas("nodes", "ls", "--json")
        assert as_json.exit_code == 0, as_json.output
        (node,) = json.loads(as_json.stdout)["nodes"]
        assert node["id"] == "local"
        assert node["alive"] is True
        assert node["labels"] == {"gpu_type": "a100", "zone": "b"}
        assert node["cpus"] == {"total": 4, "used": 2}
        assert node["memory"]["total"] > 0
        assert [(g["index"], g["job_id"]) for g in node["gpus"]] == [(0, job_id), (1, None)]
        assert node["running"] == [job_id]

        shown = atlas("jobs", "show", job_id)
        assert shown.exit_code == 0, shown.output
        assert "  labels:    zone=b\n" in shown.stdout
        assert "  node:" not in shown.stdout  # the server's own machine: no node to name
    finally:
        release.write_text("go")
    wait_for_status(client, job_id, set(FINAL_STATUSES))
    assert client.get_job(job_id).status is JobStatus.COMPLETED


CLUSTER = {
    "nodes": [
        {
            "id": "a" * 56,
            "name": "gpu-box-1",
            "address": "10.0.0.11",
            "alive": True,
            "labels": {"gpu_type": "a100"},
            "cpus": {"total": 32, "used": 4},
            "memory": {"total": 256 * 1024**3, "used": 16 * 1024**3},
            "gpus": [
                {"index": 0, "name": "A100", "memory_total": 80 * 1024**3, "job_id": "job0"},
                {"index": 1, "name": "A100", "memory_total": 80 * 1024**3, "job_id": None},
                # held by a job of a project the caller may not read
                {"index": 2, "name": "A100", "memory_total": None, "job_id": None, "held": True},
            ],
            "running": ["job0", "job1"],
        },
        {
            "id": "b" * 56,
            "name": "bbbbbbbbbbbb",
            "address": "",
            "alive": False,
            "labels": {},
            "cpus": {"total": 0, "used": 1},
            "memory": {"total": 0, "used": 0},
            "gpus": [],
            "running": ["job2"],
        },
    ]
}


def test_the_table_shows_each_node_of_a_cluster_and_marks_a_dead_one() -> None:
    state = parse_scheduler_state(CLUSTER)
    alive, dead = nodes_table(state.nodes).splitlines()[1:]
    # a Ray node id has 56 characters: the table shows its start, --json all of it
    assert alive.split() == [
        "gpu-box-1", "alive", "10.0.0.11", "gpu_type=a100", "4/32", "16.0", "GiB/256.0",
        "GiB", "0:job0", "1:free", "2:held", "job0,job1", "a" * 12,
    ]  # fmt: skip
    assert dead.split() == [
        "bbbbbbbbbbbb", "dead", "-", "-", "1/-", "0", "B/-", "-", "job2", "b" * 12,
    ]  # fmt: skip
