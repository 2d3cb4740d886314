"""One job description through every layer: a submission's ``JobSpec`` survives the store,
the wire, the SDK's parsing, a rerun and the hand-over to the executor, field by field.

The spec below sets every field of ``JobSpec`` to a value other than its default, and the
test compares them generically (``dataclasses.fields``): a field added to ``JobSpec`` that
this test does not set, or that a layer forgets, fails here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
import warnings

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.sdk.client import Client
from tests.server.conftest import API, assert_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOT_SENT_BY_A_SUBMISSION = {"environment", "image", "sweep_id"}
"""Fields a submission does not carry: a scheduled job records its environment as it runs;
an image needs a container engine, which this server has not (test_an_image_is_refused_...);
only a sweep's controller sets ``sweep_id`` (tests/hpo follows it through a trial)."""


def _snapshot(client: TestClient) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"import time\ntime.sleep(60)\n"
        info = tarfile.TarInfo("main.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    body = buffer.getvalue()
    sha = hashlib.sha256(body).hexdigest()
    assert client.put(f"{API}/snapshots/{sha}", content=body).status_code == 201
    return sha


def _full_submission(client: TestClient) -> dict[str, object]:
    parent = client.post(f"{API}/jobs", json={"project": "spec"}).json()["id"]
    earlier = client.post(f"{API}/jobs", json={"project": "spec"}).json()["id"]
    return {
        "project": "spec",
        "command": ["python", "main.py", "--depth", "3 4"],
        "name": "every-field",
        "user": "ada",
        "snapshot": _snapshot(client),
        "params": {"lr": 0.1, "model": {"layers": 3}},
        "tags": {"stage": "dev"},
        "resources": {"cpus": 1, "gpus": 0, "memory": 1 << 20},
        "priority": 7,
        "timeout": 3600.0,
        "env": "none",
        "git": {"commit": "abc123", "dirty": True},
        "parent_id": parent,
        "rerun_of": earlier,
        "retries": 2,
    }


def test_a_submission_keeps_every_field_through_every_layer(client: TestClient) -> None:
    body = _full_submission(client)
    answer = client.post(f"{API}/submissions", json=body)
    assert answer.status_code == 201, answer.text
    sdk = Client(http=client)
    submitted = sdk.get_job(answer.json()["id"])
    spec = submitted.spec

    defaults = JobSpec(project="")
    forgotten = [
        item.name
        for item in dataclasses.fields(JobSpec)
        if item.name not in NOT_SENT_BY_A_SUBMISSION
        and getattr(spec, item.name) == getattr(defaults, item.name)
    ]
    assert forgotten == [], f"fields lost between the submission and the SDK: {forgotten}"
    assert spec.kind == JobKind.SCHEDULED
    assert spec.command == "python main.py --depth '3 4'"
    assert spec.env_mode == "none"
    assert spec.params == {"lr": 0.1, "model": {"layers": 3}}

    rerun = sdk.rerun_job(submitted.id, params={"lr": 0.2})
    assert rerun.status in {JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING}
    expected = dataclasses.replace(spec, params={**spec.params, "lr": 0.2}, rerun_of=submitted.id)
    assert rerun.spec == expected

    scheduler = client.app.state.scheduler  # type: ignore[attr-defined]
    for job_id in (submitted.id, rerun.id):
        scheduler.cancel(job_id)


def test_an_image_is_refused_by_a_server_without_a_container_engine(client: TestClient) -> None:
    body = {"project": "spec", "command": ["python", "-V"], "image": "python:3.11-slim"}
    answer = client.post(f"{API}/submissions", json=body)
    error = assert_error(answer, 422, "invalid_input")
    assert "not in container images" in str(error["message"])
    assert client.get(f"{API}/projects/spec").status_code == 404  # nothing written
