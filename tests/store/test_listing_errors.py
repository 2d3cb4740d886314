"""A filter the database itself refuses is the client's error, on every backend."""

from __future__ import annotations

import warnings

import pytest

from atlas.errors import QuerySyntaxError
from atlas.store.api import JobQuery
from atlas.store.sql_store import SqlStore


@pytest.mark.parametrize("pattern", [r"\\N{LATIN SMALL LETTER A}", r"[[:alpha:]]+", "(?=a)b"])
def test_regex_corners_answer_or_refuse_cleanly(store: SqlStore, pattern: str) -> None:
    store.create_job("regexes", name="abc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Python's warning on "[[" sets
        try:
            page = store.list_jobs("regexes", JobQuery(filter=f'name ~ "{pattern}"'))
        except QuerySyntaxError as exc:
            assert exc.detail["query"] == f'name ~ "{pattern}"'
        else:
            assert page.total in (0, 1)
