"""Fields of many jobs as columns, row groups and batch series reads, on SQLite and
PostgreSQL: a missing field is None, a NaN summary is NaN, groups hold the jobs lacking a
field, and a batch read equals the single reads."""

from __future__ import annotations

import math
from datetime import UTC

import pytest

from atlas.domain import JobSpec, JobStatus
from atlas.errors import InvalidInputError, QuerySyntaxError
from atlas.names import MAX_GROUPS
from atlas.store.api import JobValues, SeriesBatch
from atlas.store.job_values import ColumnCache, field_name, read_values
from atlas.store.projects import project_version
from atlas.store.sql_store import SqlStore


def job(store: SqlStore, params: dict[str, object], tags: dict[str, str] | None = None) -> str:
    spec = JobSpec(project="hpo", name=f"j{len(params)}", params=params,
                   tags=tags or {})  # fmt: skip
    return store.create_job(spec, status=JobStatus.RUNNING).id


def log(store: SqlStore, job_id: str, key: str, values: list[float]) -> None:
    steps = list(range(len(values)))
    store.append_metrics(job_id, [SeriesBatch(key, steps, [1.0 + s for s in steps], values)])


@pytest.fixture
def jobs(store: SqlStore) -> tuple[SqlStore, list[str]]:
    """Four jobs, newest last: a has lr and loss, b lacks lr, c's loss is NaN, d has text."""
    store.upgrade()
    a = job(store, {"lr": 0.1, "opt": "adam"}, {"stage": "prod"})
    b = job(store, {"opt": "sgd"})
    c = job(store, {"lr": 0.3, "opt": "adam"})
    d = job(store, {"lr": "auto", "weird key, with comma": [1, 2]})
    log(store, a, "loss", [0.5, 0.2, 0.4])
    log(store, b, "loss", [0.9])
    log(store, c, "loss", [math.nan])
    return store, [a, b, c, d]


def test_values_are_columns_with_none_for_missing_fields(jobs: tuple[SqlStore, list[str]]) -> None:
    store, (a, b, c, d) = jobs
    fields = ["params.lr", "metrics.loss.min", "metrics.loss", "tags.stage", "status",
              field_name("params", "weird key, with comma"), "metrics.loss.count"]  # fmt: skip
    found = store.job_values("hpo", fields)
    assert found.ids == [d, c, b, a]  # newest first
    assert found.total == 4
    assert found.statuses == ["running"] * 4
    cols = found.columns
    assert list(cols) == fields
    assert cols["params.lr"] == ["auto", 0.3, None, 0.1]
    assert cols["metrics.loss.min"][2:] == [0.9, 0.2]
    assert cols["metrics.loss.min"][0] is None
    assert math.isnan(cols["metrics.loss.min"][1])  # type: ignore[arg-type]
    assert cols["metrics.loss"][3] == 0.4  # last
    assert cols["tags.stage"] == [None, None, None, "prod"]
    assert cols["status"] == ["running"] * 4
    assert cols[fields[5]] == [[1, 2], None, None, None]
    assert cols["metrics.loss.count"] == [None, 1, 1, 3]
    bare = store.job_values("hpo", fields, with_names=False)
    assert (bare.ids, bare.names, bare.statuses) == (found.ids, [], [])
    assert repr(bare.columns) == repr(cols)  # NaN included
    created = store.job_values("hpo", ["created_at"], with_names=False).columns["created_at"]
    assert [value.tzinfo for value in created] == [UTC] * 4  # type: ignore[union-attr]


def test_values_follow_the_filter_limit_and_presence(jobs: tuple[SqlStore, list[str]]) -> None:
    store, (a, b, c, d) = jobs
    found = store.job_values("hpo", ["params.lr"], filter='params.opt = "adam"')
    assert (found.ids, found.total) == ([c, a], 2)
    limited = store.job_values("hpo", ["params.lr"], limit=2)
    assert (limited.ids, limited.total) == ([d, c], 4)
    present = store.job_values("hpo", ["params.lr"], present=["metrics.loss.min"])
    assert present.ids == [c, b, a]
    none = store.job_values("hpo", ["params.lr"], filter="params.lr > 10")
    assert (none.ids, none.total, none.columns) == ([], 0, {"params.lr": []})


def test_bad_fields_and_filters_are_refused(jobs: tuple[SqlStore, list[str]]) -> None:
    store, _ = jobs
    for fields, query in ((["bogus"], ""), (["params.lr,status"], ""), (["-status"], "")):
        with pytest.raises(QuerySyntaxError):
            store.job_values("hpo", fields, filter=query)
    with pytest.raises(QuerySyntaxError):
        store.job_values("hpo", ["status"], filter="params.lr >")
    with pytest.raises(InvalidInputError):
        store.job_values("hpo", ["status"], limit=0)


def test_groups_hold_the_jobs_lacking_a_field_last(jobs: tuple[SqlStore, list[str]]) -> None:
    store, _ = jobs
    found = store.job_groups("hpo", ["params.opt", "tags.stage"], ["metrics.loss.min"])
    assert found.total == 4
    rows = [(g.values, g.count) for g in found.groups]
    assert rows == [
        ({"params.opt": "adam", "tags.stage": "prod"}, 1),
        ({"params.opt": "adam", "tags.stage": None}, 1),
        ({"params.opt": "sgd", "tags.stage": None}, 1),
        ({"params.opt": None, "tags.stage": None}, 1),
    ]
    summaries = [g.summaries["metrics.loss.min"] for g in found.groups]
    assert (summaries[0].mean, summaries[0].min, summaries[0].max, summaries[0].count) == (
        0.2, 0.2, 0.2, 1,
    )  # fmt: skip
    assert (summaries[1].mean, summaries[1].count) == (None, 0)  # NaN is no number
    by_lr = store.job_groups("hpo", ["params.lr"], [])
    assert [g.values["params.lr"] for g in by_lr.groups] == [0.1, 0.3, "auto", None]


def test_groups_summarise_every_member(store: SqlStore) -> None:
    store.upgrade()
    for lr, loss in ((0.1, 1.0), (0.1, 3.0), (0.2, 5.0)):
        log(store, job(store, {"lr": lr}), "loss", [loss])
    found = store.job_groups("hpo", ["params.lr"], ["metrics.loss"], filter="params.lr < 1")
    first = found.groups[0]
    assert (first.values, first.count) == ({"params.lr": 0.1}, 2)
    summary = first.summaries["metrics.loss"]
    assert (summary.mean, summary.min, summary.max, summary.count) == (2.0, 1.0, 3.0, 2)


def test_too_many_groups_are_refused(store: SqlStore) -> None:
    store.upgrade()
    for index in range(MAX_GROUPS + 1):
        job(store, {"i": index})
    assert len(store.job_groups("hpo", ["params.i"], [], filter="params.i > 0").groups) == 1000
    with pytest.raises(InvalidInputError):
        store.job_groups("hpo", ["params.i"], [])


def test_a_batch_read_equals_the_single_reads(jobs: tuple[SqlStore, list[str]]) -> None:
    store, (a, b, _, d) = jobs
    log(store, a, "acc", [float(i % 7) for i in range(5000)])
    options = {"min_step": 1, "max_step": 4000, "max_points": 50}
    found = store.read_many_series([a, d, b, "0123456789abcdef"], ["acc", "loss"], **options)
    assert [(r.job_id, r.series.key) for r in found] == [(a, "acc"), (a, "loss"), (b, "loss")]
    for read in found:
        assert read.series == store.read_series(read.job_id, read.series.key, **options)
    assert found[0].series.downsampled


def test_groups_follow_the_sort_on_a_grouped_field_or_a_metric(store: SqlStore) -> None:
    store.upgrade()
    for opt, loss in (("adam", 3.0), ("adam", 5.0), ("sgd", 1.0), ("rms", 9.0), (None, 0.5)):
        log(store, job(store, {} if opt is None else {"opt": opt}), "loss", [loss])
    job(store, {"opt": "zero"})  # no loss: no mean

    def order(sort: str) -> list[object]:
        found = store.job_groups("hpo", ["params.opt"], ["metrics.loss"], sort=sort)
        return [group.values["params.opt"] for group in found.groups]

    assert order("") == ["adam", "rms", "sgd", "zero", None]
    assert order("-params.opt") == ["zero", "sgd", "rms", "adam", None]
    assert order("metrics.loss.last") == [None, "sgd", "adam", "rms", "zero"]
    assert order("-metrics.loss,created_at") == ["rms", "adam", "sgd", None, "zero"]
    assert order("created_at") == order("")  # not a grouped field: the values' order
    with pytest.raises(QuerySyntaxError):
        order("metrics.")


def test_whole_columns_kept_equal_the_jobs_own_values(
    jobs: tuple[SqlStore, list[str]], store_url: str
) -> None:
    store, (a, b, c, d) = jobs
    fields = ["params.lr", "metrics.loss.min", "metrics.loss.count", "tags.stage", "status",
              field_name("params", "weird key, with comma"), "params.opt"]  # fmt: skip
    looked_up = store.job_values("hpo", fields)  # four jobs: their values alone
    cache = ColumnCache()

    def whole() -> JobValues:
        with store.engine.connect() as conn:
            version = project_version(conn, "hpo")
            return read_values(conn, version, fields, filter="", limit=10, cache=cache, few_jobs=0)

    first = whole()
    assert repr(first) == repr(looked_up)  # NaN included
    assert cache.size > 0
    assert repr(whole()) == repr(looked_up)  # from the cache
    other = SqlStore(store_url)  # another process's write is seen
    other.set_params(a, {"lr": "warm"})
    other.set_tags(b, {"stage": "dev"})
    e = other.create_job(JobSpec(project="hpo", params={"lr": 0.5}), status=JobStatus.RUNNING).id
    other.close()
    after = whole()
    assert after.ids == [e, d, c, b, a]
    assert after.columns["params.lr"] == [0.5, "auto", 0.3, None, "warm"]
    assert after.columns["tags.stage"] == [None, None, None, "dev", "prod"]
    assert repr(after) == repr(store.job_values("hpo", fields))
