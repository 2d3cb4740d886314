"""Reads of the GUI workspace over many jobs at once (docs/rest-api.md, "Workspace"):
fields of up to ``MAX_VALUES_JOBS`` jobs as columns, row groups with summaries, a project's
param importances, and many series in one request."""

from __future__ import annotations

from typing import Annotated, cast, get_args

import anyio
from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from atlas.names import (
    MAX_GROUP_FIELDS,
    MAX_GROUP_SUMMARIES,
    MAX_IMPORTANCE_PARAMS,
    MAX_SERIES_PAIRS,
    MAX_VALUE_FIELDS,
    MAX_VALUES_JOBS,
    invalid,
)
from atlas.server.auth.access import Caller, Need, Of, ProjectViewer, access
from atlas.server.deps import ProjectPath, StoreDep, listing_threads
from atlas.server.project_importances import project_importances
from atlas.server.workspace_schemas import (
    Encoding,
    GroupsOut,
    Include,
    JobValuesOut,
    ProjectImportancesOut,
    SeriesBatchIn,
    SeriesBatchOut,
)
from atlas.store.api import Store
from atlas.store.query.lexer import MAX_QUERY_LENGTH

__all__ = ["router", "split_fields"]

router = APIRouter(tags=["workspace"])

SeriesReader = Annotated[Caller, access(Need.VIEWER, Of.BODY, audit=False)]
"""A viewer of the project of every job the body names; a read, so not audited."""

Filter = Annotated[
    str, Query(max_length=MAX_QUERY_LENGTH, description="a job query (docs/rest-api.md#filters)")
]


def split_fields(text: str, *, name: str, most: int) -> list[str]:
    """The comma-separated field names of ``text`` (commas inside backticks or quotes are
    part of a name), each once; ``InvalidInputError`` for none or more than ``most``."""
    fields: list[str] = []
    current: list[str] = []
    quote: str | None = None
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quote is not None:
            escaped = True
        elif quote is not None and char == quote:
            quote = None
        elif quote is None and char in "`\"'":
            quote = char
        elif quote is None and char == ",":
            fields.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    fields.append("".join(current).strip())
    found = list(dict.fromkeys(field for field in fields if field))
    if not found:
        raise invalid(name, f"{name}: name at least one field")
    if len(found) > most:
        raise invalid(name, f"{name}: at most {most} fields, not {len(found)}")
    return found


@router.get("/projects/{name}/jobs/values", response_model=JobValuesOut)
async def job_values(
    caller: ProjectViewer,
    request: Request,
    name: ProjectPath,
    store: StoreDep,
    fields: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description=f"at most {MAX_VALUE_FIELDS} comma-separated fields, named as in "
            "filters and sort: params.lr, metrics.loss.min, tags.stage, status",
            json_schema_extra={"x-max-items": MAX_VALUE_FIELDS},
        ),
    ],
    filter: Filter = "",
    limit: Annotated[int, Query(ge=1, le=MAX_VALUES_JOBS)] = MAX_VALUES_JOBS,
    include: Annotated[
        str,
        Query(
            max_length=100,
            description="which of `names`, `statuses` to answer, comma-separated (empty: "
            "neither, only ids and the fields)",
        ),
    ] = "names,statuses",
    encoding: Annotated[
        Encoding,
        Query(
            description="`base64`: ids as one string and numeric columns as base64 float64 "
            "with a null mask (docs/rest-api.md#fields-of-many-jobs)"
        ),
    ] = "json",
) -> Response:
    """Fields of the newest ``limit`` jobs the filter matches, as columns in the order of
    ``ids`` (null where a job lacks a field): one query per kind of field."""
    names = split_fields(fields, name="fields", most=MAX_VALUE_FIELDS)
    included = _included(include)

    def read() -> bytes:
        found = store.job_values(name, names, filter=filter, limit=limit, with_names=bool(included))
        return JobValuesOut.from_domain(found, encoding=encoding, include=included).dump()

    body = await anyio.to_thread.run_sync(read, limiter=listing_threads(request))
    return Response(body, media_type="application/json")


def _included(text: str) -> frozenset[Include]:
    parts = {part.strip() for part in text.split(",")} - {""}
    unknown = sorted(parts - set(get_args(Include)))
    if unknown:
        raise invalid("include", f"include: {unknown[0]!r} is not names or statuses")
    return frozenset(cast(set[Include], parts))


@router.get("/projects/{name}/jobs/groups")
async def job_groups(
    caller: ProjectViewer,
    request: Request,
    name: ProjectPath,
    store: StoreDep,
    by: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description=f"at most {MAX_GROUP_FIELDS} comma-separated fields to group by",
            json_schema_extra={"x-max-items": MAX_GROUP_FIELDS},
        ),
    ],
    metrics: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description=f"at most {MAX_GROUP_SUMMARIES} comma-separated metrics to summarise",
            json_schema_extra={"x-max-items": MAX_GROUP_SUMMARIES},
        ),
    ] = "",
    filter: Filter = "",
    sort: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="the table's sort: its keys on a grouped field or a summarised metric "
            "order the groups (by value, by mean); the others are ignored",
        ),
    ] = "",
) -> GroupsOut:
    """The jobs the filter matches grouped by their values of ``by`` (null: the jobs that
    lack the field), each group's count and the mean, min and max of each metric; ordered
    by ``sort`` where it names a grouped field or a metric, then by the values; at most
    1,000 groups (422 past them)."""
    fields = split_fields(by, name="by", most=MAX_GROUP_FIELDS)
    summed = split_fields(metrics, name="metrics", most=MAX_GROUP_SUMMARIES) if metrics else []

    def read() -> GroupsOut:
        return GroupsOut.from_domain(
            store.job_groups(name, fields, summed, filter=filter, sort=sort)
        )

    return await anyio.to_thread.run_sync(read, limiter=listing_threads(request))


@router.get("/projects/{name}/importances")
async def get_importances(
    request: Request,
    caller: ProjectViewer,
    name: ProjectPath,
    store: StoreDep,
    metric: Annotated[
        str, Query(max_length=MAX_QUERY_LENGTH, description="a metric: metrics.loss.min")
    ],
    filter: Filter = "",
    params: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description=f"comma-separated param keys (default: every param, at most "
            f"{MAX_IMPORTANCE_PARAMS})",
        ),
    ] = "",
) -> ProjectImportancesOut:
    """Each param's Spearman rank correlation with ``metric`` and its model-based
    importance (Optuna's default evaluator, as for sweeps), most important first, over the
    newest 5,000 matching jobs that have the metric; empty with a ``reason`` below 3."""
    keys = [key.strip() for key in params.split(",") if key.strip()]
    if len(keys) > MAX_IMPORTANCE_PARAMS:
        raise invalid("params", f"at most {MAX_IMPORTANCE_PARAMS} params")
    # A model fit over up to 5,000 jobs: in the listing threads, as the values read is.
    return await anyio.to_thread.run_sync(
        lambda: project_importances(store, name, metric=metric, filter=filter, params=keys),
        limiter=listing_threads(request),
    )


@router.post("/series", response_model=SeriesBatchOut)
async def read_series_batch(caller: SeriesReader, body: SeriesBatchIn, store: StoreDep) -> Response:
    """Many series in one request: every key of ``keys`` of every job of ``jobs`` (at most
    2,000 pairs), each as ``GET /jobs/{id}/metrics/{key}`` reads it, in one transaction;
    pairs without points are left out. Changes nothing."""
    pairs = len(set(body.jobs)) * len(set(body.keys))
    if pairs > MAX_SERIES_PAIRS:
        raise invalid(
            "keys", f"{pairs:,} job and key pairs; at most {MAX_SERIES_PAIRS:,} in one request"
        )
    await run_in_threadpool(_require_jobs, caller, store, body.jobs)

    def read() -> bytes:
        found = store.read_many_series(
            body.jobs,
            body.keys,
            min_step=body.min_step,
            max_step=body.max_step,
            max_points=body.max_points,
        )
        # Dumped here, not validated again as a response model: 200 series of 1,000 points
        # are 600,000 numbers, which FastAPI's check and encoder take longer than the read.
        return SeriesBatchOut.from_domain(found).model_dump_json().encode()

    return Response(await run_in_threadpool(read), media_type="application/json")


def _require_jobs(caller: Caller, store: Store, jobs: list[str]) -> None:
    """Check that the caller reads the project of every job (404 for an unknown job)."""
    projects = {store.job_project(job_id) for job_id in dict.fromkeys(jobs)}
    for project in sorted(projects):
        caller.require(project)
