"""Node labels through the API: the server's machine carries the ``labels`` setting, a
submission asks for labels, the scheduler view lists the node with what it holds, and a
label no node has is refused at submit with a clear 4xx."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.settings import Settings
from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for
from tests.server.test_submissions import submit, wait_status


@pytest.fixture
def api(tmp_path: Path, migrated_db: Path) -> Iterator[TestClient]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    settings: Settings = settings_for(home, gpus="0,1", cpus=2, labels="gpu_type=a100,zone=b")
    with make_client(settings) as client:
        yield client


def test_a_job_asking_for_the_machines_label_runs_and_the_view_lists_the_node(
    api: TestClient,
) -> None:
    job = submit(
        api,
        command=f"{sys.executable} -c pass",
        resources={"cpus": 1, "gpus": 1, "labels": {"gpu_type": "a100"}},
    )
    done = wait_status(api, job["id"], "completed", "failed")
    assert done["status"] == "completed"
    assert done["resources"]["labels"] == {"gpu_type": "a100"}
    assert "node" not in done["resources"]  # the server's own machine
    view = api.get(f"{API}/scheduler").json()
    [local] = view["nodes"]
    assert local["id"] == "local"
    assert local["alive"] is True
    assert local["labels"] == {"gpu_type": "a100", "zone": "b"}
    assert local["cpus"] == {"total": 2, "used": 0}
    assert [gpu["index"] for gpu in local["gpus"]] == [0, 1]


def test_a_label_the_node_lacks_is_refused_naming_the_labels_there(api: TestClient) -> None:
    response = api.post(
        f"{API}/submissions",
        json={
            "project": "vision",
            "command": [sys.executable, "-c", "pass"],
            "resources": {"labels": {"gpu_type": "h100"}},
        },
    )
    body = assert_error(response, 422, "resource_unavailable")
    assert "gpu_type=h100" in str(body["message"])
    assert "gpu_type=a100" in str(body["message"])
    bad = api.post(
        f"{API}/submissions",
        json={
            "project": "vision",
            "command": ["true"],
            "resources": {"labels": {"gpu type": "a100"}},
        },
    )
    assert bad.status_code == 422
