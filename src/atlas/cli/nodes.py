"""``atlas nodes ls``: the machines jobs run on, with what each has and what its jobs hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_size
from atlas.cli.tables import Column, render_table
from atlas.sdk.scheduling import GpuSlot, NodeState, SchedulerState

__all__ = ["gpus_text", "labels_text", "nodes_group", "nodes_json", "nodes_table"]

ALIVE = "alive"
DEAD = "dead"
"""A node that left the cluster while jobs still count on it."""
FREE = "free"
HIDDEN = "held"
"""A GPU held by a job of a project the caller may not read."""
SHORT_ID = 12
"""Characters of a node id the table shows (a Ray node id has 56; ``--json`` has it whole)."""


def labels_text(labels: dict[str, str]) -> str:
    """``gpu_type=a100,zone=b``, sorted by key, or ``-`` without labels."""
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items())) or "-"


def gpus_text(gpus: list[GpuSlot]) -> str:
    """Each GPU as ``INDEX:HOLDER`` (``free`` when no job holds it), or ``-`` without GPUs."""
    return " ".join(f"{gpu.index}:{_holder(gpu)}" for gpu in gpus) or "-"


def _holder(gpu: GpuSlot) -> str:
    if gpu.job_id:
        return gpu.job_id
    return HIDDEN if gpu.held else FREE


def _share(used: int, total: int, *, known: bool, show: Callable[[int], str] = str) -> str:
    """``used/total``; a dead node's totals are no longer known (``used/-``)."""
    return f"{show(used)}/{show(total) if known else '-'}"


def _row(node: NodeState) -> list[str]:
    return [
        cell(node.name) or "-",
        ALIVE if node.alive else DEAD,
        cell(node.address) or "-",
        cell(labels_text(node.labels)),
        _share(node.cpus.used, node.cpus.total, known=node.alive),
        _share(node.memory.used, node.memory.total, known=node.alive, show=format_size),
        gpus_text(node.gpus),
        ",".join(node.running) or "-",
        cell(node.id[:SHORT_ID]),
    ]


def nodes_table(nodes: list[NodeState]) -> str:
    """One line per node: name, state, address, labels, CPU slots and memory used/total,
    each GPU with its holder, the jobs running there and the start of the node's id (what
    ``atlas jobs show`` names in full)."""
    columns = [
        Column("NODE", shrink=True, min_width=10),
        Column("STATE"),
        Column("ADDRESS", shrink=True, min_width=9),
        Column("LABELS", shrink=True, min_width=10),
        Column("CPUS", align="right"),
        Column("MEMORY", align="right"),
        Column("GPUS", shrink=True, min_width=10),
        Column("RUNNING", shrink=True, min_width=16),
        Column("ID"),
    ]
    return render_table(columns, [_row(node) for node in nodes]).text


def nodes_json(state: SchedulerState) -> dict[str, object]:
    """``{"nodes": [...]}`` in the REST API's shape (``GET /api/v1/scheduler``'s ``nodes``)."""
    return {"nodes": [asdict(node) for node in state.nodes], "mode": state.mode}


@click.group("nodes")
def nodes_group() -> None:
    """The machines jobs run on: the server's own, or a cluster's nodes."""


@nodes_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the nodes as the API has them).")
@pass_cli
def nodes_ls(cli: CliContext, as_json: bool) -> None:
    """List the nodes with their labels, CPU slots and memory in use, each GPU with the job
    holding it, and the jobs running there.

    A node marked `dead` left the cluster while jobs still count on it: they end `lost`
    (or run again elsewhere with --retries) and its resources are then let go.
    """
    with cli.client() as client:
        state = client.get_scheduler(limit=0)
    if as_json:
        click.echo(dumps(nodes_json(state)))
        return
    if state.mode == "standby":
        click.echo("This server stands by: another server on its database runs the jobs.", err=True)
    if not state.nodes:
        click.echo("No nodes: the server's executor reports none.", err=True)
        return
    click.echo(nodes_table(state.nodes))
