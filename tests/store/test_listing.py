"""``list_jobs`` of the store: paging, sorting and filtering in SQL, whole jobs in the page.

The query language itself is tested in depth in test_query*.py; these are the store's basics
on both databases.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from atlas.domain import Job, JobSpec
from atlas.errors import InvalidInputError, NotFoundError, QuerySyntaxError
from atlas.store.api import JobQuery, SeriesBatch
from atlas.store.sql_store import SqlStore


@pytest.fixture
def jobs(store: SqlStore) -> list[Job]:
    """Six jobs, oldest first: lr 0.1 .. 0.6, loss 6 .. 1 (the last has no loss)."""
    made = []
    for index in range(6):
        job = store.create_job(
            JobSpec(
                "listing",
                name=f"job-{index}",
                params={"lr": round(0.1 * (index + 1), 1), "opt": "adam" if index % 2 else "sgd"},
                tags={"stage": "prod" if index < 3 else "dev"},
            )
        )
        if index < 5:
            store.append_metrics(job.id, [SeriesBatch("loss", [0], [0.0], [6.0 - index])])
        made.append(store.get_job(job.id))
    store.create_job(JobSpec("elsewhere", params={"lr": 0.3}))
    return made


def _names(page: list[Job]) -> list[str]:
    return [job.name for job in page]


def test_newest_first_by_default_with_whole_jobs(store: SqlStore, jobs: list[Job]) -> None:
    page = store.list_jobs("listing", JobQuery())
    assert page.total == 6
    assert (page.limit, page.offset) == (100, 0)
    assert page.items == list(reversed(jobs))
    assert page.items[-1].params == {"lr": 0.1, "opt": "sgd"}
    assert page.items[-1].tags == {"stage": "prod"}
    assert page.items[-1].metrics["loss"].last == 6.0


def test_paging(store: SqlStore, jobs: list[Job]) -> None:
    first = store.list_jobs("listing", JobQuery(sort=["created_at"], limit=4))
    second = store.list_jobs("listing", JobQuery(sort=["created_at"], limit=4, offset=4))
    assert _names(first.items) == ["job-0", "job-1", "job-2", "job-3"]
    assert _names(second.items) == ["job-4", "job-5"]
    assert first.total == second.total == 6
    assert store.list_jobs("listing", JobQuery(offset=10)).items == []


def test_sort_by_metric_puts_jobs_without_it_last(store: SqlStore, jobs: list[Job]) -> None:
    ascending = store.list_jobs("listing", JobQuery(sort=["metrics.loss"]))
    assert _names(ascending.items) == ["job-4", "job-3", "job-2", "job-1", "job-0", "job-5"]
    descending = store.list_jobs("listing", JobQuery(sort=["-metrics.loss.min"]))
    assert _names(descending.items) == ["job-0", "job-1", "job-2", "job-3", "job-4", "job-5"]


def test_filter_on_params_and_tags(store: SqlStore, jobs: list[Job]) -> None:
    page = store.list_jobs(
        "listing", JobQuery(filter='params.lr > 0.25 and tags.stage = "dev"', sort=["params.lr"])
    )
    assert _names(page.items) == ["job-3", "job-4", "job-5"]
    assert page.total == 3
    page = store.list_jobs("listing", JobQuery(filter="metrics.loss <= 3", sort=["name"], limit=1))
    assert _names(page.items) == ["job-3"]
    assert page.total == 2


def test_a_fixed_number_of_queries_whatever_the_page_size(store: SqlStore, jobs: list[Job]) -> None:
    counts = [_statements(store, JobQuery(filter="params.lr > 0", limit=n)) for n in (1, 6)]
    assert counts[0] == counts[1] <= 7


def _statements(store: SqlStore, query: JobQuery) -> int:
    """How many SQL statements ``list_jobs(query)`` runs (transaction control and the
    transaction's time limit aside)."""
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        store.list_jobs("listing", query)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return len(
        [s for s in statements if not s.startswith(("BEGIN", "ROLLBACK", "SET LOCAL", "RESET"))]
    )


def test_bad_queries(store: SqlStore, jobs: list[Job]) -> None:
    with pytest.raises(QuerySyntaxError):
        store.list_jobs("listing", JobQuery(filter="params.lr <"))
    with pytest.raises(InvalidInputError):
        store.list_jobs("listing", JobQuery(limit=0))
    with pytest.raises(InvalidInputError):
        store.list_jobs("listing", JobQuery(offset=-1))
    with pytest.raises(NotFoundError):
        store.list_jobs("nope", JobQuery())
