"""What authentication costs a team server: ingest throughput and a job-table page with a
user's API token against the same server with authentication off, and the time from the
login page to the first project in Chromium.

Set-up (not measured): for each database (SQLite, then PostgreSQL), two databases filled
alike by ``bench.population`` (a project of ``JOBS`` jobs, 20 params and 10 metric summaries
each), then two real ``atlas server`` processes: one with ``ATLAS_AUTH=off`` (everyone is the
local admin), one with ``ATLAS_AUTH=on``. On the second, an instance admin is written into
the store before the server starts (what ``atlas users add admin --admin`` does); then,
through the REST API as a user would, the admin logs in, adds a plain user (not an admin:
their every request needs a role lookup, the dearer path) and makes them owner of the
project; the user logs in and creates an API token with ``POST /api/v1/tokens``.

Measured, the two servers' turns interleaved and their order swapped every round (ABBA...),
so both see the same drift of a shared machine:

- ``auth_ingest`` (SQLite, as ``ingest``): an SDK worker logs ``POINTS`` points with
  ``atlas.log_metric`` and ``finish()``es, timed until the server counts every point; with
  the user's token (``ATLAS_TOKEN``) against auth on, without one against auth off;
- ``auth_job_page_<db>``: ``GET /api/v1/projects/{p}/jobs?limit=50`` over a kept-alive
  connection, ``CALLS`` calls per repetition to each server taken in turns, JSON decoding
  included; with ``Authorization: Bearer`` against auth on. Token and role lookups are
  cached for 5 s by the server, so a repetition includes the lookups the cache misses;
- ``auth_login``: ``bench/auth_probe.mjs`` in Debian's Chromium, a fresh context each time,
  opens ``/login``, fills the form, submits, and waits for the project's name on the
  projects page the GUI lands on. The figure is the time the user waits on Atlas: navigation
  start to the form painted (the page's load, its ``/auth/me``), plus the form's submit to
  the first frame painted with the project's name (the login with its argon2 check, the
  session, the projects request, drawing); the automation's filling of the form, which a
  person's typing replaces, is left out (the note gives the time with it).

The "peer" of each result is the same Atlas with authentication off: ``ratio`` says how many
times better the auth-on figure is (below 1: slower).
"""

from __future__ import annotations

import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import atlas
from atlas.server.auth.passwords import hash_password
from atlas.store.sql_store import SqlStore
from bench.browser import check_gui, check_tools, run_probe
from bench.database import analyze, temporary_database
from bench.population import populate_jobs
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import Stats, percentile
from bench.trial import Context, Sample, progress, stats
from bench.worker import BenchError, Worker

NAME = "auth"
ADMIN = "admin"
USER = "ana"
PAGE_PROJECT = "bench-auth-jobs"
INGEST_PROJECT = "bench-auth-ingest"
JOBS = 10_000
PAGE = 50
CALLS = 200
POINTS = 1_000_000
INGEST_REPETITIONS = 9
MAX_INGEST_OVERHEAD = 0.05
MAX_ADDED_MS = 1.0
LOGIN_TARGET_MS = 1000.0
PROBE = Path(__file__).resolve().parent / "auth_probe.mjs"
OFF_LABEL = "atlas with auth off"


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two servers: its URL and the user's token (``None``: auth off)."""

    server: AtlasServer
    token: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def run(context: Context) -> Iterator[Result]:
    """SQLite: ingest, the job page, the browser login; then PostgreSQL: the job page."""
    node = check_tools("the login figure drives Chromium from Node")
    password = f"bench-{secrets.token_urlsafe(12)}"
    with context.workdir(NAME) as work:
        with _servers(work, "sqlite", password) as (off, on):
            check_gui(on.server.url, "/login")
            yield _ingest(context, work, off, on)
            yield _job_page(context, off, on, "sqlite")
            yield _login(node, context, work, on, password)
        with _servers(work, "postgres", password) as (off, on):
            yield _job_page(context, off, on, "postgres")


# -- set-up ---------------------------------------------------------------------------------
@contextmanager
def _servers(work: Path, backend: str, password: str) -> Iterator[tuple[Side, Side]]:
    """The auth-off and auth-on servers on two databases filled alike, the second with an
    admin, a plain user owning the project, and that user's API token."""
    label = f"{NAME}_{backend}"
    with ExitStack() as stack:
        urls = [stack.enter_context(_database(work, backend, side)) for side in ("off", "on")]
        started = time.monotonic()
        for url in urls:
            populate_jobs(url, PAGE_PROJECT, JOBS)
            if backend == "postgres":
                analyze(url)
        progress(label, f"2 x {JOBS:,} jobs inserted in {time.monotonic() - started:.0f} s")
        _add_admin(urls[1], password)
        off = stack.enter_context(
            AtlasServer(work / f"{backend}-off", db_url=urls[0], settings={"ATLAS_AUTH": "off"})
        )
        on = stack.enter_context(
            AtlasServer(work / f"{backend}-on", db_url=urls[1], settings={"ATLAS_AUTH": "on"})
        )
        _check_modes(off.url, on.url)
        token = _provision(on.url, password)
        yield Side(off, None), Side(on, token)


@contextmanager
def _database(work: Path, backend: str, side: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{work / f'{side}.db'}"
        return
    with temporary_database(f"atlas_bench_auth_{side}") as url:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)


def _add_admin(url: str, password: str) -> None:
    """The instance admin, written into the store as ``atlas users add NAME --admin`` does:
    a server with auth on refuses to start without one."""
    store = SqlStore(url)
    try:
        store.create_user(ADMIN, password_hash=hash_password(password), admin=True)
    finally:
        store.close()


def _check_modes(off: str, on: str) -> None:
    """The two servers are what they should be: one open, one refusing the anonymous."""
    if not _ok(httpx.get(f"{on}/api/v1/auth/me", timeout=30))["auth"]:
        raise BenchError("the server started with ATLAS_AUTH=on says authentication is off")
    if httpx.get(f"{on}/api/v1/projects", timeout=30).status_code != 401:
        raise BenchError("the server with authentication on answers an anonymous request")
    if _ok(httpx.get(f"{off}/api/v1/auth/me", timeout=30))["auth"]:
        raise BenchError("the server started with ATLAS_AUTH=off says authentication is on")


def _provision(url: str, password: str) -> str:
    """Through the API: the admin adds the user and makes them the project's owner; the
    user logs in and creates an API token. Returns the token's secret."""
    with httpx.Client(base_url=url, timeout=60) as admin:
        csrf = {"X-CSRF-Token": _log_in(admin, ADMIN, password)}
        user = {"name": USER, "password": password, "admin": False}
        _ok(admin.post("/api/v1/users", json=user, headers=csrf))
        member = f"/api/v1/projects/{PAGE_PROJECT}/members/{USER}"
        _ok(admin.put(member, json={"role": "owner"}, headers=csrf))
    with httpx.Client(base_url=url, timeout=60) as person:
        csrf = {"X-CSRF-Token": _log_in(person, USER, password)}
        spec = {"name": "bench", "expires_in": None, "project": None, "role": None}
        secret = _ok(person.post("/api/v1/tokens", json=spec, headers=csrf))["secret"]
    assert isinstance(secret, str)
    return secret


def _log_in(http: httpx.Client, name: str, password: str) -> str:
    answer = _ok(http.post("/api/v1/auth/login", json={"name": name, "password": password}))
    csrf = answer["csrf_token"]
    assert isinstance(csrf, str)
    return csrf


def _ok(answer: httpx.Response) -> dict[str, Any]:
    if answer.is_error:
        raise BenchError(f"{answer.request.method} {answer.request.url}: {answer.text[:500]}")
    body: dict[str, Any] = answer.json()
    return body


# -- measurements -----------------------------------------------------------------------------
def _turns(
    label: str,
    on: Callable[[], Sample],
    off: Callable[[], Sample],
    *,
    repetitions: int,
    warmup: int,
) -> tuple[list[Sample], list[Sample]]:
    """``warmup`` unrecorded rounds, then ``repetitions`` recorded ones; each round runs
    both sides, auth on first in even rounds and auth off first in odd ones."""
    for index in range(warmup):
        _round(index, on, off)
    with_auth: list[Sample] = []
    without: list[Sample] = []
    for index in range(repetitions):
        first, second = _round(index, on, off)
        with_auth.append(first)
        without.append(second)
        progress(
            label,
            f"repetition {index + 1}/{repetitions}: auth on {first['value']:.4g}, "
            f"auth off {second['value']:.4g}",
        )
    return with_auth, without


def _round(
    index: int, on: Callable[[], Sample], off: Callable[[], Sample]
) -> tuple[Sample, Sample]:
    if index % 2 == 0:
        first = on()
        return first, off()
    second = off()
    return on(), second


def _ingest(context: Context, work: Path, off: Side, on: Side) -> Result:
    label = f"{NAME}_ingest"
    repetitions = max(context.repetitions, INGEST_REPETITIONS)
    plain = off.server.sdk_worker(work / "ingest-off", INGEST_PROJECT)
    assert on.token is not None
    signed = on.server.sdk_worker(work / "ingest-on", INGEST_PROJECT, ATLAS_TOKEN=on.token)
    with plain, signed:
        with_auth, without = _turns(
            label,
            lambda: _log_points(signed),
            lambda: _log_points(plain),
            repetitions=repetitions,
            warmup=context.warmup,
        )
    ours, theirs = stats(with_auth), stats(without)
    paired = statistics.median(
        a["value"] / b["value"] for a, b in zip(with_auth, without, strict=True)
    )
    ratio = ours.median / theirs.median
    return Result(
        name=label,
        unit="points/s",
        ours=ours,
        peer=PeerFigure(OFF_LABEL, atlas.__version__, theirs),
        target=f"auth costs <= {MAX_INGEST_OVERHEAD:.0%} of ingest throughput",
        meets_target=ratio >= 1 - MAX_INGEST_OVERHEAD,
        note=(
            f"auth on with a plain user's API token vs auth off, SQLite, real servers, "
            f"{repetitions} rounds each interleaved (order swapped every round): "
            f"{POINTS:,} atlas.log_metric calls, atlas.finish(), until the server counts "
            f"every point (the `ingest` benchmark's path). Overhead {_overhead(ratio)} from "
            f"the medians, {_overhead(paired)} as the median of the per-round ratios"
        ),
        higher_is_better=True,
    )


def _log_points(worker: Worker) -> Sample:
    answer = worker.call("log_and_flush", points=POINTS)
    return {"value": POINTS / answer["total_s"]}


def _overhead(ratio: float) -> str:
    return f"{(1 - ratio) * 100:+.1f}%"


def _job_page(context: Context, off: Side, on: Side, backend: str) -> Result:
    label = f"{NAME}_job_page_{backend}"
    path = f"/api/v1/projects/{PAGE_PROJECT}/jobs"
    with (
        httpx.Client(base_url=off.server.url, timeout=60) as plain,
        httpx.Client(base_url=on.server.url, headers=on.headers, timeout=60) as signed,
    ):
        pages = {"on": signed, "off": plain}
        samples: list[tuple[Sample, Sample]] = []
        for index in range(context.warmup + context.repetitions):
            times: dict[str, list[float]] = {"on": [], "off": []}
            for call in range(CALLS):
                order = ("on", "off") if call % 2 == 0 else ("off", "on")
                for side in order:
                    times[side].append(_page_ms(pages[side], path))
            sample = (_summary(times["on"]), _summary(times["off"]))
            if index >= context.warmup:
                samples.append(sample)
                progress(
                    label,
                    f"repetition {len(samples)}/{context.repetitions}: auth on "
                    f"{sample[0]['value']:.3f} ms, auth off {sample[1]['value']:.3f} ms",
                )
    ours = stats([s[0] for s in samples])
    theirs = stats([s[1] for s in samples])
    added = ours.median - theirs.median
    paired = statistics.median(a["value"] - b["value"] for a, b in samples)
    database = "SQLite" if backend == "sqlite" else "PostgreSQL"
    return Result(
        name=label,
        unit="ms",
        ours=ours,
        peer=PeerFigure(OFF_LABEL, atlas.__version__, theirs),
        target=f"auth adds <= {MAX_ADDED_MS:g} ms to the median page",
        meets_target=added <= MAX_ADDED_MS,
        note=(
            f"GET {path}?limit={PAGE} (the newest {PAGE} of {JOBS:,} jobs, 20 params and 10 "
            f"metric summaries each) on {database}, real servers; auth on with a plain "
            f"user's API token (project owner by membership) vs auth off; {CALLS} calls to "
            f"each per repetition over kept-alive connections, taken in turns, JSON decoding "
            f"included (median per repetition; p99 of those calls). Added by auth: "
            f"{added:+.3f} ms from the medians, {paired:+.3f} ms as the median of the "
            f"per-repetition differences; token and role lookups are cached for 5 s"
        ),
    )


def _page_ms(http: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = http.get(path, params={"limit": PAGE})
    answer.raise_for_status()
    items = answer.json()["items"]
    elapsed = (time.perf_counter() - started) * 1000
    if len(items) != PAGE:
        raise BenchError(f"{path}: {len(items)} jobs on the page, {PAGE} expected")
    return elapsed


def _summary(times: list[float]) -> Sample:
    return {"value": statistics.median(times), "p99": percentile(times, 99)}


def _login(node: str, context: Context, work: Path, on: Side, password: str) -> Result:
    label = f"{NAME}_login"
    config = {
        "loginUrl": f"{on.server.url}/login",
        "user": USER,
        "password": password,
        "project": PAGE_PROJECT,
    }
    # the config goes on stdin, so the password stays out of the process list
    figures = run_probe(node, PROBE, config, context=context, work=work, label=label, timeout=900)
    samples: list[dict[str, float]] = figures["login"]
    ours = Stats.of([sample["waiting"] for sample in samples])
    total = statistics.median(sample["total"] for sample in samples)
    form = statistics.median(sample["form"] for sample in samples)
    after_submit = statistics.median(sample["total"] - sample["submit"] for sample in samples)
    return Result(
        name=label,
        unit="ms",
        ours=ours,
        peer=None,
        target=f"<= {LOGIN_TARGET_MS:g} ms from the login page to the first project (median)",
        meets_target=ours.median <= LOGIN_TARGET_MS,
        note=(
            f"Chromium (headless, a fresh context each time: no cache, no cookies) opening "
            f"/login of a real server with auth on (SQLite) and signing in as a plain user "
            f"who owns one project of {JOBS:,} jobs. The figure is the time the user waits on "
            f"Atlas: from navigation start to the first frame painted with the form (median "
            f"{form:.0f} ms: the page, its scripts, /api/v1/auth/me), plus from the form's "
            f"submit to the first frame painted with the project's name on the projects "
            f"page the GUI lands on (median {after_submit:.0f} ms: the login with its argon2 "
            f"check, the session, the projects request, drawing). Filling the form by "
            f"automation is left out (a person types instead); with it, navigation start to "
            f"the project: median {total:.0f} ms"
        ),
    )
