"""Regex filters mean the same on every backend, or are refused before reaching one."""

from __future__ import annotations

import pytest

from atlas.domain import JobSpec
from atlas.errors import QuerySyntaxError
from atlas.store.api import JobQuery
from atlas.store.sql_store import SqlStore


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"\\N{LATIN SMALL LETTER A}", "named characters"),
        (r"[[:alpha:]]+", "POSIX classes"),
        (r"[[a]", "ambiguous set"),
    ],
)
def test_regexes_the_backends_read_differently_are_refused(
    store: SqlStore, pattern: str, reason: str
) -> None:
    store.create_job(JobSpec("regexes", name="abc"))
    with pytest.raises(QuerySyntaxError, match=reason):
        store.list_jobs("regexes", JobQuery(filter=f'name ~ "{pattern}"'))


@pytest.mark.parametrize(("pattern", "total"), [("(?=a)b", 0), ("^a.c$", 1), ("[a-c]{3}", 1)])
def test_regex_forms_both_databases_share(store: SqlStore, pattern: str, total: int) -> None:
    store.create_job(JobSpec("regexes", name="abc"))
    assert store.list_jobs("regexes", JobQuery(filter=f'name ~ "{pattern}"')).total == total
