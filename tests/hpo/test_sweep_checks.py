"""What POST /sweeps checks before it writes anything (the caller's role first, then the
spec, then a trial's job as the scheduler would queue it), and the fields the GUI reads."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from atlas.domain import Role
from tests.server.auth_fixtures import (
    add_user,
    auth_client,
    bearer,
    mint_token,
    store_of,
    team_db_url,
)
from tests.server.conftest import API, TestClient, assert_error

__all__ = ["team_db_url"]  # the fixture, imported for pytest

SPEC: dict[str, Any] = {
    "command": ["sleep", "60"],
    "objective": "loss",
    "space": {"lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True}},
}


def post(client: TestClient, spec: dict[str, Any], **body: Any) -> Any:
    return client.post(f"{API}/sweeps", json={"project": "hpo", "spec": spec, **body})


def fields(answer: Any) -> dict[str, str]:
    error = assert_error(answer, 422, "invalid_input")
    return {item["field"]: item["message"] for item in error["detail"]["errors"]}  # type: ignore[index]


def test_a_huge_grid_is_refused_at_once_with_its_path(client: TestClient) -> None:
    huge = {
        **SPEC,
        "sampler": "grid",
        "space": {"n": {"type": "int", "low": 0, "high": 10**12}},
    }
    started = time.monotonic()
    found = fields(post(client, huge))
    assert "more than the 100000 a sweep may have" in found["space"]
    wide = {f"c{i}": {"type": "categorical", "choices": list(range(1000))} for i in range(6)}
    assert "space" in fields(post(client, {**SPEC, "sampler": "grid", "space": wide}))
    assert time.monotonic() - started < 5  # no grid was built
    assert client.get(f"{API}/projects/hpo").status_code == 404


def test_choices_optuna_confuses_and_values_a_job_refuses_are_refused_with_their_path(
    client: TestClient,
) -> None:
    same = {**SPEC, "space": {"flag": {"type": "categorical", "choices": [True, 1]}}}
    message = fields(post(client, same))["space.flag.choices.1"]
    assert "1 equals the earlier choice true" in message
    zero = {**SPEC, "space": {"flag": {"type": "categorical", "choices": [0, False]}}}
    assert "space.flag.choices.1" in fields(post(client, zero))
    long = {**SPEC, "space": {"s": {"type": "categorical", "choices": ["a", "x" * 70_000]}}}
    assert "over 65536 characters" in fields(post(client, long))["space.s.choices.1"]
    bad_key = {**SPEC, "space": None, "params": [{"a\nb": 1}]}
    assert "control characters" in fields(post(client, bad_key))["params.0.a\nb"]
    assert client.get(f"{API}/projects/hpo").status_code == 404


def test_an_image_without_a_container_engine_is_refused_and_no_project_is_left(
    client: TestClient,
) -> None:
    answer = post(client, {**SPEC, "image": "python:3.11"})
    assert "image" in fields(answer)
    assert assert_error(
        post(client, {**SPEC, "resources": {"cpus": 10**5}}), 422, "resource_unavailable"
    )
    assert client.get(f"{API}/projects/hpo").status_code == 404  # nothing was created


def test_a_long_name_gives_trial_jobs_valid_names(client: TestClient) -> None:
    made = post(client, {**SPEC, "name": "n" * 500, "trials": 1})
    assert made.status_code == 201, made.text
    sweep = made.json()
    url = f"{API}/sweeps/{sweep['id']}"
    deadline = time.monotonic() + 20
    while not (trials := client.get(f"{url}/trials").json()["items"]):
        assert time.monotonic() < deadline, client.get(url).json()
        time.sleep(0.02)
    job = client.get(f"{API}/jobs/{trials[0]['job_id']}").json()
    assert job["name"] == "n" * 498 + "-0"
    assert job["sweep_trial"] == 0  # the job page needs not read every trial
    client.post(f"{url}/stop")


def test_the_fields_the_gui_reads(client: TestClient) -> None:
    made = post(client, {**SPEC, "trials": 2}).json()
    assert (made["addable"], made["snapshot"]) == (True, None)
    url = f"{API}/sweeps/{made['id']}"
    deadline = time.monotonic() + 20
    while not (trials := client.get(f"{url}/trials").json()["items"]):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert trials[0]["created_at"] is not None
    client.post(f"{url}/stop")
    listed = client.get(f"{API}/projects/hpo/sweeps").json()["items"]
    assert [(item["id"], item["addable"], item["best"]) for item in listed] == [
        (made["id"], True, [])
    ]
    grid = {**SPEC, "sampler": "grid", "space": {"n": {"type": "int", "low": 1, "high": 2}}}
    fixed = post(client, grid).json()
    assert fixed["addable"] is False
    client.post(f"{API}/sweeps/{fixed['id']}/stop")
    plain = client.get(f"{API}/jobs/{trials[0]['job_id']}").json()
    assert plain["sweep_trial"] == 0
    listed_jobs = client.get(f"{API}/projects/hpo/jobs").json()["items"]
    assert all(job["sweep_trial"] is None for job in listed_jobs)  # only GET /jobs/{id}


def test_a_viewer_is_refused_before_the_spec_is_looked_at(tmp_path: Path, team_db_url: str) -> None:
    with auth_client(tmp_path / "home", team_db_url) as client:
        store = store_of(client)
        add_user(store, "ada")
        add_user(store, "bob")
        store.create_project("hpo", owner="ada")
        store.set_member("hpo", "bob", Role.VIEWER)
        bob = bearer(mint_token(store, "bob"))
        huge = {
            **SPEC,
            "sampler": "grid",
            "space": {"n": {"type": "int", "low": 0, "high": 10**12}},
        }
        body = {"project": "hpo", "spec": huge}
        assert_error(client.post(f"{API}/sweeps", json=body, headers=bob), 403, "permission_denied")
        # a person naming a new project gets the spec's problems, and no project
        body = {"project": "fresh", "spec": huge}
        assert_error(client.post(f"{API}/sweeps", json=body, headers=bob), 422, "invalid_input")
        assert store.list_sweeps("hpo") == []
        assert "fresh" not in {project.name for project in store.list_projects()}
        made = client.post(
            f"{API}/sweeps", json={"project": "fresh", "spec": {**SPEC, "trials": 1}}, headers=bob
        )
        assert made.status_code == 201, made.text
        client.post(f"{API}/sweeps/{made.json()['id']}/stop", headers=bob)
