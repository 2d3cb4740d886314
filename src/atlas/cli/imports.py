"""``atlas import``: bring runs recorded elsewhere into Atlas (today: TensorBoard logs)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli

if TYPE_CHECKING:
    from atlas.tbevents.importer import ImportedRun

__all__ = ["describe_run", "import_group"]


@click.group("import")
def import_group() -> None:
    """Turn runs recorded by other tools into Atlas jobs."""


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def describe_run(result: ImportedRun) -> str:
    """One line for a person: which run became which job, with what."""
    if result.skipped:
        return f"{result.name}: already imported as job {result.job_id}, skipped"
    line = (
        f"{result.name}: job {result.job_id}, {_plural(result.metrics, 'metric')}, "
        f"{_plural(result.points, 'point')}"
    )
    if result.media:
        line += f", {_plural(result.media, 'media file')}"
    if result.others:
        line += f" ({result.others:,} other values not imported)"
    return line


@import_group.command("tensorboard", short_help="Import TensorBoard runs as jobs.")
@click.argument("logdir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-p", "--project", required=True, help="Project the jobs go to (created if new).")
@pass_cli
def tensorboard_command(cli: CliContext, logdir: Path, project: str) -> None:
    """Import every TensorBoard run below LOGDIR (each folder holding event files) as a
    job of PROJECT, its scalars as metrics with their steps and wall times, its histograms
    and images as media.

    Importing the same folder again skips the runs already imported.
    """
    from atlas.tbevents.importer import import_logdir

    settings = cli.settings()
    warnings = _WarningLines()
    reader_log = logging.getLogger("atlas.tbevents")
    reader_log.addHandler(warnings)
    try:
        with cli.client(settings) as client:
            client.health()  # an unreachable server is exit code 3, before anything is read
            results = import_logdir(
                client,
                logdir,
                project,
                batch_points=settings.batch_points,
                progress=lambda result: click.echo(describe_run(result)),
            )
    finally:
        reader_log.removeHandler(warnings)
    if not results:
        click.echo(f"No TensorBoard event files below {logdir}.")
        return
    imported = [r for r in results if not r.skipped]
    click.echo(
        f"Imported {_plural(len(imported), 'run')} into project {project!r}: "
        f"{_plural(sum(r.points for r in imported), 'metric point')}."
    )


class _WarningLines(logging.Handler):
    """Prints the reader's warnings (a corrupt record, a tag that is not a key) as
    ``warning: ...`` lines on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)
