"""The scheduler, end to end, beside the Ray Jobs API on a local Ray head in the same run.

Three results:

- ``scheduling_latency``: from the submit call to the moment the job's process started, over
  sequential jobs, each submitted once the previous one has ended (an idle scheduler). Ours:
  ``atlas.submit`` of a small folder (snapshot, upload skipped once the server has it, POST)
  through a real ``atlas server``; the job's command ``sh -c 'date +%s.%N > FILE'`` writes the
  wall clock as the first thing its process does. Ray: ``JobSubmissionClient.submit_job``
  with the same folder as ``working_dir`` and the same command as entrypoint.
- ``scheduling_throughput``: jobs running ``true``, 1 CPU each, on 4 slots (``ATLAS_CPUS=4``;
  ``ray start --num-cpus=4`` and ``entrypoint_num_cpus=1``), submitted back to back from one
  client; jobs per second from the first submit call to the last job's end as recorded by the
  server (``finished_at``; Ray's ``end_time``).
- ``scheduling_memory``: the whole ``atlas server``'s RSS (its process tree, psutil) with
  10,000 jobs queued behind one long job holding the only CPU slot (``ATLAS_CPUS=1``). No
  peer (see ``MEMORY_NOTE``).

Ray's jobs are fewer than ours (each takes seconds), with the same number of repetitions,
alternating with ours. A warm-up round runs a tenth of a repetition's jobs on each side.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil

from bench.ray_peer import RAY_ENV, RayEnv, RayHead, ray_env, tree
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import Stats
from bench.trial import Context, Sample, alternate, progress, stats
from bench.worker import BenchError, Worker

NAME = "scheduling"
PROJECT = "bench-scheduling"
SLOTS = 4
LATENCY_JOBS = 200
RAY_LATENCY_JOBS = 5
THROUGHPUT_JOBS = 500
RAY_THROUGHPUT_JOBS = 8
WARMUP_SHARE = 10
"""A warm-up round runs a tenth of a repetition's jobs (at least 2): enough to load every
code path on both sides, without adding a whole repetition to the run's time."""
QUEUED_JOBS = 10_000
TARGET_LATENCY_MS = 50.0
TARGET_LATENCY_RATIO = 10.0
TARGET_JOBS_PER_S = 40.0
TARGET_MEMORY_MB = 200.0
MEMORY_SAMPLE_PAUSE_S = 1.0
MEMORY_NOTE = (
    "No peer: queueing 10,000 jobs on the Ray head goes through submit_job at about 30 ms a "
    "call here (the latency result's submit-call figure), over 5 minutes of set-up, past the "
    "benchmark's time budget"
)
_ROUNDS = itertools.count()
CODE = {
    "main.py": "import json\n\nprint(json.load(open('atlas_job_parameters.json')))\n",
    "README.md": "A small project submitted by the scheduling benchmark.\n",
}


def run(context: Context) -> Iterator[Result]:
    """Latency and throughput beside Ray, then the memory of a long queue."""
    peer_env = ray_env()
    with context.workdir(NAME) as work:
        code = _code_folder(work / "code")
        settings = {"ATLAS_CPUS": str(SLOTS)}
        with (
            AtlasServer(work / "atlas", settings=settings) as server,
            RayHead(peer_env, work / "ray-head.log") as head,
        ):
            ours = _atlas_worker(server, work, code)
            peer = Worker(
                peer_env.python,
                "ray_jobs.py",
                [head.url, str(code)],
                log_path=work / "ray-jobs.log",
                env=RAY_ENV,
            )
            with ours, peer:
                yield _latency(context, ours, peer, peer_env, work / "marks")
                yield _throughput(context, ours, peer, peer_env)
        yield _memory(context, work)


def _code_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in CODE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _atlas_worker(server: AtlasServer, work: Path, code: Path, name: str = "atlas") -> Worker:
    return Worker(
        sys.executable,
        "atlas_jobs.py",
        [str(code)],
        log_path=work / f"{name}-jobs.log",
        env={
            "ATLAS_URL": server.url,
            "ATLAS_HOME": str(work / f"{name}-client-home"),
            "ATLAS_PROJECT": PROJECT,
        },
    )


def _warmup(jobs: int) -> int:
    return max(2, jobs // WARMUP_SHARE)


def _latency_measure(worker: Worker, jobs: int, marks: Path) -> Callable[[], Sample]:
    def measure() -> Sample:
        folder = marks / f"{next(_ROUNDS)}"  # a fresh folder: a stale stamp is never read
        answer = worker.call("latency", jobs=jobs, marks=str(folder))
        return {
            "value": answer["median"],
            "p99": answer["p99"],
            "low": answer["min"],
            "high": answer["max"],
            "submit_call": answer["submit_call_ms"],
        }

    return measure


def _latency(context: Context, ours: Worker, peer: Worker, peer_env: RayEnv, marks: Path) -> Result:
    for _ in range(context.warmup):
        _latency_measure(ours, _warmup(LATENCY_JOBS), marks / "atlas-warmup")()
        _latency_measure(peer, _warmup(RAY_LATENCY_JOBS), marks / "ray-warmup")()
    mine, theirs = alternate(
        f"{NAME}_latency",
        _latency_measure(ours, LATENCY_JOBS, marks / "atlas"),
        _latency_measure(peer, RAY_LATENCY_JOBS, marks / "ray"),
        repetitions=context.repetitions,
        warmup=0,
    )
    atlas, ray = stats(mine), stats(theirs)
    ratio = ray.median / atlas.median
    return Result(
        name=f"{NAME}_latency",
        unit="ms",
        ours=atlas,
        peer=PeerFigure(peer_env.name, peer_env.version, ray),
        target=(
            f"median <= {TARGET_LATENCY_MS:g} ms and >= {TARGET_LATENCY_RATIO:g}x lower "
            "than Ray Jobs"
        ),
        meets_target=atlas.median <= TARGET_LATENCY_MS and ratio >= TARGET_LATENCY_RATIO,
        note=(
            f"from just before the submit call to the job's first timestamp (`date +%s.%N` "
            f"run by `sh -c` as the job's command), per job; atlas: {LATENCY_JOBS} sequential "
            f"jobs per repetition through atlas.submit (snapshot of a 2-file folder, upload "
            f"skipped once stored, POST /api/v1/submissions) to a real atlas server "
            f"(SQLite, ATLAS_CPUS={SLOTS}), each submitted after the previous one ended; the "
            f"launcher's start-up is included. ray: {RAY_LATENCY_JOBS} jobs per repetition "
            f"(each takes over a second) through JobSubmissionClient.submit_job with the same "
            f"folder as working_dir on a local head (--num-cpus={SLOTS}). median/min/max are "
            f"over the repetitions' medians, p99 the median of their p99s; single jobs "
            f"ranged {_span(mine)} ms for atlas, {_span(theirs)} ms for ray; the submit call "
            f"alone took {_median(mine, 'submit_call'):.3g} ms (atlas) and "
            f"{_median(theirs, 'submit_call'):.3g} ms (ray), medians"
        ),
    )


def _throughput(context: Context, ours: Worker, peer: Worker, peer_env: RayEnv) -> Result:
    def measure(worker: Worker, jobs: int) -> Callable[[], Sample]:
        def once() -> Sample:
            answer = worker.call("throughput", jobs=jobs)
            return {"value": answer["jobs_per_s"], "submit_s": answer["submit_s"]}

        return once

    for _ in range(context.warmup):
        measure(ours, _warmup(THROUGHPUT_JOBS))()
        measure(peer, _warmup(RAY_THROUGHPUT_JOBS))()
    mine, theirs = alternate(
        f"{NAME}_throughput",
        measure(ours, THROUGHPUT_JOBS),
        measure(peer, RAY_THROUGHPUT_JOBS),
        repetitions=context.repetitions,
        warmup=0,
    )
    atlas = stats(mine)
    return Result(
        name=f"{NAME}_throughput",
        unit="jobs/s",
        ours=atlas,
        peer=PeerFigure(peer_env.name, peer_env.version, stats(theirs)),
        target=f">= {TARGET_JOBS_PER_S:g} jobs/s with {SLOTS} slots",
        meets_target=atlas.median >= TARGET_JOBS_PER_S,
        note=(
            f"jobs running `true` (1 CPU each, {SLOTS} slots) submitted back to back from one "
            f"client, counted from the first submit call to the last job's end as the server "
            f"recorded it; atlas: {THROUGHPUT_JOBS} jobs per repetition through atlas.submit "
            f"(submitting them took {_median(mine, 'submit_s'):.3g} s, median); ray: "
            f"{RAY_THROUGHPUT_JOBS} jobs per repetition (two rounds of the {SLOTS} slots: "
            f"Ray's jobs take seconds each) through JobSubmissionClient.submit_job "
            f"with entrypoint_num_cpus=1 (submitting took "
            f"{_median(theirs, 'submit_s'):.3g} s, median). Every job must complete"
        ),
        higher_is_better=True,
    )


def _memory(context: Context, work: Path) -> Result:
    with (
        AtlasServer(work / "atlas-queue", settings={"ATLAS_CPUS": "1"}) as server,
        _atlas_worker(server, work, work / "code", "queue") as worker,
    ):
        samples, idle_mb, fill_s = _queued_rss(context, server, worker)
    atlas = stats(samples)
    return Result(
        name=f"{NAME}_memory",
        unit="MB",
        ours=atlas,
        peer=None,
        target=f"<= {TARGET_MEMORY_MB:g} MB RSS for the whole server with "
        f"{QUEUED_JOBS:,} queued jobs",
        meets_target=atlas.median <= TARGET_MEMORY_MB,
        note=(
            f"RSS (10^6 bytes) of the atlas server process and all its children (psutil: the "
            f"running job's launcher and `sleep` included) with ATLAS_CPUS=1, one `sleep 3600` "
            f"job holding the slot and {QUEUED_JOBS:,} `true` jobs queued behind it through "
            f"POST /api/v1/submissions (Client.submit_job, no code snapshot; queueing took "
            f"{fill_s:.0f} s); one repetition is one reading, "
            f"{MEMORY_SAMPLE_PAUSE_S:g} s apart; the same server with the one job and an empty "
            f"queue: {idle_mb:.0f} MB. {MEMORY_NOTE}"
        ),
    )


def _queued_rss(
    context: Context, server: AtlasServer, worker: Worker
) -> tuple[list[Sample], float, float]:
    """Hold the only slot with a long job, queue ``QUEUED_JOBS`` behind it and read the
    server's RSS; answer the readings, the RSS before the queue, and the queueing time."""
    holder = worker.call("submit_one", command=["sleep", "3600"], cpus=1)["id"]
    try:
        idle_mb = _tree_mb(server.pid)
        filled = worker.call("fill", jobs=QUEUED_JOBS, command=["true"], cpus=1, timeout=1200)
        progress(f"{NAME}_memory", f"queued {QUEUED_JOBS:,} in {filled['fill_s']:.0f} s")
        _check_queue(server.url, QUEUED_JOBS)
        samples, _ = alternate(
            f"{NAME}_memory",
            lambda: _rss_sample(server.pid),
            None,
            repetitions=context.repetitions,
            warmup=context.warmup,
        )
    finally:
        _empty(server.url, holder)
    return samples, idle_mb, float(filled["fill_s"])


def _rss_sample(pid: int) -> Sample:
    time.sleep(MEMORY_SAMPLE_PAUSE_S)
    return {"value": _tree_mb(pid)}


def _tree_mb(pid: int) -> float:
    total = 0
    for proc in tree(pid):
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total / 1e6


def _check_queue(url: str, expected: int) -> None:
    answer = httpx.get(f"{url}/api/v1/scheduler", params={"limit": 0}, timeout=60)
    answer.raise_for_status()
    queued = answer.json()["queue_total"]
    if queued != expected:
        raise BenchError(f"the scheduler holds {queued} queued jobs, {expected} were submitted")


def _empty(url: str, holder: str) -> None:
    """Cancel the queue, then the job holding the slot, so nothing outlives the server."""
    httpx.delete(f"{url}/api/v1/queue", timeout=120).raise_for_status()
    httpx.post(f"{url}/api/v1/jobs/{holder}/cancel", timeout=60).raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = httpx.get(f"{url}/api/v1/jobs/{holder}", timeout=60).json()
        if job["status"] == "cancelled":
            return
        time.sleep(0.05)
    raise BenchError(f"job {holder} did not end within 60 s of its cancel")


def _span(samples: list[Sample]) -> str:
    return f"{min(s['low'] for s in samples):.3g}-{max(s['high'] for s in samples):.4g}"


def _median(samples: list[Sample], key: str) -> float:
    return Stats.of([s[key] for s in samples]).median
