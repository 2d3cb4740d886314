"""The ``atlas`` command: the group, its global options and how errors reach the user.

Exit codes: 0 success, 1 an Atlas error (unknown job, bad filter, port in use, ...), 2 a usage
error (unknown option, missing argument: click's own), 3 no server answered at the URL.
An :class:`~atlas.errors.AtlasError` is printed as ``error: <message>`` on stderr, never as a
traceback.
"""

from __future__ import annotations

from typing import IO, Any

import click

from atlas.cli.audit import audit_group
from atlas.cli.context import CliContext
from atlas.cli.db import db_group
from atlas.cli.fetch import delete_group, get_group
from atlas.cli.imports import import_group
from atlas.cli.init import init_command
from atlas.cli.jobs import jobs_group
from atlas.cli.login import login_command, logout_command, whoami_command
from atlas.cli.logs import logs_command
from atlas.cli.nodes import nodes_group
from atlas.cli.notify import notify_group
from atlas.cli.projects import projects_group
from atlas.cli.queue import queue_group, stop_command
from atlas.cli.schedule import schedule_group
from atlas.cli.server import server_command
from atlas.cli.submit import rerun_command, submit_command
from atlas.cli.sweep import sweep_group
from atlas.cli.sync import sync_command
from atlas.cli.tensorboard import tensorboard_command
from atlas.cli.tokens import tokens_group
from atlas.cli.users import users_group
from atlas.errors import AtlasError, ServerUnavailableError
from atlas.version import __version__

__all__ = [
    "EXIT_ERROR",
    "EXIT_SERVER_UNAVAILABLE",
    "EXIT_USAGE",
    "CliError",
    "ServerUnreachableError",
    "cli",
    "main",
]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SERVER_UNAVAILABLE = 3

START_HINT = (
    "Start a server with `atlas server`, or point the CLI at yours with --url or ATLAS_URL."
)


class CliError(click.ClickException):
    """A user-facing failure: printed as ``error: <message>``, exits with 1."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class ServerUnreachableError(CliError):
    """No server answered at the URL: exits with 3 so scripts can tell (and retry)."""

    exit_code = EXIT_SERVER_UNAVAILABLE


def _unavailable_message(exc: ServerUnavailableError, url: str | None) -> str:
    message = exc.message
    tried = url or str(exc.detail.get("url") or "")
    if tried and tried not in message:
        message = f"{message} (tried {tried})"
    return f"{message}\n{START_HINT}"


class AtlasGroup(click.Group):
    """The root group: turns every AtlasError raised below it into a one-line error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ServerUnavailableError as exc:
            if "status" in exc.detail:  # the server answered, with a 5xx: not unreachable
                raise CliError(exc.message) from None
            url = ctx.obj.url if isinstance(ctx.obj, CliContext) else None
            raise ServerUnreachableError(_unavailable_message(exc, url)) from None
        except AtlasError as exc:
            raise CliError(exc.message) from None


@click.group(cls=AtlasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="atlas")
@click.option(
    "--url",
    metavar="URL",
    help="Server URL (setting `url`, ATLAS_URL; default http://127.0.0.1:5555).",
)
@click.option("--token", metavar="TOKEN", help="API token (setting `token`, ATLAS_TOKEN).")
@click.pass_context
def cli(ctx: click.Context, url: str | None, token: str | None) -> None:
    """Atlas: run, track, compare and reproduce machine-learning jobs.

    Exit codes: 0 success, 1 error, 2 usage error, 3 server unreachable.
    """
    ctx.obj = CliContext(url=url, token=token)


cli.add_command(server_command)
cli.add_command(db_group)
cli.add_command(init_command)
cli.add_command(projects_group)
cli.add_command(jobs_group)
cli.add_command(sync_command)
cli.add_command(import_group)
cli.add_command(tensorboard_command)
cli.add_command(submit_command)
cli.add_command(logs_command)
cli.add_command(stop_command)
cli.add_command(queue_group)
cli.add_command(nodes_group)
cli.add_command(rerun_command)
cli.add_command(sweep_group)
cli.add_command(schedule_group)
cli.add_command(get_group)
cli.add_command(delete_group)
cli.add_command(users_group)
cli.add_command(login_command)
cli.add_command(logout_command)
cli.add_command(whoami_command)
cli.add_command(tokens_group)
cli.add_command(notify_group)
cli.add_command(audit_group)


def main() -> None:
    """Console entry point of ``atlas`` (and ``python -m atlas``)."""
    cli.main(prog_name="atlas")
