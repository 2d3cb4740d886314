"""Reaching a Ray cluster: its Jobs API client and what its live nodes hold.

Atlas talks to Ray only over HTTP, through the head's dashboard (the Ray Jobs API and the
state API), never as a Ray driver: the server needs no Ray session of its own, a server
restart leaves nothing of Ray behind, and a head bound to loopback is reached as it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from atlas.errors import InvalidInputError, ResourceUnavailableError

if TYPE_CHECKING:
    from ray.job_submission import JobSubmissionClient

__all__ = [
    "ClusterResources",
    "NodeResources",
    "alive_node_ids",
    "connect",
    "dashboard_url",
    "read_resources",
]

logger = logging.getLogger(__name__)

_NODES_LISTED = 10_000
"""The most node records read at once (the dead nodes the head still remembers included;
the dashboard gives at most 10,000)."""
INSTALL_HINT = "install it with: pip install 'atlas-ml[ray]' (or pip install 'ray[default]')"


@dataclass(frozen=True, slots=True)
class NodeResources:
    """One live node: its Ray node id, address and totals (CPUs, bytes of memory, GPUs)."""

    node_id: str
    address: str
    cpus: float
    memory: int
    gpus: int


@dataclass(frozen=True, slots=True)
class ClusterResources:
    """What the cluster's live nodes hold, node by node and in total."""

    nodes: tuple[NodeResources, ...]

    @property
    def cpus(self) -> int:
        """The CPUs of all nodes (whole ones)."""
        return int(sum(node.cpus for node in self.nodes))

    @property
    def memory(self) -> int:
        """The memory of all nodes, in bytes."""
        return sum(node.memory for node in self.nodes)

    @property
    def gpus(self) -> int:
        """The GPUs of all nodes."""
        return sum(node.gpus for node in self.nodes)


def dashboard_url(address: str) -> str:
    """The HTTP address of the head's dashboard from the ``ray_address`` setting:
    ``http://host:8265`` as it is, ``host:port`` as ``http://host:port``.
    ``InvalidInputError`` for a Ray Client address (``ray://``), which Atlas does not use."""
    text = address.strip().rstrip("/")
    if text.startswith(("http://", "https://")):
        return text
    if not text or "://" in text:
        raise InvalidInputError(
            f"setting ray_address must be the Ray dashboard's address, such as "
            f"http://10.0.0.5:8265, not {address!r} (docs/cluster.md)",
            detail={"setting": "ray_address"},
        )
    return f"http://{text}"


def connect(address: str) -> JobSubmissionClient:
    """A Jobs API client of the cluster whose dashboard is at ``address``.
    ``ResourceUnavailableError`` saying what to do when Ray is not installed or the cluster
    does not answer."""
    try:
        from ray.job_submission import JobSubmissionClient
    except ImportError:
        raise ResourceUnavailableError(
            f"the Ray executor needs Ray on the server: {INSTALL_HINT}",
            detail={"setting": "executor"},
        ) from None
    url = dashboard_url(address)
    try:
        return JobSubmissionClient(url)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ResourceUnavailableError(
            f"the Ray cluster at {url} does not answer ({exc}): start its head with "
            "`ray start --head --dashboard-host ...` (docs/cluster.md) or fix ray_address",
            detail={"setting": "ray_address", "address": url},
        ) from None


def _alive_nodes(url: str) -> list[Any]:
    """The state API's records of the cluster's live nodes.

    Every node is listed and the live ones kept here: with a filter on ``state`` the state
    API counts the dead nodes in its total and then takes the shorter answer for a truncated
    one and raises, as soon as one node of the cluster has died.
    """
    from ray.util.state import list_nodes

    states = list_nodes(address=url, limit=_NODES_LISTED, raise_on_missing_output=False)
    return [state for state in states if str(state.state) == "ALIVE"]


def alive_node_ids(address: str) -> set[str]:
    """The ids of the cluster's live nodes. ``ResourceUnavailableError`` when the cluster
    does not answer."""
    url = dashboard_url(address)
    try:
        return {str(state.node_id) for state in _alive_nodes(url)}
    except Exception as exc:  # the state API raises its own exception classes
        raise ResourceUnavailableError(
            f"could not read the nodes of the Ray cluster at {url}: {exc}",
            detail={"setting": "ray_address", "address": url},
        ) from None


def read_resources(address: str) -> ClusterResources:
    """The live nodes of the cluster and what each holds (Ray's state API on the
    dashboard). ``ResourceUnavailableError`` when the cluster does not answer."""
    url = dashboard_url(address)
    try:
        states = _alive_nodes(url)
    except Exception as exc:  # the state API raises its own exception classes
        raise ResourceUnavailableError(
            f"could not read the nodes of the Ray cluster at {url}: {exc}",
            detail={"setting": "ray_address", "address": url},
        ) from None
    nodes = []
    for state in states:
        total = dict(state.resources_total or {})
        nodes.append(
            NodeResources(
                node_id=str(state.node_id),
                address=str(state.node_ip),
                cpus=float(total.get("CPU", 0.0)),
                memory=int(total.get("memory", 0.0)),
                gpus=int(total.get("GPU", 0.0)),
            )
        )
    logger.debug("Ray cluster at %s: %d live nodes", url, len(nodes))
    return ClusterResources(tuple(sorted(nodes, key=lambda node: node.node_id)))
