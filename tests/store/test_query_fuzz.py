"""Random filters and regexes (seeded, so a failure replays, and hypothesis): the parser only
ever raises ``QuerySyntaxError``, and every regex it accepts finds the same strings with
SQLite's RE2 as with PostgreSQL's ``~``."""

from __future__ import annotations

import random
from collections.abc import Callable

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.errors import QuerySyntaxError
from atlas.store.api import JobQuery
from atlas.store.query import job_listing, parse_filter, parse_sort
from atlas.store.query.regex import (
    UnportableRegexError,
    check_pattern,
    postgres_pattern,
    sqlite_regexp,
)

ROUNDS = 3000
FILTER_ROUNDS = 1000

PIECES = [
    "a", "b", "c", "A", "é", " ", ".", "*", "+", "?", "|", "(", ")", "(?:", "(?i)", "[", "[^",
    "]", "^", "$", "-", ",", "{", "}", "{2}", "{1,2}", "{0,}", "\\d", "\\w", "\\s", "\\D",
    "\\W", "\\S", "\\.", "\\[", "\\]", "\\\\", "\\n", "\\t", "\\-", "\\{",
    "\\A", "\\v", "\\f", "\\r", "\\a", "*?", "+?", "??", "{2,}", "{3,1}", "()", "(|",
    "[à-ü]", "[a-", "[]", "[^]", "\\}", "\\$", "\\^", "\\|", "\\(", "\\)", "\\*",
]  # fmt: skip
SAMPLES = [
    "", "a", "ab", "aab", "abc", "ba", "cab", "a\nb", "a-b_c", "A1 b2", "é", "É", "[x]", "{1}",
    "a.b", "aaa!", "\t", "x\vy", "12", "a,b", "^$", "\\", "-", "a{2}", "٤",
    "ü", "(a)", "a|b", "$", "*", "\r\n", "\x07", "\f", "a}", "Ab",
]  # fmt: skip
FILTER_PIECES = [
    "name", "params.lr", "params.model.layers", "tags.a.b", "metrics.loss.min", "status",
    "created_at", "exit_code", "=", "!=", "<", ">=", "~", "!~", "in", "not", "and", "or",
    "contains", "exists", "(", ")", ",", '"x"', '"(a+)+$"', "'2026-11-01'", "1", "-0",
    "1e999", "0.5", "9" * 30, "0" * 4301 + "1", "true", "null", "`a.b`", "NaN", "\\", '"',
    ".", "-", "+",
]  # fmt: skip

FIELDS = ["name", "params.lr", "params.model.layers", "tags.a.b", "metrics.loss.min", "exit_code"]
OPERATORS = ["=", "!=", "<", ">=", "~", "!~", "contains"]
VALUES = ['"x"', '"(a+)+$"', "1", "-0", "1e999", "0.5", "9" * 30, "0" * 4301 + "1", "1e-400"]


def _random_pattern(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))


@pytest.mark.postgres
def test_accepted_regexes_find_the_same_strings_on_both_databases(postgres_url: str) -> None:
    rng = random.Random(20261205)
    accepted = 0
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as pg:
        for _ in range(ROUNDS):
            pattern = _random_pattern(rng)
            try:
                check_pattern(pattern)
            except UnportableRegexError:
                continue
            accepted += 1
            row = pg.execute(
                "SELECT array_agg(s ~ %s ORDER BY i) FROM unnest(%s::text[])"
                " WITH ORDINALITY AS t(s, i)",
                (postgres_pattern(pattern), SAMPLES),
            ).fetchone()
            assert row is not None
            on_sqlite = [sqlite_regexp(pattern, sample) for sample in SAMPLES]
            assert row[0] == on_sqlite, pattern
    assert accepted > ROUNDS // 10  # the test compares many patterns, not only refusals


def _random_filter(rng: random.Random) -> str:
    """Predicates joined by and/or, some with a token swapped for a random piece."""
    words: list[str] = []
    for index in range(rng.randint(1, 3)):
        if index:
            words.append(rng.choice(["and", "or", "and not"]))
        words += [rng.choice(FIELDS), rng.choice(OPERATORS), rng.choice(VALUES)]
    if rng.random() < 0.5:
        words[rng.randrange(len(words))] = rng.choice(FILTER_PIECES)
    return " ".join(words)


def _query_error(parse: Callable[[str], object], text: str) -> QuerySyntaxError | None:
    try:
        parse(text)
    except QuerySyntaxError as error:
        return error
    return None


def test_the_parser_raises_only_query_syntax_errors() -> None:
    rng = random.Random(1205)
    parsed = 0
    for _ in range(FILTER_ROUNDS):
        text = _random_filter(rng)
        for parse in (parse_filter, parse_sort):
            error = _query_error(parse, text)
            if error is not None:
                assert 0 <= int(str(error.detail["position"])) <= len(text), text
            elif parse is parse_filter:
                parsed += 1
                for dialect in ("sqlite", "postgresql"):
                    job_listing(1, JobQuery(filter=text), dialect=dialect)
    assert parsed > FILTER_ROUNDS // 10


REGEX_CHARACTERS = "ab.*+?|()[]^$-,{}\\dwsDWSAbz1:=<!iP "
QUERY_CHARACTERS = "params.lrmetics~=<>!() \"'`,-+0123456789eE_"
HYPOTHESIS = settings(max_examples=400, deadline=None, database=None)


@HYPOTHESIS
@given(st.text(alphabet=QUERY_CHARACTERS, max_size=40) | st.text(max_size=40))
def test_any_text_is_a_filter_a_sort_or_a_query_error(text: str) -> None:
    for parse in (parse_filter, parse_sort):
        _query_error(parse, text)  # anything else propagates and fails


@HYPOTHESIS
@given(st.text(alphabet=REGEX_CHARACTERS, max_size=16))
def test_any_pattern_is_portable_or_refused(pattern: str) -> None:
    try:
        check_pattern(pattern)
    except UnportableRegexError:
        return
    postgres_pattern(pattern)
    for sample in SAMPLES:
        sqlite_regexp(pattern, sample)
