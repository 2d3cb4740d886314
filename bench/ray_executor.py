"""The Ray executor beside the Ray Jobs API itself, on the same 3-node Ray cluster, same run.

The cluster is ``ray.cluster_utils.Cluster`` (as tests/ray_cluster.py starts it): a head and
two worker nodes, processes of this machine, each with 2 CPUs, a small object store and its
own free ports (never 6379), all on loopback (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read
by Ray at import and inherited by every process). Ours is a real ``atlas server`` with
``ATLAS_EXECUTOR=ray`` and ``ATLAS_RAY_ADDRESS`` the head's dashboard; the peer is
``JobSubmissionClient`` on that same dashboard.

Two results:

- ``ray_latency``: from just before the submit call to the wall clock the job's command
  ``sh -c 'date +%s.%N'`` prints as the first thing its process does; jobs run one at a time
  (each submitted once the previous one ended), ours and Ray's alternating job by job. Ours:
  ``atlas.submit`` of a one-file folder (upload skipped once stored) with ``cpus=1``; Ray:
  ``submit_job`` with the same folder as ``working_dir``, the same command as entrypoint and
  ``entrypoint_num_cpus=1``. The stamp is read back from the job's log.
- ``ray_throughput``: ``THROUGHPUT_JOBS`` jobs of 1 CPU each submitted back to back from one
  client onto the cluster's 6 CPUs; jobs started per second from the first submit call to
  the last job's start (its own stamp, as above). Every job must succeed.
"""

from __future__ import annotations

import os

# Before Ray's import (here and in every process of the cluster): keep Ray on loopback.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import socket
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

import atlas
from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.sdk.client import Client
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import Stats
from bench.trial import Context, Sample, progress, stats
from bench.worker import BenchError

NAME = "ray"
PROJECT = "bench-ray"
NODES = 3
CPUS_PER_NODE = 2
OBJECT_STORE_BYTES = 80 * 1024 * 1024
LATENCY_JOBS = 3
"""Jobs per side and repetition: 5 repetitions give 15 jobs a side (the brief asks >= 10)."""
THROUGHPUT_JOBS = 60
WARMUP_THROUGHPUT_JOBS = 6
TARGET_MARGIN_MS = 50.0
TARGET_JOBS_PER_S = 20.0
COMMAND = ["sh", "-c", "date +%s.%N"]
ENTRYPOINT = "sh -c 'date +%s.%N'"
JOB_DEADLINE_S = 300.0
TERMINAL_RAY = {"SUCCEEDED", "FAILED", "STOPPED"}
INSTALL = "pip install 'ray[default]' (or: pip install -e '.[dev]')"


def run(context: Context) -> Iterator[Result]:
    """Latency, then throughput, of our Ray executor beside Ray Jobs on one cluster."""
    try:
        import ray
        from ray.job_submission import JobSubmissionClient
    except ImportError as exc:
        raise BenchError(f"the ray benchmark needs Ray: {INSTALL}") from exc
    with context.workdir(NAME) as work:
        code = work / "code"
        code.mkdir()
        (code / "README.md").write_text("A job run on Ray by the benchmark.\n", encoding="utf-8")
        cluster, address = _start_cluster()
        try:
            settings = {"ATLAS_EXECUTOR": "ray", "ATLAS_RAY_ADDRESS": address}
            with (
                AtlasServer(work / "atlas", settings=settings) as server,
                Client(server.url) as client,
            ):
                peer = JobSubmissionClient(address)
                ours = _Atlas(client, server.url, code)
                theirs = _RayJobs(peer, code)
                version = str(ray.__version__)
                yield _latency(context, ours, theirs, version)
                yield _throughput(context, ours, theirs, version)
        finally:
            cluster.shutdown()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _node_args() -> dict[str, Any]:
    return {
        "num_cpus": CPUS_PER_NODE,
        "object_store_memory": OBJECT_STORE_BYTES,
        "node_ip_address": "127.0.0.1",
        "dashboard_agent_listen_port": _free_port(),
        "metrics_export_port": _free_port(),
        "runtime_env_agent_port": _free_port(),
    }


def _start_cluster() -> tuple[Any, str]:
    """Start the head and the worker nodes; answer the cluster and the dashboard's URL once
    the dashboard lists every node alive."""
    from ray.cluster_utils import Cluster
    from ray.util.state import list_nodes

    port = _free_port()
    head = {
        **_node_args(),
        "include_dashboard": True,
        "dashboard_host": "127.0.0.1",
        "dashboard_port": port,
    }
    cluster = Cluster(initialize_head=True, connect=False, head_node_args=head)
    address = f"http://127.0.0.1:{port}"
    try:
        for _ in range(NODES - 1):
            cluster.add_node(**_node_args())
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                nodes = list_nodes(address=address, limit=100, raise_on_missing_output=False)
                if sum(str(node.state) == "ALIVE" for node in nodes) == NODES:
                    progress(NAME, f"{NODES}-node cluster up at {address}")
                    return cluster, address
            except Exception:  # the dashboard is still starting
                pass
            time.sleep(0.2)
        raise BenchError(f"the Ray cluster's dashboard never listed {NODES} live nodes")
    except BaseException:
        cluster.shutdown()  # type: ignore[no-untyped-call]
        raise


class _Atlas:
    """Our side: jobs through ``atlas.submit`` to the server's Ray executor."""

    def __init__(self, client: Client, url: str, code: Path) -> None:
        self.client = client
        self.url = url
        self.code = code

    def submit(self) -> str:
        job = atlas.submit(
            COMMAND, directory=self.code, project=PROJECT, cpus=1, client=self.client
        )
        return job.id

    def wait(self, job_id: str) -> None:
        deadline = time.monotonic() + JOB_DEADLINE_S
        while time.monotonic() < deadline:
            status = self.client.get_job(job_id).status
            if status in FINAL_STATUSES:
                if status is not JobStatus.COMPLETED:
                    raise BenchError(f"atlas job {job_id} ended {status}:\n{self.log(job_id)}")
                return
            time.sleep(0.02)
        raise BenchError(f"atlas job {job_id} did not end within {JOB_DEADLINE_S:g} s")

    def log(self, job_id: str) -> str:
        return httpx.get(f"{self.url}/api/v1/jobs/{job_id}/log", timeout=30).text


class _RayJobs:
    """The peer: the same command through Ray's ``JobSubmissionClient``."""

    def __init__(self, client: Any, code: Path) -> None:
        self.client = client
        self.code = code

    def submit(self) -> str:
        return str(
            self.client.submit_job(
                entrypoint=ENTRYPOINT,
                runtime_env={"working_dir": str(self.code)},
                entrypoint_num_cpus=1,
            )
        )

    def wait(self, job_id: str) -> None:
        deadline = time.monotonic() + JOB_DEADLINE_S
        while time.monotonic() < deadline:
            status = str(self.client.get_job_status(job_id)).removeprefix("JobStatus.")
            if status in TERMINAL_RAY:
                if status != "SUCCEEDED":
                    raise BenchError(f"ray job {job_id} ended {status}:\n{self.log(job_id)}")
                return
            time.sleep(0.02)
        raise BenchError(f"ray job {job_id} did not end within {JOB_DEADLINE_S:g} s")

    def log(self, job_id: str) -> str:
        return str(self.client.get_job_logs(job_id))


_Side = _Atlas | _RayJobs


def _one_latency(side: _Side) -> float:
    before = time.time()
    job_id = side.submit()
    side.wait(job_id)
    return (_first_stamp(side.log(job_id), job_id) - before) * 1000


def _latency(context: Context, ours: _Atlas, theirs: _RayJobs, version: str) -> Result:
    for _ in range(context.warmup):
        _one_latency(ours)
        _one_latency(theirs)
    mine: list[Sample] = []
    peers: list[Sample] = []
    for index in range(context.repetitions):
        a: list[float] = []
        b: list[float] = []
        for _ in range(LATENCY_JOBS):  # job by job: A B A B ...
            a.append(_one_latency(ours))
            b.append(_one_latency(theirs))
        mine.append(_sample(a))
        peers.append(_sample(b))
        progress(
            f"{NAME}_latency",
            f"repetition {index + 1}/{context.repetitions}: atlas {mine[-1]['value']:.4g} ms, "
            f"ray jobs {peers[-1]['value']:.4g} ms",
        )
    atlas_stats, peer_stats = stats(mine), stats(peers)
    return Result(
        name=f"{NAME}_latency",
        unit="ms",
        ours=atlas_stats,
        peer=PeerFigure("ray-jobs", version, peer_stats),
        target=f"median <= Ray Jobs' + {TARGET_MARGIN_MS:g} ms",
        meets_target=atlas_stats.median <= peer_stats.median + TARGET_MARGIN_MS,
        note=(
            f"from just before the submit call to the job's first timestamp (`date +%s.%N` "
            f"run by `sh -c` as the job's command), one job at a time, {LATENCY_JOBS} jobs a "
            f"side per repetition alternating job by job, on a {NODES}-node local Ray cluster "
            f"({CPUS_PER_NODE} CPUs a node, loopback); atlas: atlas.submit(cpus=1) of a "
            f"1-file folder (upload skipped once stored) to a real atlas server (SQLite, "
            f"executor ray): the server's queue, its Ray job (the atlas.executors.ray_job "
            f"entrypoint writing the snapshot it carries, then the launcher) and the "
            f"command; ray: JobSubmissionClient.submit_job with the same folder as "
            f"working_dir, the same command as entrypoint, entrypoint_num_cpus=1. "
            f"median/min/max over the repetitions' medians, p99 the median of their maxima; "
            f"single jobs ranged {_span(mine)} ms (atlas), {_span(peers)} ms (ray jobs)"
        ),
    )


def _sample(values: list[float]) -> Sample:
    ordered = sorted(values)
    return {
        "value": statistics.median(ordered),
        "p99": ordered[-1],
        "low": ordered[0],
        "high": ordered[-1],
    }


def _burst(side: _Side, jobs: int) -> Sample:
    """Submit ``jobs`` back to back, wait for all, answer jobs started per second."""
    before = time.time()
    ids = [side.submit() for _ in range(jobs)]
    submitted = time.time() - before
    for job_id in ids:
        side.wait(job_id)
    last_start = max(_first_stamp(side.log(job_id), job_id) for job_id in ids)
    return {"value": jobs / (last_start - before), "submit_s": submitted}


def _throughput(context: Context, ours: _Atlas, theirs: _RayJobs, version: str) -> Result:
    def measure(side: _Side, jobs: int) -> Callable[[], Sample]:
        return lambda: _burst(side, jobs)

    for _ in range(context.warmup):
        measure(ours, WARMUP_THROUGHPUT_JOBS)()
        measure(theirs, WARMUP_THROUGHPUT_JOBS)()
    mine: list[Sample] = []
    peers: list[Sample] = []
    for index in range(context.repetitions):
        mine.append(measure(ours, THROUGHPUT_JOBS)())
        peers.append(measure(theirs, THROUGHPUT_JOBS)())
        progress(
            f"{NAME}_throughput",
            f"repetition {index + 1}/{context.repetitions}: atlas {mine[-1]['value']:.4g} "
            f"jobs/s, ray jobs {peers[-1]['value']:.4g} jobs/s",
        )
    atlas_stats = stats(mine)
    return Result(
        name=f"{NAME}_throughput",
        unit="jobs/s",
        ours=atlas_stats,
        peer=PeerFigure("ray-jobs", version, stats(peers)),
        target=f">= {TARGET_JOBS_PER_S:g} jobs/s started across {NODES} nodes",
        meets_target=atlas_stats.median >= TARGET_JOBS_PER_S,
        note=(
            f"{THROUGHPUT_JOBS} jobs of 1 CPU each (`sh -c 'date +%s.%N'`) submitted back to "
            f"back from one client onto a {NODES}-node local Ray cluster "
            f"({NODES * CPUS_PER_NODE} CPUs in all), counted from the first submit call to "
            f"the last job's own start stamp; every job must succeed. atlas: atlas.submit "
            f"(submitting took {_median(mine, 'submit_s'):.3g} s, median); ray: "
            f"JobSubmissionClient.submit_job with entrypoint_num_cpus=1 and the same "
            f"working_dir (submitting took {_median(peers, 'submit_s'):.3g} s, median)"
        ),
        higher_is_better=True,
    )


def _first_stamp(text: str, what: str) -> float:
    for line in text.splitlines():
        try:
            return float(line.strip())
        except ValueError:
            continue
    raise BenchError(f"job {what} printed no timestamp:\n{text[-2000:]}")


def _span(samples: list[Sample]) -> str:
    return f"{min(s['low'] for s in samples):.4g}-{max(s['high'] for s in samples):.4g}"


def _median(samples: list[Sample], key: str) -> float:
    return Stats.of([s[key] for s in samples]).median
