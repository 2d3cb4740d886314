"""Reaching a Ray cluster: its Jobs API client and what its live nodes hold.

Atlas talks to Ray only over HTTP, through the head's dashboard (the Ray Jobs API and the
state API), never as a Ray driver: the server needs no Ray session of its own, a server
restart leaves nothing of Ray behind, and a head bound to loopback is reached as it is.

Every Ray node carries the label ``ray.io/node-id`` (:data:`NODE_ID_LABEL`, Ray's own, which
its Jobs API uses to keep a job's driver on the head): a Ray job submitted with that label
as its ``entrypoint_label_selector`` runs on that node and nowhere else.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from atlas.errors import InvalidInputError, ResourceUnavailableError
from atlas.executors.base import GpuInfo, Node

if TYPE_CHECKING:
    from ray.job_submission import JobSubmissionClient

__all__ = [
    "NODE_ID_LABEL",
    "NodeNames",
    "alive_node_ids",
    "connect",
    "dashboard_url",
    "read_nodes",
]

logger = logging.getLogger(__name__)

_NODES_LISTED = 10_000
"""The most node records read at once (the dead nodes the head still remembers included;
the dashboard gives at most 10,000)."""
NODE_ID_LABEL = "ray.io/node-id"
"""The label Ray gives every node, its node id."""
RAY_LABEL_PREFIX = "ray.io/"
"""Ray's own labels (the node id, accelerator type, zone ...) start so; a node's labels as
Atlas shows them leave them out."""
_HTTP_TIMEOUT_S = 5.0
INSTALL_HINT = "install it with: pip install 'atlas-ml[ray]' (or pip install 'ray[default]')"


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


class NodeNames:
    """The host names of the cluster's nodes by node id, read from the dashboard once for
    each node that appears (a node keeps its host name; the state API does not give it)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._asked: frozenset[str] = frozenset()

    def name(self, node_id: str) -> str:
        """The node's host name, else the first 8 characters of its id."""
        return self._names.get(node_id) or node_id[:8]

    def learn(self, url: str, node_ids: set[str]) -> None:
        """Read the host names of the nodes among ``node_ids`` not named yet (one dashboard
        call, not repeated for the same unnamed nodes)."""
        unnamed = frozenset(node_ids - self._names.keys())
        if not unnamed or unnamed <= self._asked:
            return
        self._asked = unnamed
        import httpx

        try:
            answer = httpx.get(f"{url}/nodes", params={"view": "summary"}, timeout=_HTTP_TIMEOUT_S)
            answer.raise_for_status()
            summary = answer.json()["data"]["summary"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            logger.debug("Ray cluster at %s: no host names for nodes %s: %s", url, unnamed, exc)
            return
        for entry in summary if isinstance(summary, list) else ():
            raylet = entry.get("raylet") if isinstance(entry, dict) else None
            if not isinstance(raylet, dict):
                continue
            node_id = str(raylet.get("nodeId") or "")
            hostname = str(raylet.get("nodeManagerHostname") or entry.get("hostname") or "")
            if node_id and hostname:
                self._names[node_id] = hostname


def read_nodes(address: str, names: NodeNames) -> tuple[Node, ...]:
    """The cluster's live nodes as ``Node`` records, by id: the Ray
    node id, its host name (``names``), IP address, whole CPUs, memory in bytes, its GPUs
    numbered from 0 and its labels but Ray's own. ``ResourceUnavailableError`` when the
    cluster does not answer."""
    url = dashboard_url(address)
    try:
        states = _alive_nodes(url)
    except Exception as exc:  # the state API raises its own exception classes
        raise ResourceUnavailableError(
            f"could not read the nodes of the Ray cluster at {url}: {exc}",
            detail={"setting": "ray_address", "address": url},
        ) from None
    names.learn(url, {str(state.node_id) for state in states})
    nodes = []
    for state in states:
        node_id = str(state.node_id)
        total = dict(state.resources_total or {})
        labels = dict(state.labels or {})
        nodes.append(
            Node(
                id=node_id,
                name=names.name(node_id),
                address=str(state.node_ip),
                cpus=int(total.get("CPU", 0)),
                memory=int(total.get("memory", 0)),
                gpus=tuple(
                    GpuInfo(index=i, name=f"GPU {i}") for i in range(int(total.get("GPU", 0)))
                ),
                labels={
                    str(key): str(value)
                    for key, value in sorted(labels.items())
                    if not str(key).startswith(RAY_LABEL_PREFIX)
                },
            )
        )
    return tuple(sorted(nodes, key=lambda node: node.id))
