"""A real multi-node Ray cluster on loopback for the Ray executor's tests.

``ray.cluster_utils.Cluster`` starts a head and worker nodes as processes of this machine,
each bound to 127.0.0.1 with its own free ports (never Redis's 6379), each with 2 CPUs, 2
fake GPUs (Ray hands out their ids and sets ``CUDA_VISIBLE_DEVICES``) and a small object
store. Atlas reaches it only through the head's dashboard (the Jobs and state APIs), so the
test process never connects to it as a Ray driver.

On Linux, Ray's own processes (the dashboard agent connecting to the head, a driver) turn
the address 127.0.0.1 into the machine's network address before they connect, so they never
reach a head bound to loopback. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` makes Ray take
loopback as this node's address instead: every process of the test cluster stays on
127.0.0.1 (the value 1 would do the opposite and move Ray off loopback).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

NODES = 3
CPUS_PER_NODE = 2
GPUS_PER_NODE = 2
OBJECT_STORE_BYTES = 80 * 1024 * 1024
INSTALL = "pip install 'ray[default]' (or: pip install -e '.[dev]')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def node_args() -> dict[str, Any]:
    return {
        "num_cpus": CPUS_PER_NODE,
        "num_gpus": GPUS_PER_NODE,
        "object_store_memory": OBJECT_STORE_BYTES,
        "node_ip_address": "127.0.0.1",
        "dashboard_agent_listen_port": free_port(),
        "metrics_export_port": free_port(),
        "runtime_env_agent_port": free_port(),
    }


@dataclass
class RayCluster:
    """The cluster: ``address`` is the dashboard's URL (what ``ray_address`` takes)."""

    cluster: Any
    address: str
    workers: list[Any] = field(default_factory=list)

    def node_ids(self) -> set[str]:
        """The ids of the live nodes, as the state API gives them."""
        from ray.util.state import list_nodes

        # no filter on state: the state API then counts the dead nodes in its total and
        # raises once a node has died (what atlas.executors.ray_cluster does too)
        nodes = list_nodes(address=self.address, limit=10_000, raise_on_missing_output=False)
        return {str(node.node_id) for node in nodes if str(node.state) == "ALIVE"}

    def add_worker(self, **labels: str) -> Any:
        """Start a worker node with ``labels`` (as ``ray start --labels`` gives them)."""
        node = self.cluster.add_node(**node_args(), **({"labels": labels} if labels else {}))
        self.workers.append(node)
        return node

    def remove(self, node_id: str) -> None:
        """Kill the worker node ``node_id`` (its raylet and its workers)."""
        node = next(n for n in self.workers if n.node_id == node_id)
        self.workers.remove(node)
        self.cluster.remove_node(node, allow_graceful=False)


def start_cluster() -> RayCluster:
    """Start the head and the worker nodes; wait until the dashboard lists them all."""
    # Read by Ray at import and inherited by every process of the cluster: keep all of it
    # on loopback (see the module's docstring).
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    try:
        from ray.cluster_utils import Cluster
    except ImportError:
        pytest.fail(f"the Ray tests need Ray: {INSTALL}")
    port = free_port()
    head = {
        **node_args(),
        "include_dashboard": True,
        "dashboard_host": "127.0.0.1",
        "dashboard_port": port,
    }
    cluster = Cluster(initialize_head=True, connect=False, head_node_args=head)
    ray_cluster = RayCluster(cluster, f"http://127.0.0.1:{port}")
    for _ in range(NODES - 1):
        ray_cluster.add_worker()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{ray_cluster.address}/api/version", timeout=2)
            if answer.status_code == 200 and len(ray_cluster.node_ids()) == NODES:
                return ray_cluster
        except Exception:  # the dashboard is still starting
            pass
        time.sleep(0.2)
    cluster.shutdown()  # type: ignore[no-untyped-call]
    raise AssertionError(f"the Ray cluster's dashboard never listed {NODES} nodes")


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    """A 3-node Ray cluster on loopback for the whole session (2 CPUs, 2 fake GPUs each)."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.cluster.shutdown()
