"""The container executor beside ``podman run`` of the same image, in the same run.

``containers_latency``: from just before the submit call to the first thing the job's command
does in its container, ``date +%s.%N`` (the container shares the host's clock), over
sequential jobs, each submitted once the previous one has ended. Ours: ``atlas.submit`` of a
one-file folder with ``image=`` to a real ``atlas server`` whose ``container_engine`` is a
``podman system service`` started for the run; the job's first log line is the timestamp.
Peer: ``podman run --rm --init --network none IMAGE sh -c 'date +%s.%N'``, its stdout the
timestamp: what a user runs by hand, with the same init and network as our containers (none:
a job reaches the server through its socket, mounted in).

The image is ``ATLAS_BENCH_IMAGE`` (default ``localhost/atlas-base:bookworm``, made by `make
container-base`); no registry is needed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

import atlas
from atlas.sdk.client import Client
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.trial import Context, Sample, alternate, stats
from bench.worker import BenchError

NAME = "containers"
PROJECT = "bench-containers"
IMAGE = os.environ.get("ATLAS_BENCH_IMAGE", "localhost/atlas-base:bookworm")
JOBS = 10
TARGET_MARGIN_MS = 100.0
COMMAND = ["sh", "-c", "date +%s.%N"]
START_DEADLINE_S = 60.0


def run(context: Context) -> Iterator[Result]:
    """Submit-to-start of a job in an image beside ``podman run`` of that image."""
    podman = shutil.which("podman")
    if podman is None:
        raise BenchError("the container benchmark needs podman: apt-get install -y podman runc")
    if subprocess.run([podman, "image", "exists", IMAGE], check=False).returncode != 0:
        raise BenchError(f"the image {IMAGE} is missing: run `make container-base`")
    version = subprocess.run(
        [podman, "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    with context.workdir(NAME) as work:
        service, url = _service(podman, work)
        try:
            code = work / "code"
            code.mkdir()
            (code / "README.md").write_text("A job run in a container by the benchmark.\n")
            settings = {"ATLAS_CONTAINER_ENGINE": url, "ATLAS_CPUS": "2"}
            with AtlasServer(work / "atlas", settings=settings) as server:
                yield _latency(context, server.url, code, podman, version)
        finally:
            service.terminate()
            service.wait(timeout=30)


def _service(podman: str, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    socket = work / "podman.sock"
    url = f"unix://{socket}"
    with (work / "podman-service.log").open("wb") as log:
        service = subprocess.Popen(
            [podman, "system", "service", "--time=0", url], stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_DEADLINE_S
    while not socket.exists():
        if service.poll() is not None or time.monotonic() > deadline:
            service.kill()
            raise BenchError(f"podman system service did not start; see {work}")
        time.sleep(0.05)
    return service, url


def _latency(context: Context, url: str, code: Path, podman: str, version: str) -> Result:
    with Client(url) as client:
        mine, theirs = alternate(
            f"{NAME}_latency",
            _measure(lambda: _ours(client, url, code)),
            _measure(lambda: _podman_run(podman)),
            repetitions=context.repetitions,
            warmup=context.warmup,
        )
    atlas, peer = stats(mine), stats(theirs)
    return Result(
        name=f"{NAME}_latency",
        unit="ms",
        ours=atlas,
        peer=PeerFigure("podman run", version, peer),
        target=f"median <= podman run's + {TARGET_MARGIN_MS:g} ms",
        meets_target=atlas.median <= peer.median + TARGET_MARGIN_MS,
        note=(
            f"from just before the submit call to the job's first timestamp (`date +%s.%N` "
            f"in the container), per job, {JOBS} sequential jobs per repetition; atlas: "
            f"atlas.submit(image={IMAGE!r}) of a 1-file folder (upload skipped once stored) to "
            f"a real atlas server (SQLite) on a podman system service (Docker Engine API); "
            f"the snapshot's unpacking, the container's creation and start are included. "
            f"the job's container has no network (the server's socket is mounted in). "
            f"peer: `podman run --rm --init --network none {IMAGE} sh -c 'date +%s.%N'`. "
            f"median/min/max over the repetitions' medians, p99 the median of their p99s"
        ),
    )


def _measure(once: Callable[[], float]) -> Callable[[], Sample]:
    def measure() -> Sample:
        values = sorted(once() * 1000 for _ in range(JOBS))
        return {
            "value": statistics.median(values),
            "p99": values[-1],
            "low": values[0],
            "high": values[-1],
        }

    return measure


def _ours(client: Client, url: str, code: Path) -> float:
    before = time.time()
    job = atlas.submit(
        COMMAND, directory=code, project=PROJECT, image=IMAGE, wait=True, client=client
    )
    log = httpx.get(f"{url}/api/v1/jobs/{job.id}/log", timeout=30).text
    return _first_stamp(log, job.id) - before


def _podman_run(podman: str) -> float:
    before = time.time()
    done = subprocess.run(
        [podman, "run", "--rm", "--init", "--network", "none", IMAGE, *COMMAND],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"podman run failed: {done.stderr}")
    return _first_stamp(done.stdout, "podman run") - before


def _first_stamp(text: str, what: str) -> float:
    for line in text.splitlines():
        try:
            return float(line)
        except ValueError:
            continue
    raise BenchError(f"{what} printed no timestamp:\n{text}")
