"""A Ray cluster of four nodes on loopback for the GUI's cluster test (web/e2e/cluster.spec.ts).

The test suite's own cluster (tests/ray_cluster.py: a head and two workers, 2 CPUs and 2
fake GPUs each), plus a worker labelled ``gpu_type=a100``. Prints ``ATLAS_E2E_RAY <dashboard
URL>`` once the dashboard lists every node, then runs until its standard input closes (the
test ends, or its process dies) and shuts the cluster down.
"""

from __future__ import annotations

import sys
import time

from tests.ray_cluster import NODES, node_args, start_cluster

LABELS = {"gpu_type": "a100"}
DEADLINE_S = 120.0


def main() -> None:
    cluster = start_cluster()
    try:
        cluster.cluster.add_node(**node_args(), labels=LABELS)
        deadline = time.monotonic() + DEADLINE_S
        while len(cluster.node_ids()) < NODES + 1:
            if time.monotonic() > deadline:
                raise SystemExit("the labelled worker never joined the cluster")
            time.sleep(0.2)
        print(f"ATLAS_E2E_RAY {cluster.address}", flush=True)
        sys.stdin.read()
    finally:
        cluster.cluster.shutdown()


if __name__ == "__main__":
    main()
