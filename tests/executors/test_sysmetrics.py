"""System metrics: sampled from a real process tree, sent to a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from atlas.domain import JobKind, JobStatus
from atlas.executors.local import LocalExecutor
from atlas.executors.sysmetrics import GpuReader, MetricsReporter, ProcessTreeSampler
from atlas.sdk.client import Client
from tests.executors.conftest import Specs, log_text, wait_for, wait_outcome

BURN = """
import subprocess, sys, time
code = "import sys, time\\nend = time.time() + float(sys.argv[1])\\nwhile time.time() < end: pass"
blob = b"x" * (40 * 1024 * 1024)
child = subprocess.Popen([sys.executable, "-c", code, sys.argv[1]])
child.wait()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``atlas server`` in a subprocess, for this module."""
    home = tmp_path_factory.mktemp("server-home")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env.update({"ATLAS_HOME": str(home), "ATLAS_GPUS": ""})
    with (home / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "atlas", "server", "--port", str(port)],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, (home / "server.log").read_text()
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(healthy, timeout=60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_sampler_sums_the_process_tree() -> None:
    with subprocess.Popen([sys.executable, "-c", BURN, "3"]) as job:
        sampler = ProcessTreeSampler(job.pid)
        sampler.sample()
        wait_for(lambda: len(psutil.Process(job.pid).children()) == 1)
        samples: list[dict[str, float]] = []

        def busy() -> bool:
            samples.append(sampler.sample())
            return samples[-1]["system/cpu_percent"] > 20

        wait_for(busy, timeout=10)
        assert samples[-1]["system/rss_mb"] > 40  # the 40 MiB blob plus two interpreters
        grandchild = psutil.Process(job.pid).children()[0]
        job.kill()
        job.wait()
    grandchild.kill()
    assert sampler.sample() == {}


def test_gpus_without_an_nvidia_driver_give_no_metrics() -> None:
    assert GpuReader([]).sample() == {}
    reader = GpuReader([0, 1])  # no driver here: NVML fails to start, nothing is raised
    values = reader.sample()
    reader.close()
    assert all(key.startswith(("system/gpu0_", "system/gpu1_")) for key in values)


def test_the_reporter_sends_samples_as_steps(server_url: str) -> None:
    with Client(server_url, token="") as client:
        job = client.create_job("sysmetrics", kind=JobKind.LOCAL)
        reporter = MetricsReporter(job.id, client)
        reporter.add({"system/cpu_percent": 50.0, "system/rss_mb": 10.0}, now=1000.0)
        reporter.add({"system/cpu_percent": 70.0, "system/rss_mb": 12.0}, now=1001.0)
        assert reporter.pending() == 4
        assert reporter.flush()
        assert reporter.pending() == 0
        series = client.get_metric(job.id, "system/cpu_percent")
        assert series.steps == [0, 1]
        assert series.values == [50.0, 70.0]


def test_the_reporter_keeps_points_while_no_server_answers() -> None:
    with Client(f"http://127.0.0.1:{_free_port()}", token="", timeout=1) as client:
        reporter = MetricsReporter("0000000000000001", client)
        reporter.add({"system/rss_mb": 1.0})
        assert not reporter.flush()
        reporter.add({"system/rss_mb": 2.0})
        assert not reporter.flush()
        assert reporter.pending() == 2
        assert not reporter.stopped


def test_a_running_job_reports_system_metrics(server_url: str, tmp_path: Path) -> None:
    with Client(server_url, token="") as client:
        job = client.create_job("sysmetrics", kind=JobKind.LOCAL)
        executor = LocalExecutor(tmp_path / "work", metrics_interval=0.2)
        spec = Specs(tmp_path)(
            [sys.executable, "-c", BURN, "2.5"], job_id=job.id, server_url=server_url
        )
        started = time.monotonic()
        executor.launch(spec)
        outcome = wait_outcome(executor, job.id)
        assert outcome.status is JobStatus.COMPLETED, log_text(spec)
        assert time.monotonic() - started < 15
        summaries = {m.key: m for m in client.list_metrics(job.id)}
        assert {"system/cpu_percent", "system/rss_mb"} <= set(summaries)
        assert summaries["system/cpu_percent"].count >= 3
        assert summaries["system/cpu_percent"].max > 20
        assert summaries["system/rss_mb"].max > 40
