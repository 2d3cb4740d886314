"""The sweeps API's answers to bad input: a stable code and a clear message, nothing
written, never a 500."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from atlas.domain import JobKind
from atlas.sdk.client import Client
from tests.server.conftest import API, TestClient, assert_error

SPEC: dict[str, Any] = {
    "command": ["sleep", "60"],
    "objective": {"metric": "loss"},
    "space": {"lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True}},
}


def post(client: TestClient, spec: dict[str, Any], **body: Any) -> Any:
    return client.post(f"{API}/sweeps", json={"project": "hpo", "spec": spec, **body})


def test_an_unknown_key_is_refused_with_its_path_and_nothing_is_written(
    client: TestClient,
) -> None:
    bad = {**SPEC, "space": {"lr": {"type": "float", "low": 0.1, "hgih": 1.0}}}
    error = assert_error(post(client, bad), 422, "invalid_input")
    fields = {item["field"]: item["message"] for item in error["detail"]["errors"]}  # type: ignore[index]
    assert fields["space.lr.hgih"].startswith("space.lr.hgih: unknown key")
    assert "space.lr.high" in fields  # the missing key, in the same answer
    assert "space.lr.hgih: unknown key" in str(error["message"])
    assert client.get(f"{API}/projects/hpo").status_code == 404


def test_the_gp_sampler_without_torch_tells_what_to_install(client: TestClient) -> None:
    error = assert_error(post(client, {**SPEC, "sampler": "gp"}), 422, "missing_extra")
    assert "pip install 'atlas-ml[gp]'" in str(error["message"])
    assert error["detail"]["extra"] == "gp"  # type: ignore[index]


def test_a_snapshot_not_uploaded_and_resources_no_node_has_are_refused(
    client: TestClient,
) -> None:
    missing = hashlib.sha256(b"never sent").hexdigest()
    assert_error(post(client, SPEC, snapshot=missing), 404, "not_found")
    huge = {**SPEC, "resources": {"cpus": 100000}}
    assert_error(post(client, huge), 422, "resource_unavailable")
    assert_error(post(client, {**SPEC, "labels": {"zone": "mars"}}), 422, "resource_unavailable")


def test_unknown_sweeps_are_not_found(client: TestClient) -> None:
    for path in ("0123456789abcdef", "not-an-id", "0123456789abcdef/trials"):
        assert_error(client.get(f"{API}/sweeps/{path}"), 404, "not_found")
    assert_error(client.post(f"{API}/sweeps/0123456789abcdef/stop"), 404, "not_found")
    assert_error(client.get(f"{API}/projects/nowhere/sweeps"), 404, "not_found")


def test_a_sweep_is_listed_stopped_resumed_and_given_more_trials(client: TestClient) -> None:
    made = post(client, {**SPEC, "name": "lr-search", "trials": 3})
    assert made.status_code == 201, made.text
    sweep = made.json()
    assert (sweep["name"], sweep["status"], sweep["trials"], sweep["best"]) == (
        "lr-search", "running", 3, [],
    )  # fmt: skip
    assert sweep["spec"]["objective"] == [
        {"metric": "loss", "direction": "minimize", "summary": "last"}
    ]
    listed = client.get(f"{API}/projects/hpo/sweeps").json()["items"]
    assert [item["id"] for item in listed] == [sweep["id"]]
    url = f"{API}/sweeps/{sweep['id']}"
    deadline = time.monotonic() + 20
    while not client.get(f"{url}/trials").json()["items"]:  # the controller's first tick
        assert time.monotonic() < deadline
        time.sleep(0.02)
    stopped = client.post(f"{url}/stop").json()
    assert stopped["status"] == "stopped"
    assert stopped["finished_at"] is not None
    more = client.post(f"{url}/trials", json={"count": 2}).json()
    assert (more["trials"], more["status"]) == (5, "stopped")
    assert_error(client.post(f"{url}/trials", json={"count": 0}), 422, "invalid_input")
    assert_error(client.post(f"{url}/trials", json={"count": 10**6}), 422, "invalid_input")
    resumed = client.post(f"{url}/resume").json()
    assert (resumed["status"], resumed["finished_at"]) == ("running", None)
    importances = client.get(f"{url}/importances").json()
    assert importances == {"items": [], "reason": "fewer than 2 complete trials"}
    assert_error(client.get(f"{url}/importances?objective=1"), 422, "invalid_input")
    client.post(f"{url}/stop")
    trials = client.get(f"{url}/trials").json()["items"]
    jobs = client.get(
        f"{API}/projects/hpo/jobs", params={"filter": f'sweep = "{sweep["id"]}"'}
    ).json()
    assert {job["id"] for job in jobs["items"]} == {t["job_id"] for t in trials}
    assert all(job["sweep_id"] == sweep["id"] for job in jobs["items"])
    assert all(job["kind"] == "sweep-trial" for job in jobs["items"])
    assert jobs["items"]
    rerun = client.post(f"{API}/jobs/{trials[0]['job_id']}/rerun", json={})
    assert f"a trial of sweep {sweep['id']}" in str(assert_error(rerun, 409, "conflict")["message"])
    job = Client(http=client).get_job(trials[0]["job_id"])  # the SDK reads the field too
    assert (job.sweep_id, job.spec.sweep_id, job.kind) == (
        sweep["id"], sweep["id"], JobKind.SWEEP_TRIAL,
    )  # fmt: skip


def test_a_grid_takes_no_more_trials_than_its_points(client: TestClient) -> None:
    grid = {**SPEC, "sampler": "grid", "space": {"n": {"type": "int", "low": 1, "high": 2}}}
    made = post(client, grid)
    assert made.status_code == 201, made.text
    assert made.json()["trials"] == 2
    client.post(f"{API}/sweeps/{made.json()['id']}/stop")
    answer = client.post(f"{API}/sweeps/{made.json()['id']}/trials", json={"count": 1})
    assert_error(answer, 409, "conflict")


def test_deleting_the_project_deletes_its_sweeps(client: TestClient) -> None:
    made = post(client, {**SPEC, "trials": 1})
    assert made.status_code == 201, made.text
    client.post(f"{API}/sweeps/{made.json()['id']}/stop")
    assert client.delete(f"{API}/projects/hpo").status_code in (200, 204)
    assert_error(client.get(f"{API}/sweeps/{made.json()['id']}"), 404, "not_found")
    assert_error(client.get(f"{API}/sweeps/{made.json()['id']}/trials"), 404, "not_found")
