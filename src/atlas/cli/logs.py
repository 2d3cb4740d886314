"""``atlas logs``: print a job's log, or follow it until the job ends.

Following reads the server-sent event stream (``GET /api/v1/jobs/{id}/log/stream``). The
exit code of a command that followed a job to its end says how it ended: 0 completed, 1
failed or lost, 130 cancelled (the code of a program stopped by Ctrl-C).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.domain import JobStatus
from atlas.errors import ServerUnavailableError

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["EXIT_CANCELLED", "follow_log", "logs_command", "print_log", "status_exit_code"]

EXIT_CANCELLED = 130
RECONNECT_S = 120.0
"""How long following waits for a server that went away (a restart) to come back."""
RETRY_PAUSE_S = 0.5
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


def follow_log(client: Client, job_id: str, *, reconnect_s: float = RECONNECT_S) -> JobStatus:
    """Print the job's log as it is written until the job ends; answer its final status.

    When the server goes away (a restart), following resumes where it stopped once the
    server is back, for up to ``reconnect_s`` seconds. Ctrl-C stops following (the job goes
    on) and exits with 130."""
    offset = 0
    lost_since: float | None = None
    try:
        while True:
            try:
                for event in client.stream_log(job_id, offset=offset):
                    lost_since = None
                    if event.status is not None:
                        return event.status
                    data = event.text.encode("utf-8", "surrogateescape")
                    _write(data)
                    offset = offset + len(data) if event.offset is None else event.offset
            except ServerUnavailableError as exc:
                if "status" in exc.detail:
                    raise  # the server answered, with an error: not a restart
                lost_since = _waiting_for_server(job_id, lost_since, reconnect_s, exc)
            time.sleep(RETRY_PAUSE_S)  # the stream ended without its end: reconnect
    except KeyboardInterrupt:
        click.echo(
            f"\nStopped following; job {job_id} goes on. Follow it again with "
            f"`atlas logs -f {job_id}`, stop it with `atlas stop {job_id}`.",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_CANCELLED) from None


def _waiting_for_server(
    job_id: str, lost_since: float | None, reconnect_s: float, exc: ServerUnavailableError
) -> float:
    """When the server was first missed; re-raises ``exc`` once ``reconnect_s`` passed."""
    now = time.monotonic()
    if lost_since is None:
        click.echo(
            f"\n[atlas] lost the server while following job {job_id}; "
            f"retrying for {reconnect_s:g} s",
            err=True,
        )
        return now
    if now - lost_since > reconnect_s:
        raise exc
    return lost_since


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
