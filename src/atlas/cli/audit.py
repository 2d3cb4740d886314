"""``atlas audit``: the server's audit trail, who changed what (admins)."""

from __future__ import annotations

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_time
from atlas.cli.tables import Column, render_table
from atlas.domain import AuditEntry

__all__ = ["audit_group", "audit_json", "audit_table"]

_COLUMNS = (
    Column("TIME"),
    Column("ACTOR", shrink=True, min_width=8),
    Column("ACTION", shrink=True, min_width=12),
    Column("TARGET", shrink=True, min_width=12),
    Column("ADDRESS"),
)


def audit_table(entries: list[AuditEntry], *, width: int | None = None) -> str:
    """The ``audit ls`` table: time, actor, action, target, address."""
    rows = [
        [
            format_time(entry.time, seconds=True),
            cell(entry.actor),
            cell(entry.action),
            cell(entry.target or "-"),
            cell(entry.address or "-"),
        ]
        for entry in entries
    ]
    return render_table(_COLUMNS, rows, width=width).text


def audit_json(entry: AuditEntry) -> dict[str, object]:
    """An audit entry in the REST API's shape."""
    return {
        "id": entry.id,
        "time": entry.time,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "address": entry.address,
    }


@click.group("audit")
def audit_group() -> None:
    """Read the server's audit trail (admins)."""


@audit_group.command("ls")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=100, show_default=True, help="Most entries."
)
@click.option("--actor", metavar="NAME", help="Only what NAME did.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def audit_ls(cli: CliContext, limit: int, actor: str | None, as_json: bool) -> None:
    """List who changed what, newest first."""
    with cli.client() as client:
        entries = client.list_audit(limit=limit, actor=actor)
    if as_json:
        click.echo(dumps({"items": [audit_json(e) for e in entries]}))
    elif not entries:
        click.echo("Nothing in the audit trail.", err=True)
    else:
        click.echo(audit_table(entries))
