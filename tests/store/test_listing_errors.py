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
        (r"[[a]", r"'\[' inside \[\.\.\.\] must be escaped"),
        (r"(?=a)b", "lookarounds"),
        (r"(a)\\1", "backreferences"),
        (r"\\bc", "word boundaries"),
        (r"\\x61", "\\\\x escapes"),
        (r"\\pL", "Unicode classes"),
        (r"a\\z", "\\\\z is not supported"),
        (r"a{256}", "repeat count above 255"),
        (r"(?m)^b", "flags are not supported"),
        (r"a{,2}", "a literal '{' must be escaped"),
    ],
)
def test_regexes_the_backends_read_differently_are_refused(
    store: SqlStore, pattern: str, reason: str
) -> None:
    store.create_job(JobSpec("regexes", name="abc"))
    with pytest.raises(QuerySyntaxError, match=reason) as caught:
        store.list_jobs("regexes", JobQuery(filter=f'name ~ "{pattern}"'))
    assert caught.value.detail["position"] == len("name ~ ")


# Text values (as params) and what each pattern finds in them: the same on both databases.
VALUES = {
    "plain": "abc",
    "accented": "été",
    "upper_accented": "ÉTÉ",
    "two_lines": "a\nb",
    "tabbed": "x\ty",
    "vertical_tab": "x\vy",
    "digits": "run-42",
    "arabic_digits": "run-٤٢",
    "dotted": "v1.2",
    "bracket": "a]b",
    "evil": "a" * 40 + "!",
}
PATTERNS = [
    ("^a.c$", {"plain"}),
    ("[a-c]{3}", {"plain", "evil"}),
    ("a.b", {"two_lines", "bracket"}),  # '.' matches a newline on both
    ("^b", set()),  # '^' and '$' are the ends of the value, not of a line
    ("a$", set()),
    (r"^\\w+$", {"plain"}),  # \w, \d and \s are ASCII on both
    (r"\\d", {"digits", "dotted"}),
    (r"x\\sy", {"tabbed"}),
    (r"x[\\s]y", {"tabbed"}),
    (r"^[\\w-]+$", {"plain", "digits"}),
    (r"\\W", {"accented", "upper_accented", "two_lines", "tabbed", "vertical_tab"}
     | {"digits", "arabic_digits", "dotted", "bracket", "evil"}),
    ("(?i)^été$", {"accented", "upper_accented"}),
    (r"v1\\.2", {"dotted"}),
    ("[]]", {"bracket"}),
    ("[^]a-z]b", {"two_lines"}),
    ("(a+)+$", set()),
    ("(a|aa)+!$", {"evil"}),
    ("(.*a){20}", {"evil"}),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "expected"), PATTERNS, ids=[p for p, _ in PATTERNS])
def test_a_regex_finds_the_same_values_on_both_databases(
    store: SqlStore, pattern: str, expected: set[str]
) -> None:
    for name, value in VALUES.items():
        store.create_job(JobSpec("regexes", name=name, params={"v": value}))
    page = store.list_jobs("regexes", JobQuery(filter=f'params.v ~ "{pattern}"'))
    assert {job.name for job in page.items} == expected
