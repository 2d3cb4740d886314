"""The Ray executor on a real 3-node Ray cluster on loopback, driven through a real
``atlas server --executor ray`` subprocess: a job's log and exit code arrive, jobs spread
over the nodes with disjoint GPUs per node, a cancel stops the whole process tree, a node
that dies leaves its job ``lost``, and a restarted server adopts a running job without
running it twice. The executor itself, on the same cluster: the nodes it reads (with their
labels) and a job placed on a node running there."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import psutil
import pytest

from atlas.domain import JobSpec, JobStatus
from atlas.executors import ray as ray_executor
from atlas.executors.base import Allocation, LaunchSpec, Node, Outcome
from atlas.executors.launcher import job_pids
from atlas.executors.ray import NODE_READ_INTERVAL_S, RayExecutor
from tests.ray_cluster import CPUS_PER_NODE, GPUS_PER_NODE, RayCluster, ray_cluster  # noqa: F401
from tests.sdk.conftest import ServerProcess

pytestmark = [pytest.mark.ray, pytest.mark.slow]

DEADLINE_S = 90.0

HOLD = """\
import os, sys, time
record, release = sys.argv[1], sys.argv[2]
with open(record, "a") as out:
    out.write(f"start {os.environ['ATLAS_JOB_ID']} {os.getpid()}\\n")
print("holding", os.environ.get("CUDA_VISIBLE_DEVICES"), flush=True)
deadline = time.time() + 120
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.05)
print("released", flush=True)
"""

TREE = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print("pids", child.pid, flush=True)
time.sleep(120)
"""


@pytest.fixture
def server(tmp_path: Path, ray_cluster: RayCluster) -> Iterator[ServerProcess]:  # noqa: F811
    env = {
        "ATLAS_EXECUTOR": "ray",
        "ATLAS_RAY_ADDRESS": ray_cluster.address,
        "ATLAS_CANCEL_GRACE": "1",
    }
    with ServerProcess(tmp_path / "home", env=env) as process:
        yield process


def submit(server: ServerProcess, argv: list[str], *, retries: int = 0, **resources: int) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/submissions",
        json={
            "project": "ray",
            "command": argv,
            "resources": {"cpus": 1, **resources},
            "env": "none",
            "retries": retries,
        },
        timeout=10,
    )
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def job(server: ServerProcess, job_id: str) -> dict[str, object]:
    answer = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def attempts(server: ServerProcess, job_id: str) -> list[dict[str, object]]:
    """The job's earlier attempts, as its record lists them."""
    return cast(list[dict[str, object]], job(server, job_id)["attempts"])


def log(server: ServerProcess, job_id: str) -> str:
    return httpx.get(f"{server.url}/api/v1/jobs/{job_id}/log", timeout=10).text


def wait_until(what: str, check: object, server: ServerProcess) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen; server output:\n{server.output()[-5000:]}")


def hold(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    record, release = tmp_path / "record.txt", tmp_path / "release"
    return record, release, [sys.executable, "-c", HOLD, str(record), str(release)]


def placement(text: str) -> tuple[str, str]:
    """The node and the GPUs a job's log says it ran on (empty for a job without GPUs:
    the launcher hides every GPU from it)."""
    node = re.search(r"as atlas-\S+ on node (\S+)", text)
    gpus = re.search(r"^holding (\S*)$", text, re.MULTILINE)
    assert node is not None, text
    assert gpus is not None, text
    return node.group(1), gpus.group(1)


def test_the_processes_of_one_attempt_are_told_apart_from_an_earlier_attempts() -> None:
    """Two attempts of one job on one machine (a lost node's attempt still running beside
    its retry): each launcher finds only its own attempt's processes to stop."""
    job_id = "0123456789ray000"
    started = [
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"],
            env={**os.environ, "ATLAS_JOB_ID": job_id, "ATLAS_LAUNCH": f"atlas-{job_id}{tail}"},
        )
        for tail in ("", "-2")
    ]
    try:
        first, second = (process.pid for process in started)
        assert job_pids(job_id, f"atlas-{job_id}") == [first]
        assert job_pids(job_id, f"atlas-{job_id}-2") == [second]
        assert sorted(job_pids(job_id)) == sorted([first, second])
    finally:
        for process in started:
            process.kill()
            process.wait()


def test_a_job_runs_on_the_cluster_with_its_log_and_exit_code(server: ServerProcess) -> None:
    code = "import os; print('hello from', os.environ['ATLAS_JOB_ID']); raise SystemExit(3)"
    job_id = submit(server, [sys.executable, "-c", code])
    wait_until("the job ends", lambda: job(server, job_id)["status"] == "failed", server)
    ended = job(server, job_id)
    assert ended["exit_code"] == 3
    text = log(server, job_id)
    assert f"hello from {job_id}" in text
    assert f"Ray runs the job as atlas-{job_id} on node" in text


def test_jobs_spread_over_nodes_with_disjoint_gpus(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    record, release, argv = hold(tmp_path)
    ids = [submit(server, argv, gpus=1) for _ in range(6)]  # fills 3 nodes x 2 CPUs, 2 GPUs
    for job_id in ids:
        wait_until(f"{job_id} holds", lambda j=job_id: "holding" in log(server, j), server)
    where = [placement(log(server, job_id)) for job_id in ids]
    release.touch()
    by_node: dict[str, list[str]] = {}
    for node, gpus in where:
        by_node.setdefault(node, []).append(gpus)
    assert set(by_node) == ray_cluster.node_ids(), where
    for node, given in by_node.items():
        assert len(given) == 2, f"node {node} ran {given}"
        assert len(set(given)) == 2, f"node {node} gave GPUs {given}"
    for job_id in ids:
        wait_until(f"{job_id} completes", lambda j=job_id: job(server, j)["status"] == "completed",
                   server)  # fmt: skip
    assert len(record.read_text().splitlines()) == 6


def test_cancel_stops_the_jobs_process_tree(server: ServerProcess) -> None:
    job_id = submit(server, [sys.executable, "-c", TREE])
    wait_until("the child starts", lambda: "pids" in log(server, job_id), server)
    child = int(re.search(r"pids (\d+)", log(server, job_id)).group(1))  # type: ignore[union-attr]
    assert psutil.pid_exists(child)
    answer = httpx.post(f"{server.url}/api/v1/jobs/{job_id}/cancel", timeout=10)
    assert answer.status_code == 200, answer.text
    wait_until("the cancel", lambda: job(server, job_id)["status"] == "cancelled", server)
    wait_until("the child ends", lambda: not psutil.pid_exists(child), server)


def test_a_job_whose_node_dies_is_lost(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    _, _, argv = hold(tmp_path)
    ids = [submit(server, argv, cpus=2) for _ in range(3)]  # one a node
    for job_id in ids:
        wait_until(f"{job_id} holds", lambda j=job_id: "holding" in log(server, j), server)
    workers = {node.node_id for node in ray_cluster.workers}
    victim = next(j for j in ids if placement(log(server, j))[0] in workers)
    node = placement(log(server, victim))[0]
    try:
        ray_cluster.remove(node)
        wait_until("the job is lost", lambda: job(server, victim)["status"] == "lost", server)
        error = job(server, victim)["error"]
        assert "lost" in str(error), error
    finally:
        ray_cluster.add_worker()
        for job_id in ids:
            httpx.post(f"{server.url}/api/v1/jobs/{job_id}/cancel", timeout=10)


def test_a_job_lost_with_its_node_runs_again_on_a_live_node_when_it_has_retries(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    record, release, argv = hold(tmp_path)
    ids = [submit(server, argv, retries=1, cpus=2) for _ in range(3)]  # one a node
    for job_id in ids:
        wait_until(f"{job_id} holds", lambda j=job_id: "holding" in log(server, j), server)
    workers = {node.node_id for node in ray_cluster.workers}
    victim = next(j for j in ids if placement(log(server, j))[0] in workers)
    node = placement(log(server, victim))[0]
    try:
        ray_cluster.remove(node)
        ray_cluster.add_worker()  # room for the second attempt
        wait_until("the second attempt", lambda: len(attempts(server, victim)) == 1, server)
        assert attempts(server, victim)[0]["status"] == "lost"
        wait_until("it holds again", lambda: log(server, victim).count("\nholding") == 2, server)
        assert placement(log(server, victim).rsplit("Ray runs the job", 1)[1])[0] != node
        release.touch()
        for job_id in ids:
            done = lambda j=job_id: job(server, j)["status"] == "completed"  # noqa: E731
            wait_until(f"{job_id} completes", done, server)
        assert len(record.read_text().splitlines()) == 4, record.read_text()
    finally:
        for job_id in ids:
            httpx.post(f"{server.url}/api/v1/jobs/{job_id}/cancel", timeout=10)


def test_a_restarted_server_adopts_the_running_job_and_never_runs_it_twice(
    server: ServerProcess, tmp_path: Path
) -> None:
    record, release, argv = hold(tmp_path)
    job_id = submit(server, argv)
    wait_until("the job holds", lambda: "holding" in log(server, job_id), server)
    # the log can arrive before the scheduler's next round records the job running
    wait_until("the job runs", lambda: job(server, job_id)["status"] == "running", server)
    server.stop(signal.SIGKILL)
    server.start()
    assert job(server, job_id)["status"] == "running"
    release.touch()
    wait_until("the job completes", lambda: job(server, job_id)["status"] == "completed", server)
    assert "released" in log(server, job_id)
    assert len(record.read_text().splitlines()) == 1, record.read_text()


def node_ids(nodes: tuple[Node, ...] | None) -> set[str]:
    assert nodes is not None
    return {node.id for node in nodes}


def poll_until(what: str, check: object) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen")


def test_the_executor_reads_the_clusters_live_nodes_with_their_labels(
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    executor = RayExecutor(ray_cluster.address)
    try:
        assert node_ids(executor.nodes()) == ray_cluster.node_ids()  # read at construction
        host = socket.gethostname()
        poll_until(
            "the nodes are named", lambda: {n.name for n in executor.nodes() or ()} == {host}
        )
        nodes = executor.nodes()
        assert nodes is not None
        for node in nodes:
            assert (node.address, node.cpus) == ("127.0.0.1", CPUS_PER_NODE), node
            assert node.gpu_indices == tuple(range(GPUS_PER_NODE)), node
            assert [gpu.name for gpu in node.gpus] == [f"GPU {i}" for i in range(GPUS_PER_NODE)]
            assert node.memory > 0, node
            assert dict(node.labels) == {}, node  # Ray's own ray.io/... labels left out
        time.sleep(NODE_READ_INTERVAL_S * 1.5)
        assert executor.nodes() is nodes  # read again, unchanged: the very same tuple
        labelled = ray_cluster.add_worker(gpu_type="a100")
        try:
            poll_until("the new node", lambda: labelled.node_id in node_ids(executor.nodes()))
            changed = executor.nodes()
            assert changed is not nodes
            new = next(node for node in changed or () if node.id == labelled.node_id)
            assert dict(new.labels) == {"gpu_type": "a100"}
        finally:
            ray_cluster.remove(labelled.node_id)
        poll_until("the node's end", lambda: node_ids(executor.nodes()) == node_ids(nodes))
    finally:
        executor.close()


def test_a_job_placed_on_a_node_runs_on_that_node(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    argv = [sys.executable, "-c", "print('ran here')"]
    ids = [submit(server, argv) for _ in range(3)]  # jobs the server knows, for their logs
    for job_id in ids:
        wait_until(f"{job_id} ends", lambda j=job_id: job(server, j)["status"] == "completed",
                   server)  # fmt: skip
    head = str(ray_cluster.cluster.head_node.node_id)
    workers = sorted(str(node.node_id) for node in ray_cluster.workers)
    targets = [workers[0], workers[0], head]  # two on one worker (2 CPUs), one on the head
    executor = RayExecutor(ray_cluster.address, grace=1)
    try:
        for job_id, node in zip(ids, targets, strict=True):
            executor.launch(
                LaunchSpec(
                    job_id=job_id,
                    job=JobSpec(project="ray", command=shlex.join(argv), env_mode="none"),
                    allocation=Allocation(cpus=1, node=node),
                    snapshot_path=None,
                    server_url=server.url,
                    token="",
                    log_path=tmp_path / f"{job_id}.log",
                    attempt=2,
                )
            )
        ended: dict[str, Outcome | None] = dict.fromkeys(ids)

        def all_ended() -> bool:
            ended.update({j: executor.poll(j) for j in ids if ended[j] is None})
            return all(outcome is not None for outcome in ended.values())

        poll_until("the placed jobs end", all_ended)
        for job_id, node in zip(ids, targets, strict=True):
            outcome = ended[job_id]
            assert outcome is not None
            assert outcome.status is JobStatus.COMPLETED, outcome
            said = (tmp_path / f"{job_id}.log").read_text()
            assert f"Ray runs the job as atlas-{job_id}-2 on node {node}\n" in said, said
            assert log(server, job_id).count("ran here") == 2  # the server's run, then ours
    finally:
        executor.close()


def test_a_launch_whose_ray_job_exists_follows_it_and_never_runs_it_twice(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
) -> None:
    """A server that stopped right after submitting launches the job again: Ray answers
    that the name exists, and the executor follows that Ray job instead of running it."""
    record, release, argv = hold(tmp_path)
    job_id = submit(server, [sys.executable, "-c", "pass"])  # a job the server knows
    wait_until("it ends", lambda: job(server, job_id)["status"] == "completed", server)
    spec = LaunchSpec(
        job_id=job_id,
        job=JobSpec(project="ray", command=shlex.join(argv), env_mode="none"),
        allocation=Allocation(cpus=1),
        snapshot_path=None,
        server_url=server.url,
        token="",
        log_path=tmp_path / "job.log",
        attempt=2,
    )
    first = RayExecutor(ray_cluster.address, grace=1)
    first.launch(spec)
    poll_until("the first run holds", lambda: record.exists())
    first.close()  # the server stops; its Ray job goes on
    second = RayExecutor(ray_cluster.address, grace=1)
    try:
        second.launch(spec)
        poll_until("the second executor follows it", lambda: second.started(job_id))
        release.touch()
        poll_until("it ends", lambda: second.poll(job_id) is not None)
        outcome = second.poll(job_id)
        assert outcome is not None
        assert outcome.status is JobStatus.COMPLETED, outcome
        assert len(record.read_text().splitlines()) == 1, record.read_text()
    finally:
        second.close()


def test_jobs_are_followed_one_by_one_on_a_cluster_that_lists_many_ray_jobs(
    server: ServerProcess,
    tmp_path: Path,
    ray_cluster: RayCluster,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past LISTED_PER_CALL listed Ray jobs per job of ours, the watcher asks for each job
    alone: its start and end are seen all the same (here every list counts as too long)."""
    monkeypatch.setattr(ray_executor, "LISTED_PER_CALL", 0)
    job_id = submit(server, [sys.executable, "-c", "pass"])  # a job the server knows
    wait_until("it ends", lambda: job(server, job_id)["status"] == "completed", server)
    argv = [sys.executable, "-c", "raise SystemExit(4)"]
    executor = RayExecutor(ray_cluster.address, grace=1)
    try:
        executor.launch(
            LaunchSpec(
                job_id=job_id,
                job=JobSpec(project="ray", command=shlex.join(argv), env_mode="none"),
                allocation=Allocation(cpus=1),
                snapshot_path=None,
                server_url=server.url,
                token="",
                log_path=tmp_path / "job.log",
                attempt=2,
            )
        )
        poll_until("it ends", lambda: executor.poll(job_id) is not None)
        outcome = executor.poll(job_id)
        assert outcome is not None
        assert (outcome.status, outcome.exit_code) == (JobStatus.FAILED, 4), outcome
        assert executor.started(job_id)
        assert f"as atlas-{job_id}-2 on node" in (tmp_path / "job.log").read_text()
    finally:
        executor.close()
