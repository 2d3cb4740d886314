"""``/api/v1/jobs/{id}/metrics``: metric ingest, summaries and series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from atlas.names import MAX_SERIES_POINTS
from atlas.server.auth.access import JobData, JobViewer
from atlas.server.deps import JobIdPath, KeyPath, StoreDep
from atlas.server.metrics_codec import decode_batch
from atlas.server.schemas import IngestOut, ItemsOut, MetricSummaryOut, SeriesOut
from atlas.store.api import Store

__all__ = ["router"]

router = APIRouter(prefix="/jobs/{job_id}/metrics", tags=["metrics"])

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MetricBatch"}}},
    }
}


def ingest(store: Store, job_id: str, body: bytes) -> IngestOut:
    """Decode a metric batch and store it in one transaction (blocking: run in a thread)."""
    batch = decode_batch(body)
    stored = store.append_metrics(job_id, batch.series, batch_id=batch.batch_id)
    duplicate = batch.batch_id is not None and stored == 0 and batch.points > 0
    return IngestOut(stored=stored, duplicate=duplicate)


@router.post("", openapi_extra=_BATCH_BODY)
async def append_metrics(
    caller: JobData, job_id: JobIdPath, request: Request, store: StoreDep
) -> IngestOut:
    """Append a columnar batch of points (``MetricBatch``); a repeated ``batch_id`` stores
    nothing and answers ``duplicate: true``."""
    body = await request.body()
    return await run_in_threadpool(ingest, store, job_id, body)


@router.get("")
def list_summaries(
    caller: JobViewer, job_id: JobIdPath, store: StoreDep
) -> ItemsOut[MetricSummaryOut]:
    """The job's metric summaries (last, min, max, count, last step), by key."""
    metrics = store.get_job(job_id).metrics
    items = [MetricSummaryOut.from_domain(metrics[key]) for key in sorted(metrics)]
    return ItemsOut[MetricSummaryOut](items=items)


@router.get("/{key:path}")
def read_series(
    caller: JobViewer,
    job_id: JobIdPath,
    key: KeyPath,
    store: StoreDep,
    min_step: Annotated[int | None, Query(ge=INT64_MIN, le=INT64_MAX)] = None,
    max_step: Annotated[int | None, Query(ge=INT64_MIN, le=INT64_MAX)] = None,
    max_points: Annotated[int | None, Query(ge=2, le=MAX_SERIES_POINTS)] = None,
) -> SeriesOut:
    """The points of one metric in step order, downsampled to ``max_points`` when given."""
    series = store.read_series(
        job_id, key, min_step=min_step, max_step=max_step, max_points=max_points
    )
    return SeriesOut.from_domain(series)
