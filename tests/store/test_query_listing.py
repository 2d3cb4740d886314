"""The job listing's SQL on SQLite and PostgreSQL: what each filter and sort returns.

A small read-only project of seven jobs, written with SQLAlchemy straight into the tables
(params encoded as the store encodes them), is shared by the tests of a module run: no test
writes to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, inspect, select

from atlas.errors import InvalidInputError, QuerySyntaxError
from atlas.store.api import JobQuery
from atlas.store.engine import make_engine
from atlas.store.query import MAX_DEPTH, job_listing
from atlas.store.tables import Base, JobRow, MetricSummaryRow, ParamRow, ProjectRow, TagRow
from atlas.store.validation import encode_param

NOW = datetime(2026, 11, 10, tzinfo=UTC)
MAIN, OTHER = 1, 2

Summary = tuple[float | None, float | None, float | None, int, int]  # last, min, max, count, step


def day(number: int, seconds: int = 0) -> datetime:
    return datetime(2026, 11, number, tzinfo=UTC) + timedelta(seconds=seconds)


@dataclass
class Job:
    id: str
    name: str
    user: str
    status: str
    created: datetime
    started: datetime | None = None
    finished: datetime | None = None
    exit_code: int | None = None
    priority: int = 0
    kind: str = "scheduled"
    command: str = ""
    project: int = MAIN
    params: dict[str, object] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Summary] = field(default_factory=dict)


JOBS = [
    Job(
        "j01", "resnet-18", "ana", "completed", day(1), day(1, 60), day(1, 3660), 0,
        command="python train.py --depth 18",
        params={"lr": 0.001, "opt": "adam", "layers": 18, "fast": True, "model.depth": 18},
        tags={"stage": "prod", "team": "vision"},
        metrics={"loss": (0.2, 0.1, 0.9, 100, 99), "acc": (0.9, 0.5, 0.95, 100, 99)},
    ),
    Job(
        "j02", "resnet-50", "ana", "failed", day(2), day(2), day(2, 600), 1, priority=1,
        command="python train.py --depth 50",
        params={"lr": 0.01, "opt": "sgd", "layers": 50, "fast": False},
        tags={"stage": "dev", "team": "nlp"},
        metrics={"loss": (0.5, 0.3, 1.2, 50, 49)},
    ),
    Job(
        "j03", "debug run", "bob", "running", day(3), day(3), command="python debug.py",
        params={"lr": 0.1, "opt": "Adam", "note": "50% off_peak"},
        tags={"stage": "prod", "owner": "bob", "team": "vision"},
        metrics={"loss": (None, 0.4, None, 10, 9)},  # a NaN last value (stored as NULL)
    ),
    Job(
        "j04", "vit_base", "carol", "queued", day(4),
        params={"lr": "auto", "layers": 12, "sizes": [1, 2]},
    ),
    Job(
        "j05", "vitXbase", "carol", "cancelled", day(5), day(5), day(5, 30), kind="local",
        params={"lr": None, "opt": "adamw"},
        tags={"stage": "Prod"},
        metrics={"acc": (0.7, 0.2, 0.7, 5, 4)},
    ),
    Job(
        "j06", "resnet-101", "dave", "completed", day(6), day(6), day(6, 7200), 0, priority=5,
        params={"lr": 0.001, "layers": 101, "fast": True},
        tags={"stage": "prod", "team": "nlp"},
        metrics={"loss": (0.2, 0.15, 0.8, 200, 199)},
    ),
    Job(
        "j07", "resnet-152", "dave", "lost", day(6), day(6),
        params={"lr": 0.0001, "layers": 152},
        tags={"stage": "dev", "team": "audio"},
        metrics={"loss": (0.3, 0.25, 0.6, 20, 19)},
    ),
    # Another project's job that matches most filters: it must never show up.
    Job(
        "x01", "resnet-18", "ana", "completed", day(7), day(7), day(7, 5000), 0,
        project=OTHER,
        params={"lr": 0.001, "opt": "adam", "layers": 18, "fast": True},
        tags={"stage": "prod", "team": "vision"},
        metrics={"loss": (0.2, 0.1, 0.9, 100, 99)},
    ),
]  # fmt: skip

EVERY = {job.id for job in JOBS if job.project == MAIN}


def write_jobs(engine: Engine, jobs: Sequence[Job], projects: dict[int, str]) -> None:
    """Insert ``jobs`` the way the store lays them out."""
    with engine.begin() as conn:
        conn.execute(
            insert(ProjectRow),
            [{"id": pid, "name": name, "created_at": day(1)} for pid, name in projects.items()],
        )
        conn.execute(insert(JobRow), [_job_row(job) for job in jobs])
        params = [_param_row(job, key, value) for job in jobs for key, value in job.params.items()]
        tags = [
            {"job_id": job.id, "key": key, "project_id": job.project, "value": value}
            for job in jobs
            for key, value in job.tags.items()
        ]
        summaries = [
            _summary_row(job, key, summary) for job in jobs for key, summary in job.metrics.items()
        ]
        for table, rows in ((ParamRow, params), (TagRow, tags), (MetricSummaryRow, summaries)):
            if rows:
                conn.execute(insert(table), rows)


def _job_row(job: Job) -> dict[str, object]:
    return {
        "id": job.id,
        "project_id": job.project,
        "name": job.name,
        "user": job.user,
        "kind": job.kind,
        "status": job.status,
        "command": job.command,
        "priority": job.priority,
        "created_at": job.created,
        "started_at": job.started,
        "finished_at": job.finished,
        "exit_code": job.exit_code,
    }


def _param_row(job: Job, key: str, value: object) -> dict[str, object]:
    value_json, value_num, value_text = encode_param(key, value)
    return {
        "job_id": job.id,
        "key": key,
        "project_id": job.project,
        "value_json": value_json,
        "value_num": value_num,
        "value_text": value_text,
    }


def _summary_row(job: Job, key: str, summary: Summary) -> dict[str, object]:
    last, low, high, count, step = summary
    return {
        "job_id": job.id,
        "key": key,
        "project_id": job.project,
        "last": last,
        "min": low,
        "max": high,
        "count": count,
        "last_step": step,
        "updated_at": job.created,
    }


def open_database(request: pytest.FixtureRequest, folder: Path) -> Engine:
    """An engine on an empty schema: a SQLite file in ``folder``, or the module's
    PostgreSQL database (from tests/conftest.py) for the ``postgres`` parameter."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'atlas.db'}")
        Base.metadata.create_all(engine)
        return engine
    return make_engine(str(request.getfixturevalue("postgres_url")))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    opened = open_database(request, tmp_path_factory.mktemp("query"))
    write_jobs(opened, JOBS, {MAIN: "main", OTHER: "other"})
    yield opened
    opened.dispose()


def listing(
    engine: Engine,
    filter: str = "",
    sort: Sequence[str] = ("-created_at",),
    *,
    limit: int = 100,
    offset: int = 0,
    project: int = MAIN,
) -> tuple[list[str], int]:
    page, count = job_listing(
        project,
        JobQuery(filter=filter, sort=tuple(sort), limit=limit, offset=offset),
        dialect=engine.dialect.name,
        now=NOW,
    )
    with engine.connect() as conn:
        return [str(job_id) for job_id in conn.scalars(page)], int(conn.scalar(count) or 0)


def matching(engine: Engine, filter: str) -> set[str]:
    ids, total = listing(engine, filter)
    assert total == len(ids)
    return set(ids)


# -- filters ---------------------------------------------------------------------------------

FILTERS = [
    # params: numbers compare with numbers, strings with strings, booleans with booleans
    ("params.lr < 0.01", {"j01", "j06", "j07"}),
    ('params.lr = "auto"', {"j04"}),
    ("params.lr != 0.001", {"j02", "j03", "j07"}),
    ("not params.lr = 0.001", EVERY - {"j01", "j06"}),
    ("params.lr = null", {"j05"}),
    ("params.lr != null", EVERY - {"j05"}),
    ("params.lr exists", EVERY),
    ("params.opt exists", {"j01", "j02", "j03", "j05"}),
    ("params.opt = null", {"j04", "j06", "j07"}),
    ("params.fast = true", {"j01", "j06"}),
    ("params.fast != true", {"j02"}),
    ("params.fast = false", {"j02"}),
    ("params.layers >= 50", {"j02", "j06", "j07"}),
    ('params.opt > "b"', {"j02"}),
    ("params.`model.depth` = 18", {"j01"}),
    ("params.model.depth = 18", {"j01"}),  # the dotted key, as docs/sdk.md writes it
    ("params.model.depth exists", {"j01"}),
    ("params.sizes exists", {"j04"}),
    ("params.sizes = null", EVERY - {"j04"}),
    ("params.layers in (12, 18, null)", {"j01", "j03", "j04", "j05"}),
    ("params.layers not in (12, 18)", EVERY - {"j01", "j04"}),
    ('params.lr in ("auto", 0.1)', {"j03", "j04"}),
    # text search: case-insensitive, with % and _ taken literally
    ('params.opt contains "ADAM"', {"j01", "j03", "j05"}),
    ('params.note contains "50% off_"', {"j03"}),
    ('params.opt contains "_"', set()),
    ('name contains "_"', {"j04"}),
    ('name contains "%"', set()),
    ('name contains "RESNET"', {"j01", "j02", "j06", "j07"}),
    ('command contains "--depth"', {"j01", "j02"}),
    ('name ~ "^resnet-[0-9]+$"', {"j01", "j02", "j06", "j07"}),
    ('name matches "^resnet-1"', {"j01", "j06", "j07"}),
    ('name !~ "^resnet"', {"j03", "j04", "j05"}),
    ('params.opt ~ "^[a-z]+$"', {"j01", "j02", "j05"}),
    ('tags.stage ~ "^P"', {"j05"}),
    # job columns
    ('status in ("running", "queued")', {"j03", "j04"}),
    ('status not in ("completed")', EVERY - {"j01", "j06"}),
    ('status = "LOST"', {"j07"}),
    ('kind = "local"', {"j05"}),
    ('user = "ana" and params.layers >= 50', {"j02"}),
    ('id in ("j01", "j07", "x01")', {"j01", "j07"}),
    ('created_at >= "2026-11-05"', {"j05", "j06", "j07"}),
    ('created_at < "2026-11-02T00:00:00+01:00"', {"j01"}),
    ("started_at = null", {"j04"}),
    ("finished_at exists", {"j01", "j02", "j05", "j06"}),
    ('finished_at > "2026-11-01"', {"j01", "j02", "j05", "j06"}),
    ("duration > 3600", {"j03", "j06", "j07"}),
    ("duration >= 3600", {"j01", "j03", "j06", "j07"}),
    ("duration < 3600", {"j02", "j05"}),
    ("not duration < 3600", EVERY - {"j02", "j05"}),
    ("duration = null", {"j04"}),
    ("exit_code != 0", {"j02"}),
    ("exit_code = null", {"j03", "j04", "j05", "j07"}),
    ("priority > 0", {"j02", "j06"}),
    # numbers are never cut to integers, whatever the column
    ("exit_code < 0.5", {"j01", "j06"}),
    ("priority in (1, 5.5)", {"j02"}),
    ("params.layers in (12, 18.5)", {"j04"}),
    ("metrics.loss.count < 50.5", {"j02", "j03", "j07"}),
    # tags
    ('tags.stage = "prod"', {"j01", "j03", "j06"}),
    ('tags.stage contains "prod"', {"j01", "j03", "j05", "j06"}),
    ("tags.stage = null", {"j04"}),
    ("not tags.stage exists", {"j04"}),
    ("tags.owner exists", {"j03"}),
    ('tags.stage in ("dev", null)', {"j02", "j04", "j07"}),
    # metrics: NaN (j03's last) matches no comparison, but the metric exists
    ("metrics.loss.min < 0.2", {"j01", "j06"}),
    ("metrics.loss < 0.25", {"j01", "j06"}),
    ("metrics.loss.last > 0", {"j01", "j02", "j06", "j07"}),
    ("metrics.loss.max >= 0", {"j01", "j02", "j06", "j07"}),
    ("not metrics.loss.last > 0", {"j03", "j04", "j05"}),
    ("metrics.loss = null", {"j04", "j05"}),
    ("metrics.loss exists", {"j01", "j02", "j03", "j06", "j07"}),
    ("metrics.loss.count >= 50", {"j01", "j02", "j06"}),
    ("metrics.loss.last_step = 9", {"j03"}),
    ("metrics.acc.max in (0.95, 0.7)", {"j01", "j05"}),
    # logic
    (
        'params.lr < 0.01 and (tags.stage = "prod" or metrics.loss.min < 0.2)',
        {"j01", "j06"},
    ),
    ('not (tags.stage = "dev" or params.layers > 100)', {"j01", "j03", "j04", "j05"}),
    ('status = "completed" or user = "bob" and tags.owner exists', {"j01", "j03", "j06"}),
    ("not not params.fast = true", {"j01", "j06"}),
    ('(user = "ana" or user = "dave") and not (metrics.loss.last < 0.3)', {"j02", "j07"}),
]


@pytest.mark.parametrize(("text", "expected"), FILTERS, ids=[text for text, _ in FILTERS])
def test_filter(engine: Engine, text: str, expected: set[str]) -> None:
    assert matching(engine, text) == expected


@pytest.mark.parametrize(
    "pattern",
    [r"^resnet-\\d+$", "(?:s)+n", "(?i)RESNET", "t-1[0-9]*$", "s{1,2}n", "[_X]"],
)
def test_regexes_mean_the_same_on_both_databases(engine: Engine, pattern: str) -> None:
    written = pattern.replace("\\\\", "\\")  # the filter's string escapes
    expected = {job.id for job in JOBS if job.project == MAIN and re.search(written, job.name)}
    assert expected  # each pattern matches something
    assert matching(engine, f'name ~ "{pattern}"') == expected


def test_no_filter_lists_the_whole_project(engine: Engine) -> None:
    assert listing(engine)[1] == len(EVERY)
    assert listing(engine, project=OTHER) == (["x01"], 1)
    assert listing(engine, project=99) == ([], 0)


def test_values_travel_as_bound_parameters(engine: Engine) -> None:
    hostile = "x'; DROP TABLE jobs; --"
    query = JobQuery(filter=f'name = "{hostile}" or tags.stage = "{hostile}"')
    page, count = job_listing(MAIN, query, dialect=engine.dialect.name)
    assert "DROP TABLE" not in str(page.compile(engine))
    assert "DROP TABLE" not in str(count.compile(engine))
    assert matching(engine, f'name = "{hostile}"') == set()
    assert "jobs" in inspect(engine).get_table_names()


def test_deepest_nesting_and_long_chains_run(engine: Engine) -> None:
    deep = "(" * MAX_DEPTH + "params.lr < 0.01" + ")" * MAX_DEPTH
    assert matching(engine, deep) == {"j01", "j06", "j07"}
    nots = "not " * MAX_DEPTH + "params.fast = true"
    assert matching(engine, nots) == {"j01", "j06"}
    alternating = "params.lr < 0.01"
    for level in range(MAX_DEPTH // 2 - 1):  # each level is a 'not' and a '('
        alternating = f"not (params.layers = {1000 + level} or {alternating})"
    assert matching(engine, alternating) == EVERY - {"j01", "j06", "j07"}
    chain = " or ".join(f"params.layers = {n}" for n in range(300))
    assert matching(engine, chain) == {"j01", "j02", "j04", "j06", "j07"}


def test_a_bad_filter_or_sort_raises_a_query_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="unknown job field 'stauts'"):
        job_listing(MAIN, JobQuery(filter='stauts = "running"'), dialect="sqlite")
    with pytest.raises(QuerySyntaxError, match="unknown metric aggregate 'avg'"):
        job_listing(MAIN, JobQuery(sort=("metrics.loss.avg",)), dialect="postgresql")


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        (0, 0, "limit"),
        (1001, 0, "limit"),
        (-1, 0, "limit"),
        (True, 0, "limit"),
        (1.5, 0, "limit"),
        (10, -1, "offset"),
        (10, 2**31, "offset"),
        (10, "3", "offset"),
    ],
)
def test_page_bounds_are_checked(limit: object, offset: object, field: str) -> None:
    query = JobQuery(limit=limit, offset=offset)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError) as caught:
        job_listing(MAIN, query, dialect="sqlite")
    assert not isinstance(caught.value, QuerySyntaxError)
    assert caught.value.detail["errors"] == [{"field": field, "message": caught.value.message}]


def test_only_known_dialects() -> None:
    with pytest.raises(ValueError, match="unsupported database dialect 'mysql'"):
        job_listing(MAIN, JobQuery(), dialect="mysql")


# -- sorting ---------------------------------------------------------------------------------

SORTS = [
    (["-created_at"], ["j06", "j07", "j05", "j04", "j03", "j02", "j01"]),
    ([], ["j06", "j07", "j05", "j04", "j03", "j02", "j01"]),
    (["created_at"], ["j01", "j02", "j03", "j04", "j05", "j06", "j07"]),
    (["-id"], ["j07", "j06", "j05", "j04", "j03", "j02", "j01"]),
    (["metrics.loss.min"], ["j01", "j06", "j07", "j02", "j03", "j05", "j04"]),
    (["-metrics.loss.min"], ["j03", "j02", "j07", "j06", "j01", "j05", "j04"]),
    (["metrics.loss"], ["j06", "j01", "j07", "j02", "j05", "j04", "j03"]),  # NaN counts as missing
    (["-metrics.loss.count"], ["j06", "j01", "j02", "j07", "j03", "j05", "j04"]),
    (["params.lr"], ["j07", "j06", "j01", "j02", "j03", "j04", "j05"]),  # numbers, text, other
    (["-params.lr"], ["j03", "j02", "j06", "j01", "j07", "j04", "j05"]),
    (["tags.team"], ["j07", "j06", "j02", "j03", "j01", "j05", "j04"]),
    (["-tags.team"], ["j03", "j01", "j06", "j02", "j07", "j05", "j04"]),
    (["tags.team", "metrics.loss.min"], ["j07", "j06", "j02", "j01", "j03", "j05", "j04"]),
    (["tags.team", "-params.lr"], ["j07", "j02", "j06", "j03", "j01", "j04", "j05"]),
    (["-duration"], ["j03", "j07", "j06", "j01", "j02", "j05", "j04"]),
    (["duration"], ["j05", "j02", "j01", "j06", "j07", "j03", "j04"]),
    (["exit_code", "-priority"], ["j06", "j01", "j02", "j07", "j05", "j04", "j03"]),
    (["status", "-metrics.acc"], ["j05", "j01", "j06", "j02", "j07", "j04", "j03"]),
    (["-finished_at"], ["j06", "j05", "j02", "j01", "j07", "j04", "j03"]),
]


@pytest.mark.parametrize(("sort", "expected"), SORTS, ids=[",".join(s) or "-" for s, _ in SORTS])
def test_sort(engine: Engine, sort: list[str], expected: list[str]) -> None:
    assert listing(engine, sort=sort) == (expected, len(EVERY))


def test_sort_of_a_filtered_listing(engine: Engine) -> None:
    assert listing(engine, "params.lr < 0.01", ["-metrics.loss.min"]) == (["j07", "j06", "j01"], 3)
    assert listing(engine, 'name ~ "^resnet"', ["-name"]) == (["j02", "j01", "j07", "j06"], 4)
    assert listing(engine, 'not params.opt = "Adam"', ["params.opt"]) == (
        ["j01", "j05", "j02", "j06", "j07", "j04"],
        6,
    )


@pytest.mark.parametrize("sort", [["-created_at"], ["metrics.loss.min"], ["-params.lr"]])
def test_pages_cut_the_full_order(engine: Engine, sort: list[str]) -> None:
    full, total = listing(engine, sort=sort)
    for limit in (1, 2, 3):
        for offset in range(total + 1):
            page = listing(engine, sort=sort, limit=limit, offset=offset)
            assert page == (full[offset : offset + limit], total)


def test_the_store_can_load_a_page_in_order(engine: Engine) -> None:
    query = JobQuery(sort=("metrics.loss.min",), limit=3)
    page, _ = job_listing(MAIN, query, dialect=engine.dialect.name)
    with engine.connect() as conn:
        rows = conn.execute(page).all()
    assert [tuple(row) for row in rows] == [("j01",), ("j06",), ("j07",)]
    assert len(page.selected_columns) == 1


def test_params_are_encoded_as_the_tests_assume(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ParamRow.key, ParamRow.value_json, ParamRow.value_num, ParamRow.value_text)
            .where(ParamRow.job_id == "j01")
            .order_by(ParamRow.key)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("fast", "true", None, None),
        ("layers", "18", 18.0, None),
        ("lr", "0.001", 0.001, None),
        ("model.depth", "18", 18.0, None),
        ("opt", json.dumps("adam"), None, "adam"),
    ]
