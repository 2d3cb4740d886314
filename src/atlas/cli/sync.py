"""``atlas sync``: upload what the SDK spooled while no server answered.

The server also imports the spool of its own home when it starts; ``atlas sync`` does it on
demand, for example on a machine whose jobs logged to a server that was down.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.errors import AtlasError

if TYPE_CHECKING:
    from atlas.sdk.spool import SyncReport

__all__ = ["describe_report", "sync_command"]

SPOOL_PATTERN = "*.spool"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def describe_report(report: SyncReport, spool: Path) -> list[str]:
    """What a sync did, as lines for a person: jobs stored, points, what is left and why."""
    lines = []
    if report.uploaded:
        lines.append(
            f"Uploaded {_plural(len(report.uploaded), 'job')} from {spool}: "
            f"{_plural(report.records, 'record')}, {_plural(report.points, 'metric point')}"
            + (f" ({report.duplicates:,} already on the server)" if report.duplicates else "")
            + "."
        )
        lines += [f"  {job_id}" for job_id in report.uploaded]
    if report.busy:
        lines.append(
            f"Left {_plural(len(report.busy), 'job')} to the running processes that own them: "
            + ", ".join(report.busy)
        )
    return lines


@click.command("sync", short_help="Upload what was logged while no server answered.")
@click.option("--home", metavar="DIR", help="Atlas home whose spool to upload (default ~/.atlas).")
@pass_cli
def sync_command(cli: CliContext, home: str | None) -> None:
    """Upload jobs, metrics, logs and files spooled while no server answered.

    Each job's spool is deleted once all of it is stored; what cannot be sent stays for the
    next sync.
    """
    from atlas.sdk.spool import upload_spool

    settings = cli.settings(home=home)
    spool = settings.spool_path
    if not spool.is_dir() or not any(spool.glob(SPOOL_PATTERN)):
        click.echo(f"Nothing to sync: the spool {spool} is empty.")
        return
    with cli.client(settings) as client:
        client.health()  # an unreachable server is exit code 3, before anything is read
        report = upload_spool(client, spool)
        for line in describe_report(report, spool):
            click.echo(line)
        for message in report.rejected:
            click.echo(f"warning: refused by the server, dropped: {message}", err=True)
        for message in report.errors:
            click.echo(f"warning: {message}", err=True)
        if report.errors:
            client.health()  # the server went away meanwhile: exit code 3 again
            raise AtlasError("part of the spool was not uploaded (see above); it is kept")
