"""The job query language: filters and sort fields for the job listing.

``parse_filter`` and ``parse_sort`` turn text into a syntax tree (``nodes``) or raise
``QuerySyntaxError`` pointing at the offending character; ``compile_filter`` turns a tree
into a SQLAlchemy condition; ``job_listing`` builds the page and count selects that
``SqlStore.list_jobs`` runs. The language is specified in docs/rest-api.md#filters.
"""

from atlas.store.query.compile import DIALECTS, compile_filter
from atlas.store.query.listing import MAX_LIMIT, job_listing
from atlas.store.query.parse import MAX_DEPTH, MAX_SORT_KEYS, parse_filter, parse_sort

__all__ = [
    "DIALECTS",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "MAX_SORT_KEYS",
    "compile_filter",
    "job_listing",
    "parse_filter",
    "parse_sort",
]
