"""The job query language: filters and sort fields for the job listing.

``parse_filter`` and ``parse_sort`` turn text into a syntax tree (``nodes``) or raise
``QuerySyntaxError`` pointing at the offending character; ``compile_filter`` turns a tree
into a SQLAlchemy condition and ``filter_job_ids`` into a select of matching ids;
``job_listing`` builds the page and count selects that
``SqlStore.list_jobs`` runs. The language is specified in docs/rest-api.md#filters.
"""

from atlas.store.query.compile import DIALECTS, compile_filter, filter_job_ids
from atlas.store.query.listing import MAX_LIMIT, MAX_OFFSET, job_listing
from atlas.store.query.parse import MAX_DEPTH, MAX_SORT_KEYS, parse_filter, parse_sort

__all__ = [
    "DIALECTS",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_SORT_KEYS",
    "compile_filter",
    "filter_job_ids",
    "job_listing",
    "parse_filter",
    "parse_sort",
]
