"""Importances over a project of many params, on SQLite and PostgreSQL: 100 params are read
in chunks (SQLite refuses a query of more than 64 joined tables) and each param keeps its own
values, so the one that drives the metric has a rank correlation of 1."""

from __future__ import annotations

import random

from atlas.domain import JobSpec, JobStatus
from atlas.names import MAX_IMPORTANCE_PARAMS
from atlas.server.project_importances import FIELDS_PER_READ, project_importances
from atlas.store.api import SeriesBatch
from atlas.store.sql_store import SqlStore
from tests.server.conftest import API, TestClient

PARAMS = 100
JOBS = 12


def _many_params(store: SqlStore, *, driver: str) -> None:
    """``JOBS`` jobs of ``PARAMS`` params each whose ``loss`` is ``driver``'s value."""
    rng = random.Random(3)
    for index in range(JOBS):
        params: dict[str, object] = {f"p{n:03d}": rng.uniform(0, 1) for n in range(PARAMS)}
        params[driver] = float(index)
        spec = JobSpec(project="wide", name=f"j{index}", params=params)
        job_id = store.create_job(spec, status=JobStatus.COMPLETED).id
        store.append_metrics(job_id, [SeriesBatch("loss", [0], [1.0], [float(index)])])


def test_a_hundred_params_are_weighed(store: SqlStore) -> None:
    assert FIELDS_PER_READ < PARAMS <= MAX_IMPORTANCE_PARAMS
    store.upgrade()
    _many_params(store, driver="p077")  # in the second read
    found = project_importances(store, "wide", metric="metrics.loss", filter="", params=[])
    assert found.jobs == JOBS
    assert {item.param for item in found.items} == {f"p{n:03d}" for n in range(PARAMS)}
    correlations = {item.param: item.correlation for item in found.items}
    assert correlations["p077"] == 1.0
    assert all(abs(c or 0) < 1 for param, c in correlations.items() if param != "p077")
    assert sum(item.importance for item in found.items) > 0.99


def test_the_route_answers_for_a_hundred_params(client: TestClient) -> None:
    store: SqlStore = client.app.state.store  # type: ignore[attr-defined]
    _many_params(store, driver="p003")
    answer = client.get(f"{API}/projects/wide/importances", params={"metric": "metrics.loss.min"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["jobs"], len(body["items"])) == (JOBS, PARAMS)
    correlations = {item["param"]: item["correlation"] for item in body["items"]}
    assert correlations["p003"] == 1.0
