"""What bounds a job listing: a time limit on every database, RE2 behind SQLite's REGEXP,
numbers of any size, and dotted keys (``params.model.layers``)."""

from __future__ import annotations

import random
import threading
import time

import psycopg
import pytest
from sqlalchemy import text

from atlas.domain import JobSpec, JobStatus
from atlas.errors import QuerySyntaxError, QueryTooExpensiveError
from atlas.store import job_pages
from atlas.store.api import JobQuery, SeriesBatch
from atlas.store.engine import make_engine
from atlas.store.query import parse_filter
from atlas.store.sql_store import SqlStore

HUGE = "1" * 4301  # one digit past Python's int-from-text limit


# -- time limit ------------------------------------------------------------------------------


def test_sqlite_stops_a_listing_past_its_time_limit(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url, query_timeout=1e-9)
    for number in range(400):
        store.create_job(JobSpec("slow", name=f"run-{number}", params={"v": "a" * 200}))
    query = JobQuery(filter='params.v ~ "a+b" or name ~ "x"')
    with pytest.raises(QueryTooExpensiveError) as caught:
        store.list_jobs("slow", query)
    assert caught.value.code == "query_too_expensive"
    assert caught.value.detail["limit_s"] == 1e-9
    assert "ran longer than 1e-09 s and was stopped" in caught.value.message
    with store.engine.connect() as conn:  # the deadline left the pooled connection alone
        assert job_pages.list_jobs(conn, "slow", query, time_limit=10).total == 0
    store.close()


def test_sqlite_stops_a_slow_regex_within_one_value(sqlite_url: str) -> None:
    # Each search of a 100,000-character command takes RE2 about half a second here (its DFA
    # gives up on the pattern); a REGEXP call is one step of SQLite's machine, so a progress
    # handler alone let the 40 jobs' searches run for over 40 s past a 0.5 s limit.
    store = SqlStore(sqlite_url, query_timeout=0.5)
    letters = random.Random(7)
    command = "".join(letters.choice("ab") for _ in range(100_000))
    for number in range(40):
        store.create_job(JobSpec("long", name=f"run-{number}", command=command))
    started = time.monotonic()
    with pytest.raises(QueryTooExpensiveError):
        store.list_jobs("long", JobQuery(filter='command ~ "[ab]*a[ab]{255}c"'))
    assert time.monotonic() - started < 5
    # The pooled connection got its plain REGEXP back.
    assert store.list_jobs("long", JobQuery(filter='command ~ "^[ab]+$"')).total == 40
    store.close()


def test_sqlite_stops_a_slow_contains_within_one_value(sqlite_url: str) -> None:
    # LIKE compares the needle at every position: about 0.7 s per 100,000-character value
    # here, each one step of SQLite's machine (20 of them ran 15 s past a 0.5 s limit).
    store = SqlStore(sqlite_url, query_timeout=0.5)
    for number in range(10):
        store.create_job(JobSpec("like", name=f"run-{number}", command="a" * 100_000))
    started = time.monotonic()
    with pytest.raises(QueryTooExpensiveError):
        store.list_jobs("like", JobQuery(filter=f'command contains "{"a" * 4000}b"'))
    assert time.monotonic() - started < 4
    assert store.list_jobs("like", JobQuery(filter='command contains "aab"')).total == 0
    store.close()


ALTERNATIVES = "|".join(f"[ab]*a[ab]{{{200 + n}}}c" for n in range(10))


@pytest.mark.parametrize("pattern", ["(a{200}|b{200}){5}", ALTERNATIVES])
def test_patterns_compiling_to_large_programs_are_refused(pattern: str) -> None:
    # The ten alternatives took RE2 4.4 s over a 100,000-character value, one search.
    with pytest.raises(QuerySyntaxError, match="pattern too complex"):
        parse_filter(f'command ~ "{pattern}"')


@pytest.mark.parametrize("pattern", [".{255}", "(?i)[a-z]{255}", r"\w{255}", "(.*a){20}"])
def test_long_repeats_under_the_program_limit_are_accepted(pattern: str) -> None:
    assert parse_filter(f'command ~ "{pattern}"') is not None


@pytest.mark.postgres
def test_postgres_stops_a_listing_past_its_statement_timeout(postgres_url: str) -> None:
    store = SqlStore(postgres_url)
    store.create_job(JobSpec("locked", name="a"))
    holding, release = threading.Event(), threading.Event()

    def hold_jobs_table() -> None:
        # A lock makes the listing wait: the same timeout stops a slow regex.
        with psycopg.connect(postgres_url.replace("+psycopg", "")) as other:
            other.execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE")
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold_jobs_table)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with store.engine.connect() as conn, pytest.raises(QueryTooExpensiveError):
            job_pages.list_jobs(conn, "locked", JobQuery(filter='name ~ "a"'), time_limit=0.2)
        assert time.monotonic() - started < 5
    finally:
        release.set()
        holder.join()
    assert store.list_jobs("locked", JobQuery(filter='name ~ "a"')).total == 1
    with store.engine.connect() as conn:  # SET LOCAL ended with the listing's transaction
        assert conn.scalar(text("SHOW statement_timeout")) == "0"
    store.close()


def test_sqlite_regexp_is_re2_in_linear_time(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        # Python's re knows no \pL; RE2 does.
        assert conn.scalar(text(r"SELECT 'é' REGEXP '^\pL$'")) == 1
        started = time.monotonic()
        # Python's re backtracks 2**30 times here, holding the GIL for minutes.
        assert conn.scalar(text("SELECT :v REGEXP '(a+)+$'"), {"v": "a" * 30 + "!"}) == 0
        assert time.monotonic() - started < 1
    engine.dispose()


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (f"metrics.loss < {'0' * 4301}1", {"small"}),  # 4,302 digits that make 1
        (f"metrics.loss < {HUGE}.5", QuerySyntaxError),  # inf
        (f"metrics.loss > -{HUGE}", QuerySyntaxError),  # -inf
        (f"metrics.loss > 0.{HUGE}", {"small", "big"}),  # 0.111...
        (f"metrics.loss > 1e-{HUGE}", {"small", "big"}),
        (f"metrics.loss < 1e{HUGE}", QuerySyntaxError),
        ("metrics.loss < 1e999", QuerySyntaxError),
        ("metrics.loss < 1.7e308", {"small", "big"}),
        ("metrics.loss > -1e-400", {"small", "big"}),  # -0.0
        ("exit_code = -0", {"small"}),
        ("exit_code = -0.0", {"small"}),
        ("exit_code in (9007199254740993, 0)", {"small"}),
        ("params.seed = 12345678901234567890", {"big"}),
        ("params.seed > 9223372036854775807", {"big"}),  # past SQLite's integers
        ("params.seed = NaN", QuerySyntaxError),
        ("params.seed = inf", QuerySyntaxError),
        ('params.seed = "NaN"', set()),
    ],
)
def test_numbers_of_any_size(store: SqlStore, filter: str, expected: object) -> None:
    small = store.create_job(JobSpec("numbers", name="small", params={"seed": 1}))
    store.update_job(small.id, status=JobStatus.COMPLETED, exit_code=0)
    big = store.create_job(JobSpec("numbers", name="big", params={"seed": 1.2345678901234567e19}))
    store.append_metrics(small.id, [SeriesBatch("loss", [0], [0.0], [0.5])])
    store.append_metrics(big.id, [SeriesBatch("loss", [0], [0.0], [3.0])])
    if expected is QuerySyntaxError:
        with pytest.raises(QuerySyntaxError) as caught:
            store.list_jobs("numbers", JobQuery(filter=filter))
        assert len(caught.value.message) < 2 * len(filter) + 300
        return
    page = store.list_jobs("numbers", JobQuery(filter=filter))
    assert {job.name for job in page.items} == expected


@pytest.mark.parametrize("sort", [HUGE, f"-{HUGE}", f"params.{HUGE}", "1e999", f"metrics.x.{HUGE}"])
def test_a_number_in_sort_is_a_query_error(store: SqlStore, sort: str) -> None:
    store.create_job(JobSpec("numbers"))
    with pytest.raises(QuerySyntaxError):
        store.list_jobs("numbers", JobQuery(sort=(sort,)))


# -- dotted keys -----------------------------------------------------------------------------


def test_dotted_keys_name_params_tags_and_metrics(store: SqlStore) -> None:
    for layers in (1, 3, 5):
        job = store.create_job(
            JobSpec(
                "dotted",
                name=f"l{layers}",
                params={"model.layers": layers, "model": "flat"},
                tags={"data.split": "train" if layers < 5 else "val"},
            )
        )
        store.append_metrics(job.id, [SeriesBatch("val.loss", [0, 1], [0, 1], [layers, 0.5])])

    def names(filter: str = "", sort: str = "-created_at") -> list[str]:
        page = store.list_jobs("dotted", JobQuery(filter=filter, sort=(sort,)))
        return [job.name for job in page.items]

    assert sorted(names("params.model.layers > 2")) == ["l3", "l5"]
    assert sorted(names("params.`model.layers` > 2")) == ["l3", "l5"]
    assert sorted(names('params.model = "flat"')) == ["l1", "l3", "l5"]
    assert names('tags.data.split = "val"') == ["l5"]
    assert names("metrics.val.loss.max >= 5") == ["l5"]
    assert sorted(names("metrics.val.loss < 1")) == ["l1", "l3", "l5"]  # .last
    assert names(sort="-params.model.layers") == ["l5", "l3", "l1"]
    assert names(sort="metrics.val.loss.max") == ["l1", "l3", "l5"]
