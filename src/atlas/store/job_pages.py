"""Reading jobs whole: one job, or a page of a project's jobs, in a fixed number of queries."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, select
from sqlalchemy.exc import DataError

from atlas.domain import Job, Page
from atlas.errors import NotFoundError, QuerySyntaxError, QueryTooExpensiveError
from atlas.names import is_storable
from atlas.store.api import JobQuery
from atlas.store.attributes import load_params, load_tags
from atlas.store.conversions import job_from_row
from atlas.store.engine import statement_deadline
from atlas.store.metrics import load_summaries
from atlas.store.projects import project_id
from atlas.store.query.listing import job_listing
from atlas.store.tables import jobs_table, projects_table

__all__ = ["get_job", "list_jobs", "load_jobs"]


def get_job(conn: Connection, job_id: str) -> Job:
    """The job with its params, tags and metric summaries; ``NotFoundError`` if none."""
    found = load_jobs(conn, [job_id])
    if not found:
        raise NotFoundError(f"job {job_id} not found", detail={"job_id": job_id})
    return found[0]


def list_jobs(conn: Connection, project: str, query: JobQuery, *, time_limit: float) -> Page[Job]:
    """A page of the project's jobs as ``query`` filters, sorts and slices them
    (``QuerySyntaxError`` for a bad filter or sort, ``InvalidInputError`` for a bad page,
    ``QueryTooExpensiveError`` when the database works on it past ``time_limit`` seconds)."""
    pid = project_id(conn, project)
    page_ids, count = job_listing(pid, query, dialect=conn.dialect.name)
    deadline = time.monotonic() + time_limit
    try:
        # Page and count share the limit: the count gets what the page left.
        with statement_deadline(conn, time_limit):
            job_ids = [str(job_id) for job_id in conn.scalars(page_ids)]
        with statement_deadline(conn, deadline - time.monotonic()):
            total = int(conn.scalar(count) or 0)
    except TimeoutError:
        raise QueryTooExpensiveError(
            f"the listing ran longer than {time_limit:g} s and was stopped; narrow the filter "
            "(a more specific regex, fewer alternatives) or filter on indexed fields first",
            detail={"limit_s": time_limit, "filter": query.filter[:200], "sort": list(query.sort)},
        ) from None
    except DataError as exc:
        # The parser keeps regexes to a subset PostgreSQL reads as RE2 does (query.regex);
        # should PostgreSQL still refuse one, it is the client's error, not the server's.
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
        raise QuerySyntaxError.at(
            f"the database refused the filter ({reason})", query=query.filter, position=0
        ) from None
    return Page(items=load_jobs(conn, job_ids), total=total, limit=query.limit, offset=query.offset)


def load_jobs(conn: Connection, job_ids: Sequence[str]) -> list[Job]:
    """The jobs ``job_ids`` in that order (missing ones left out), each with its params, tags
    and metric summaries: four queries whatever the number of jobs."""
    job_ids = [job_id for job_id in job_ids if is_storable(job_id)]
    if not job_ids:
        return []
    j, p = jobs_table, projects_table
    rows = conn.execute(
        select(j, p.c.name.label("project_name"))
        .join(p, p.c.id == j.c.project_id)
        .where(j.c.id.in_(job_ids))
    ).all()
    by_id = {row.id: row for row in rows}
    params = load_params(conn, list(by_id))
    tags = load_tags(conn, list(by_id))
    summaries = load_summaries(conn, list(by_id))
    return [
        job_from_row(
            by_id[job_id],
            by_id[job_id].project_name,
            params=params[job_id],
            tags=tags[job_id],
            metrics=summaries[job_id],
        )
        for job_id in job_ids
        if job_id in by_id
    ]
