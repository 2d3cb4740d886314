"""What the MLflow API may change of Atlas's jobs, and how its searches page: a scheduled
job's status and existence stay the scheduler's; pages past 1,000 runs, and across several
experiments, give every run once."""

from __future__ import annotations

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus
from atlas.store.api import Store
from tests.server.conftest import TestClient
from tests.server.mlflow.test_errors import MLFLOW, assert_mlflow_error, new_run


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def _scheduled_running(client: TestClient) -> str:
    """A scheduled job that is running (as if the scheduler had started it)."""
    spec = JobSpec(project="Default", kind=JobKind.SCHEDULED, command="python train.py")
    return _store(client).create_job(spec, status=JobStatus.RUNNING).id


@pytest.mark.parametrize(
    "change",
    [{"status": "KILLED"}, {"status": "FINISHED", "end_time": 1_700_000_000_000}, {"end_time": 5}],
)
def test_a_scheduled_jobs_status_is_not_the_mlflow_apis(
    client: TestClient, change: dict[str, object]
) -> None:
    job_id = _scheduled_running(client)
    response = client.post(f"{MLFLOW}/runs/update", json={"run_id": job_id, **change})
    message = assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert f"atlas stop {job_id}" in message
    job = _store(client).get_job(job_id)
    assert (job.status, job.finished_at) == (JobStatus.RUNNING, None)


def test_a_scheduled_job_may_still_be_renamed_through_the_mlflow_api(client: TestClient) -> None:
    job_id = _scheduled_running(client)
    response = client.post(f"{MLFLOW}/runs/update", json={"run_id": job_id, "run_name": "r2"})
    assert response.status_code == 200, response.text
    assert _store(client).get_job(job_id).name == "r2"


def test_a_scheduled_job_is_not_deleted_through_the_mlflow_api(client: TestClient) -> None:
    job_id = _scheduled_running(client)
    response = client.post(f"{MLFLOW}/runs/delete", json={"run_id": job_id})
    message = assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")
    assert f"atlas jobs delete {job_id}" in message
    assert _store(client).get_job(job_id).status is JobStatus.RUNNING


def test_an_mlflow_run_is_deleted_as_the_jobs_api_deletes(client: TestClient) -> None:
    run_id = new_run(client)
    assert client.post(f"{MLFLOW}/runs/delete", json={"run_id": run_id}).status_code == 200
    response = client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id})
    assert_mlflow_error(response, 404, "RESOURCE_DOES_NOT_EXIST")
    assert client.get(f"/api/v1/jobs/{run_id}").status_code == 404


def _runs(client: TestClient, project: str, count: int) -> list[str]:
    store = _store(client)
    spec = JobSpec(project=project, kind=JobKind.MLFLOW)
    return [store.create_job(spec, status=JobStatus.RUNNING).id for _ in range(count)]


def _search(client: TestClient, **body: object) -> dict[str, object]:
    response = client.post(f"{MLFLOW}/runs/search", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert isinstance(answer, dict)
    return answer


def _every_page(client: TestClient, **body: object) -> list[list[str]]:
    pages: list[list[str]] = []
    token: object = None
    while True:
        answer = _search(client, **body, **({"page_token": token} if token else {}))
        runs = answer.get("runs", [])
        assert isinstance(runs, list)
        pages.append([run["info"]["run_id"] for run in runs])
        token = answer.get("next_page_token")
        if token is None:
            return pages


def test_a_page_asked_past_1000_runs_holds_1000_and_the_rest_follow(client: TestClient) -> None:
    """``mlflow.search_runs()`` asks 10,000 runs a page."""
    ids = _runs(client, "many", 1005)
    pages = _every_page(client, experiment_ids=["many"], max_results=10_000)
    assert [len(page) for page in pages] == [1000, 5]
    assert sorted(pages[0] + pages[1]) == sorted(ids)


def test_pages_across_experiments_give_every_run_once(client: TestClient) -> None:
    first = _runs(client, "first", 1200)
    second = _runs(client, "second", 300)
    third = _runs(client, "third", 7)
    body = {"experiment_ids": ["first", "second", "third"], "max_results": 1000}
    pages = _every_page(client, **body)
    assert [len(page) for page in pages] == [1000, 507]
    found = pages[0] + pages[1]  # one experiment after the other
    assert set(found[:1200]) == set(first)
    assert set(found[1200:1500]) == set(second)
    assert sorted(found[1500:]) == sorted(third)
    small = _every_page(client, **{**body, "max_results": 250})
    assert [len(page) for page in small] == [250] * 6 + [7]
    assert [run for page in small for run in page] == pages[0] + pages[1]


@pytest.mark.parametrize(
    "body",
    [
        {"max_results": -1},
        {"max_results": 0},
        {"page_token": "-5"},
        {"page_token": "abc"},
        {"page_token": "7:0"},
    ],
)
def test_a_bad_page_is_invalid_parameter_value(client: TestClient, body: dict[str, object]) -> None:
    new_run(client)
    response = client.post(f"{MLFLOW}/runs/search", json={"experiment_ids": ["0"], **body})
    assert_mlflow_error(response, 400, "INVALID_PARAMETER_VALUE")


def test_stop_marks_a_running_mlflow_run_cancelled(client: TestClient) -> None:
    """The GUI's Stop (and ``atlas stop``) ends a run whose client died without ending it:
    there is no process to signal, so it is marked cancelled."""
    run_id = new_run(client)
    stopped = client.post(f"/api/v1/jobs/{run_id}/cancel")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "cancelled"
    read = client.get(f"{MLFLOW}/runs/get", params={"run_id": run_id})
    assert read.json()["run"]["info"]["status"] == "KILLED"
    again = client.post(f"/api/v1/jobs/{run_id}/cancel")
    assert again.status_code == 409, again.text
