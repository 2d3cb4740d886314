"""A page of 100 jobs of a 100,000-job project, filtered on a param and sorted on a metric,
through the REST API, on SQLite and on PostgreSQL, beside MLflow's ``search_runs``.

Ours: the project is filled by ``bench.population`` (bulk inserts after ``upgrade()``: set-up,
not measured), then a real ``atlas server`` on that database answers
``GET /api/v1/projects/{name}/jobs?filter=params.lr < 0.01&sort=metrics.loss.min&limit=100``;
each repetition times ``CALLS`` requests over a kept-alive connection, JSON decoding included.
The peer: MLflow in process on the same kind of database, ``search_runs`` with a filter and
an order, 100 results, over an experiment of ``PEER_RUNS`` runs of the same corpus (filling
MLflow goes through its API at ~60 runs/s, so it holds 2,000 runs, not 100,000: a smaller
table than ours, which favours MLflow).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.database import analyze, temporary_database
from bench.peer import MLFLOW_ENV
from bench.peers.corpus import JOB_FILTER_ATLAS, JOB_FILTER_MLFLOW, JOB_SORT_ATLAS, JOB_SORT_MLFLOW
from bench.population import populate_jobs
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import percentile
from bench.trial import Context, Sample, alternate, progress, stats
from bench.worker import BenchError, Worker

NAME = "job_listing"
JOBS = 100_000
PEER_RUNS = 2_000
PAGE = 100
CALLS = 10
TARGET_MS = 150.0
PROJECT = "bench-listing"


def run(context: Context) -> Iterator[Result]:
    """The SQLite result, then the PostgreSQL one (each written as soon as it is done)."""
    yield _measure(context, "sqlite")
    yield _measure(context, "postgres")


def _measure(context: Context, backend: str) -> Result:
    label = f"{NAME}_{backend}"
    peer_env = context.mlflow
    with context.workdir(label) as work, _databases(work, backend) as (ours_url, peer_url):
        peer = Worker(
            peer_env.python,
            "mlflow_job_listing.py",
            [peer_url, str(PEER_RUNS)],
            log_path=work / "mlflow.log",
            env=MLFLOW_ENV,
        )
        peer.launch()  # MLflow fills its experiment on one core while we fill ours on the other
        try:
            _populate(label, ours_url, backend)
            with AtlasServer(work / "atlas", db_url=ours_url) as server:
                loaded = peer.ready(timeout=1800)["load_s"]
                progress(label, f"mlflow: {PEER_RUNS:,} runs logged in {loaded:.0f} s")
                with httpx.Client(base_url=server.url, timeout=120) as http:
                    mine, theirs = alternate(
                        label,
                        lambda: _list_ours(http),
                        lambda: _list_peer(peer),
                        repetitions=context.repetitions,
                        warmup=context.warmup,
                    )
        finally:
            peer.close()
    return _result(label, backend, mine, theirs, peer_env.version)


def _populate(label: str, url: str, backend: str) -> None:
    started = time.monotonic()
    populate_jobs(url, PROJECT, JOBS)
    if backend == "postgres":
        analyze(url)
    progress(label, f"atlas: {JOBS:,} jobs inserted in {time.monotonic() - started:.0f} s")


@contextmanager
def _databases(work: Path, backend: str) -> Iterator[tuple[str, str]]:
    """Our database URL and MLflow's: two SQLite files, or two fresh PostgreSQL databases
    (ours through psycopg 3, MLflow's through psycopg2), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{work / 'atlas.db'}", f"sqlite:///{work / 'mlflow.db'}"
        return
    with (
        temporary_database("atlas_bench_listing") as ours,
        temporary_database("atlas_bench_mlflow") as peer,
    ):
        yield (
            ours.replace("postgresql://", "postgresql+psycopg://", 1),
            peer.replace("postgresql://", "postgresql+psycopg2://", 1),
        )


def _list_ours(http: httpx.Client) -> Sample:
    params: dict[str, str | int] = {
        "filter": JOB_FILTER_ATLAS,
        "sort": JOB_SORT_ATLAS,
        "limit": PAGE,
    }
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        answer = http.get(f"/api/v1/projects/{PROJECT}/jobs", params=params)
        answer.raise_for_status()
        page = answer.json()
        times.append((time.perf_counter() - started) * 1000)
        _check_page(page)
    return {"value": statistics.median(times), "p99": percentile(times, 99)}


def _check_page(page: dict[str, object]) -> None:
    """The page must be what was asked: 100 jobs with lr < 0.01, by ascending min loss."""
    items = page["items"]
    assert isinstance(items, list)
    lows = [job["metrics"]["loss"]["min"] for job in items]
    lrs = [job["params"]["lr"] for job in items]
    total = page["total"]
    assert isinstance(total, int)
    if len(items) != PAGE or lows != sorted(lows) or max(lrs) >= 0.01:
        raise BenchError(f"wrong page: {len(items)} items, sorted {lows == sorted(lows)}")
    if not JOBS // 2 < total < JOBS:
        raise BenchError(f"filter matched {total} of {JOBS} jobs; expected about 2/3")


def _list_peer(peer: Worker) -> Sample:
    return {"value": peer.call("search")["seconds"] * 1000}


def _result(
    label: str, backend: str, mine: list[Sample], theirs: list[Sample], version: str
) -> Result:
    ours = stats(mine)
    database = "SQLite" if backend == "sqlite" else "PostgreSQL"
    return Result(
        name=label,
        unit="ms",
        ours=ours,
        peer=PeerFigure("mlflow", version, stats(theirs)),
        target=f"<= {TARGET_MS:g} ms on {database}",
        meets_target=ours.median <= TARGET_MS,
        note=(
            f"atlas: GET /api/v1/projects/{{name}}/jobs?filter={JOB_FILTER_ATLAS}"
            f"&sort={JOB_SORT_ATLAS}&limit={PAGE} over {JOBS:,} jobs (20 params, 10 metric "
            f"summaries each) through a real server on {database}, {CALLS} calls per "
            f"repetition (median; p99 of those calls), JSON decoding included"
            + (
                "; the database was VACUUM ANALYZEd after the bulk load"
                if backend != "sqlite"
                else ""
            )
            + f'. mlflow: MlflowClient.search_runs(filter_string="{JOB_FILTER_MLFLOW}", '
            f'order_by=["{JOB_SORT_MLFLOW}"], max_results={PAGE}) in process on {database} '
            f"over {PEER_RUNS:,} runs (not {JOBS:,}: filling MLflow is slow), one call per "
            f"repetition; MLflow compares params as strings only, so its filter is a "
            f"categorical param matching the same 2/3 share"
        ),
    )
