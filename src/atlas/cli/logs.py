"""``atlas logs``: print a job's log, or follow it until the job ends.

Following reads the server-sent event stream (``GET /api/v1/jobs/{id}/log/stream``). The
exit code of a command that followed a job to its end says how it ended: 0 completed, 1
failed or lost, 130 cancelled (the code of a program stopped by Ctrl-C).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.domain import JobStatus

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["EXIT_CANCELLED", "follow_log", "logs_command", "print_log", "status_exit_code"]

EXIT_CANCELLED = 130
_CHUNK = 1 << 20


def status_exit_code(status: JobStatus) -> int:
    """The exit code for a job that ended with ``status`` (see the module docstring)."""
    if status is JobStatus.COMPLETED:
        return 0
    if status is JobStatus.CANCELLED:
        return EXIT_CANCELLED
    return 1


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def print_log(client: Client, job_id: str, *, offset: int = 0) -> int:
    """Print the job's log from ``offset`` as it is now; answer the offset after it."""
    while True:
        chunk = client.read_log(job_id, offset=offset, limit=_CHUNK)
        _write(chunk.data)
        offset += len(chunk.data)
        if not chunk.data or offset >= chunk.size:
            return offset


def follow_log(client: Client, job_id: str) -> JobStatus:
    """Print the job's log as it is written until the job ends; answer its final status.
    Ctrl-C stops following (the job goes on) and exits with 130."""
    try:
        for event in client.stream_log(job_id):
            if event.status is not None:
                return event.status
            _write(event.text.encode("utf-8", "surrogateescape"))
    except KeyboardInterrupt:
        click.echo(
            f"\nStopped following; job {job_id} goes on. Follow it again with "
            f"`atlas logs -f {job_id}`, stop it with `atlas stop {job_id}`.",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_CANCELLED) from None
    return client.get_job(job_id).status  # the stream ended without saying: ask


def report_end(job_id: str, status: JobStatus) -> None:
    """Say how a followed job ended (on stderr) and exit with its code."""
    click.echo(f"Job {job_id} {status}.", err=True)
    code = status_exit_code(status)
    if code:
        raise click.exceptions.Exit(code)


@click.command("logs")
@click.argument("job_id", metavar="ID")
@click.option(
    "--follow", "-f", is_flag=True, help="Keep printing as the log grows, until the job ends."
)
@pass_cli
def logs_command(cli: CliContext, job_id: str, follow: bool) -> None:
    """Print a job's log (its stdout and stderr).

    With -f the command follows the log until the job ends and then exits with the job's
    status: 0 completed, 1 failed or lost, 130 cancelled.
    """
    with cli.client() as client:
        if not follow:
            print_log(client, job_id)
            return
        status = follow_log(client, job_id)
    report_end(job_id, status)
