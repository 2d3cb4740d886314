"""Random filters and sorts, checked against a plain-Python reading of the query language.

A project of generated jobs (ties, NaN metrics, missing and JSON-null params, text and
boolean params) is written once per database; each random query's page and count must equal
what the rules of docs/rest-api.md#filters give when applied in Python to the same jobs.
"""

from __future__ import annotations

import functools
import operator
import random
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.store.test_query_listing import Job, write_jobs

from atlas.store.api import JobQuery
from atlas.store.engine import make_engine
from atlas.store.query import job_listing, parse_filter, parse_sort
from atlas.store.query.nodes import (
    And,
    Compare,
    Contains,
    Exists,
    Expr,
    Field,
    FieldKind,
    InList,
    Matches,
    Not,
    Or,
    SortKey,
    Value,
    ValueKind,
)
from atlas.store.tables import Base

NOW = datetime(2026, 11, 20, tzinfo=UTC)
PROJECT = 7
MISSING = object()  # a param, tag or metric the job does not have


def _generate_jobs(count: int) -> list[Job]:
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta"]
    jobs = []
    for index in range(count):
        created = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(12))
        started = rng.choice([None, created + timedelta(seconds=rng.randrange(1, 100))])
        finished = None
        if started is not None and rng.random() < 0.7:
            finished = started + timedelta(seconds=rng.choice([30, 600, 3600, 5000]))
        jobs.append(
            Job(
                id=f"r{index:03d}",
                name=f"run-{index}-{rng.choice(words)}",
                user=rng.choice(["ana", "bob", "eve"]),
                status=rng.choice(["queued", "running", "completed", "failed"]),
                created=created,
                started=started,
                finished=finished,
                exit_code=rng.choice([None, 0, 1]),
                priority=rng.randrange(3),
                project=PROJECT,
                params=_params(rng),
                tags={key: rng.choice(["dev", "prod", "test"]) for key in ("stage", "team")
                      if rng.random() < 0.7},
                metrics=_metrics(rng),
            )
        )  # fmt: skip
    return jobs


def _params(rng: random.Random) -> dict[str, object]:
    choices: dict[str, list[object]] = {
        "lr": [0.1, 0.01, 0.001, 0.01, "auto", None],
        "opt": ["adam", "sgd", "adamw", 3],
        "layers": [1, 2, 3, 10],
        "flag": [True, False],
    }
    return {key: rng.choice(values) for key, values in choices.items() if rng.random() < 0.8}


def _metrics(
    rng: random.Random,
) -> dict[str, tuple[float | None, float | None, float | None, int, int]]:
    found = {}
    for key in ("loss", "acc"):
        if rng.random() < 0.75:
            values = [rng.choice([None, 0.1, 0.2, 0.5, 0.9]) for _ in range(3)]
            count = rng.choice([1, 5, 50])
            found[key] = (values[0], values[1], values[2], count, count - 1)
    return found


JOBS = _generate_jobs(60)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        opened = make_engine(f"sqlite:///{tmp_path_factory.mktemp('oracle') / 'atlas.db'}")
        Base.metadata.create_all(opened)
    else:
        opened = make_engine(str(request.getfixturevalue("postgres_url")))
    write_jobs(opened, JOBS, {PROJECT: "random"})
    yield opened
    opened.dispose()


# -- the rules, in Python --------------------------------------------------------------------


def lookup(job: Job, field: Field) -> Any:
    if field.kind is FieldKind.PARAM:
        return job.params.get(field.name, MISSING)
    if field.kind is FieldKind.TAG:
        return job.tags.get(field.name, MISSING)
    if field.kind is FieldKind.METRIC:
        summary = job.metrics.get(field.name)
        if summary is None:
            return MISSING
        names = ["last", "min", "max", "count", "last_step"]
        return summary[names.index(field.agg or "last")]
    if field.name == "duration":
        if job.started is None:
            return None
        return ((job.finished or NOW) - job.started).total_seconds()
    columns = {"created_at": job.created, "started_at": job.started}
    columns |= {"finished_at": job.finished, "exit_code": job.exit_code}
    return columns.get(field.name, getattr(job, field.name, None))


def _is_unset(field: Field, value: Any) -> bool:
    if field.kind is FieldKind.METRIC:
        return value is MISSING  # a NaN metric still exists
    return value is MISSING or value is None


def _same_type(value: Any, literal: Value) -> bool:
    if literal.kind is ValueKind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if literal.kind is ValueKind.BOOL:
        return isinstance(value, bool)
    if literal.kind is ValueKind.TIME:
        return isinstance(value, datetime)
    return isinstance(value, str)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(field: Field, op: str, literal: Value, value: Any) -> bool:
    if literal.kind is ValueKind.NULL:
        return _is_unset(field, value) == (op == "=")
    if not _same_type(value, literal):
        return False
    return OPERATORS[op](value, literal.data)


def holds(expr: Expr, job: Job) -> bool:
    if isinstance(expr, And):
        return all(holds(item, job) for item in expr.items)
    if isinstance(expr, Or):
        return any(holds(item, job) for item in expr.items)
    if isinstance(expr, Not):
        return not holds(expr.item, job)
    value = lookup(job, expr.field)
    if isinstance(expr, Compare):
        return compare(expr.field, expr.op, expr.value, value)
    if isinstance(expr, InList):
        found = any(compare(expr.field, "=", literal, value) for literal in expr.values)
        return found != expr.negated
    if isinstance(expr, Contains):
        return isinstance(value, str) and expr.text.lower() in value.lower()
    if isinstance(expr, Matches):
        return isinstance(value, str) and re.search(expr.pattern, value) is not None
    assert isinstance(expr, Exists)
    if expr.field.kind is FieldKind.JOB:
        return value is not None
    return value is not MISSING  # a JSON-null param and a NaN metric exist


def _sort_parts(key: SortKey, job: Job) -> tuple[int, Any]:
    """(group, value): group 0 sorts first whatever the direction; the last group is missing."""
    value = lookup(job, key.field)
    if key.field.kind is FieldKind.PARAM:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return 0, value
        return (1, value) if isinstance(value, str) else (2, None)
    return (1, None) if value is MISSING or value is None else (0, value)


def _compare_jobs(keys: list[SortKey], left: Job, right: Job) -> int:
    for key in keys:
        (left_group, left_value), (right_group, right_value) = (
            _sort_parts(key, left),
            _sort_parts(key, right),
        )
        if left_group != right_group:
            return -1 if left_group < right_group else 1
        if left_value is None or left_value == right_value:
            continue
        order = -1 if left_value < right_value else 1
        return -order if key.descending else order
    return 0


def expected_page(filter: str, sort: list[str], limit: int, offset: int) -> tuple[list[str], int]:
    expr = parse_filter(filter)
    keys = parse_sort(sort)
    named = {key.field.name for key in keys if key.field.kind is FieldKind.JOB}
    if "created_at" not in named:
        keys.append(SortKey(Field(FieldKind.JOB, "created_at"), descending=True))
    if "id" not in named:
        keys.append(SortKey(Field(FieldKind.JOB, "id")))
    found = [job for job in JOBS if expr is None or holds(expr, job)]
    found.sort(key=functools.cmp_to_key(functools.partial(_compare_jobs, keys)))
    return [job.id for job in found[offset : offset + limit]], len(found)


# -- random queries --------------------------------------------------------------------------

VALUES = {
    "params.lr": ["0.01", "0.001", "0.1", '"auto"', "null"],
    "params.opt": ['"adam"', '"sgd"', "3", '"zzz"', "null"],
    "params.layers": ["2", "3", "10", "2.5"],
    "params.flag": ["true", "false"],
    "tags.stage": ['"dev"', '"prod"', "null"],
    "tags.team": ['"test"', '"prod"'],
    "metrics.loss": ["0.2", "0.5", "null"],
    "metrics.loss.min": ["0.1", "0.5"],
    "metrics.acc.count": ["5", "50"],
    "metrics.acc.last_step": ["4", "0"],
    "status": ['"running"', '"completed"', '"failed"'],
    "user": ['"ana"', '"eve"'],
    "priority": ["0", "1", "2"],
    "exit_code": ["0", "1", "null"],
    "created_at": ['"2026-11-01T05:00:00Z"', '"2026-11-01T08:30:00+00:00"'],
    "finished_at": ['"2026-11-01T06:00:00Z"', "null"],
    "duration": ["600", "3600", "100000", "null"],
}
TEXT_FIELDS = ["params.opt", "params.lr", "tags.stage", "name", "user"]
NEEDLES = ['"a"', '"AD"', '"run-1"', '"Prod"', '"%"', '"_"']
PATTERNS = ['"^run-[0-9]$"', '"a$"', '"(dev|test)"', '"^ad"']


def random_predicate(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        field = rng.choice(list(VALUES))
        op = rng.choice(["=", "!=", "<", "<=", ">", ">="])
        value = rng.choice(VALUES[field])
        if value in ("null", "true", "false") or field == "status":
            op = rng.choice(["=", "!="])
        return f"{field} {op} {value}"
    if roll < 0.7:
        field = rng.choice(list(VALUES))
        values = [v for v in rng.sample(VALUES[field], k=min(3, len(VALUES[field])))]
        return f"{field} {rng.choice(['in', 'not in'])} ({', '.join(values)})"
    if roll < 0.8:
        return f"{rng.choice(TEXT_FIELDS)} contains {rng.choice(NEEDLES)}"
    if roll < 0.9:
        return f"{rng.choice(TEXT_FIELDS)} ~ {rng.choice(PATTERNS)}"
    field = rng.choice([*VALUES, "params.nope", "metrics.nope"])
    return f"{field} exists"


def random_filter(rng: random.Random, depth: int = 0) -> str:
    if depth >= 3 or rng.random() < 0.4:
        return random_predicate(rng)
    roll = rng.random()
    if roll < 0.2:
        return f"not ({random_filter(rng, depth + 1)})"
    joiner = " and " if roll < 0.6 else " or "
    return joiner.join(random_filter(rng, depth + 1) for _ in range(rng.randrange(2, 4)))


SORTABLE = [
    "params.lr", "params.opt", "params.layers", "params.flag", "tags.stage", "tags.team",
    "metrics.loss", "metrics.loss.min", "metrics.acc.max", "metrics.acc.count", "status",
    "created_at", "finished_at", "duration", "exit_code", "priority", "id", "user",
]  # fmt: skip


def random_sort(rng: random.Random) -> list[str]:
    fields = rng.sample(SORTABLE, k=rng.randrange(0, 4))
    return [("-" if rng.random() < 0.5 else "") + name for name in fields]


def actual_page(
    engine: Engine, filter: str, sort: list[str], limit: int, offset: int
) -> tuple[list[str], int]:
    query = JobQuery(filter=filter, sort=tuple(sort), limit=limit, offset=offset)
    page, count = job_listing(PROJECT, query, dialect=engine.dialect.name, now=NOW)
    with engine.connect() as conn:
        return [str(job_id) for job_id in conn.scalars(page)], int(conn.scalar(count) or 0)


def test_random_filters_match_the_rules(engine: Engine) -> None:
    rng = random.Random(41)
    totals = set()
    for _ in range(250):
        text = random_filter(rng)
        expected = expected_page(text, [], 1000, 0)
        assert actual_page(engine, text, [], 1000, 0) == expected, text
        totals.add(expected[1])
    assert len(totals) > 20  # the filters are varied, not all empty or all full


def test_random_sorts_and_pages_match_the_rules(engine: Engine) -> None:
    rng = random.Random(42)
    for _ in range(200):
        sort = random_sort(rng)
        text = random_filter(rng) if rng.random() < 0.4 else ""
        limit, offset = rng.choice([1, 5, 20, 100]), rng.choice([0, 0, 3, 17, 45, 70])
        expected = expected_page(text, sort, limit, offset)
        assert actual_page(engine, text, sort, limit, offset) == expected, (text, sort, offset)
