"""The ``foundations`` command: old Atlas's verbs, run by the same code as ``atlas``'s.

``foundations submit scheduler DIR COMMAND...``, ``get job``, ``get logs``, ``stop``,
``delete job``, ``clear-queue`` and ``init``, with the old arguments (the first,
``scheduler``, names old Atlas's scheduler: Atlas has one, the server of the settings,
``ATLAS_URL`` or ``atlas login``). Messages keep the old words; an error is one line and exit
code 1.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from string import Template
from typing import IO, TYPE_CHECKING, Any

import click

from atlas.cli.context import CliContext
from atlas.domain import JobStatus
from atlas.errors import AtlasError, ConflictError, NotFoundError, ServerUnavailableError
from atlas.version import __version__
from foundations.deployment import old_status

if TYPE_CHECKING:
    from atlas.domain import Job
    from atlas.sdk.client import Client

__all__ = ["cli", "main"]


class Failure(click.ClickException):
    """A failed command: its message as it is on stderr, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True, file=file)


class FoundationsGroup(click.Group):
    """Turns every Atlas error below it into the old one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ServerUnavailableError as exc:
            from atlas.cli.main import START_HINT

            raise Failure(f"Error running command: {exc.message}\n{START_HINT}") from None
        except AtlasError as exc:
            raise Failure(f"Error running command: {exc.message}") from None


def _say(text: str) -> None:
    click.echo(f"Foundations INFO: {text}", err=True)


@click.group(cls=FoundationsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="Running Foundations version %(version)s")
@click.option("--debug", is_flag=True, help="Log the details of what the command does.")
def cli(debug: bool) -> None:
    """Old Atlas (foundations) commands on Atlas: `atlas` does the same and more
    (docs/migrating.md)."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="Foundations %(levelname)s: %(message)s",
    )


def _client() -> CliContext:
    return CliContext()


def _job(client: Client, job_id: str, scheduler: str) -> Job:
    try:
        return client.get_job(job_id)
    except NotFoundError:
        raise Failure(
            f"Error: Job `{job_id}` does not exist for environment `{scheduler}`"
        ) from None


@cli.command("init")
@click.argument("project_name")
def init_command(project_name: str) -> None:
    """Create a project folder PROJECT_NAME with an example job that uses `import foundations`."""
    from atlas.cli.init import create_project_folder

    folder = Path(os.path.abspath(project_name))
    try:
        create_project_folder(folder, project_name=folder.name)
    except ConflictError:
        raise Failure(f"Error: project directory for `{project_name}` already exists") from None
    template = Path(__file__).with_name("templates") / "main.py.tmpl"
    text = Template(template.read_text(encoding="utf-8")).substitute(project_name=folder.name)
    (folder / "main.py").write_text(text, encoding="utf-8")
    click.echo(f"Success: New Foundations project `{project_name}` created!")


@cli.command(
    "submit",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--entrypoint", metavar="PROGRAM", help="Program that runs COMMAND (default: python)."
)
@click.option(
    "--project-name", metavar="NAME", help="Project (default: job.config.yaml, then DIR's name)."
)
@click.option("--num-gpus", type=click.IntRange(0), metavar="N", help="GPUs (default 0).")
@click.option("--ram", type=click.FloatRange(0, min_open=True), metavar="GB", help="RAM in GiB.")
@click.option(
    "--stream-job-logs",
    default="True",
    metavar="True|False",
    help="Print the job's log until it ends (default True).",
)
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
@click.argument("job_directory", metavar="JOB-DIRECTORY", type=click.Path(file_okay=False))
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def submit_command(
    entrypoint: str | None,
    project_name: str | None,
    num_gpus: int | None,
    ram: float | None,
    stream_job_logs: str,
    scheduler_config: str,
    job_directory: str,
    command: tuple[str, ...],
) -> None:
    """Queue COMMAND (e.g. main.py) to run from a snapshot of JOB-DIRECTORY, as `atlas
    submit JOB-DIRECTORY COMMAND` does; SCHEDULER-CONFIG is `scheduler`. Options go before
    SCHEDULER-CONFIG; those of COMMAND (after it) go to COMMAND, with a warning when they look
    like these options (`--` before COMMAND silences it)."""
    from atlas.cli.logs import follow_log
    from foundations.submission import queue_job

    words = _checked_command([scheduler_config, job_directory], list(command))
    with _client().client() as client:
        job = queue_job(
            client,
            Path(job_directory),
            words,
            scheduler=scheduler_config,
            project_name=project_name,
            entrypoint=entrypoint,
            num_gpus=num_gpus,
            ram=ram,
        )
        _say(f"Job submitted with ID '{job.id}'.")
        if stream_job_logs != "True":
            return
        _say("Job queued. Ctrl-C to stop streaming - job will not be interrupted or cancelled.")
        status = follow_log(client, job.id)
    ending = "has completed" if status is JobStatus.COMPLETED else f"has {status}"
    if status in (JobStatus.CANCELLED, JobStatus.LOST):
        ending = f"was {status}"
    _say(f"Job '{job.id}' {ending}.")


SUBMIT_USAGE = "foundations submit {option} scheduler JOB-DIRECTORY COMMAND"
"""The command line ``foundations submit``'s messages suggest, options first."""


def _checked_command(leading: list[str], command: list[str]) -> list[str]:
    """``command`` as the job runs it, after ``atlas submit``'s checks: an option in place of
    SCHEDULER-CONFIG or JOB-DIRECTORY (after SCHEDULER-CONFIG, where click stops reading
    options) is refused; options of COMMAND that look like ours are warned about on stderr,
    unless COMMAND starts with ``--`` (dropped)."""
    from atlas.cli.submit import check_command

    ctx = click.get_current_context()
    options = sorted(o for p in ctx.command.params for o in (*p.opts, *p.secondary_opts))
    for word in leading:
        name = word.partition("=")[0]
        if name in options:
            raise click.UsageError(
                f"{name} comes after SCHEDULER-CONFIG: options go first "
                f"({SUBMIT_USAGE.format(option=f'{name} ...')})"
            )
        check_command([word], options, separated=False, usage=SUBMIT_USAGE)
    separated = command[:1] == ["--"]
    words = command[1:] if separated else command
    for warning in check_command(words, options, separated=separated, usage=SUBMIT_USAGE):
        click.echo(f"warning: {warning}", err=True)
    return words


@cli.group("get")
def get_group() -> None:
    """Get a job's files or its logs."""


@get_group.command("job")
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
@click.argument("job_id")
@click.option(
    "--save_dir", type=click.Path(file_okay=False), help="Folder to write into (default ./JOB_ID)."
)
@click.option("--source_dir", default="", help="Accepted for old scripts; everything is fetched.")
def get_job(scheduler_config: str, job_id: str, save_dir: str | None, source_dir: str) -> None:
    """Download a job's code, artifacts and log (as `atlas get job`)."""
    from atlas.cli.fetch import fetch_job

    with _client().client() as client:
        _job(client, job_id, scheduler_config)
        lines = fetch_job(client, job_id, Path(save_dir or job_id))
    click.echo(f"Successfully retrieved Job {job_id} from archive store")
    for line in lines:
        click.echo("  " + line)


@get_group.command("logs")
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
@click.argument("job_id")
def get_logs(scheduler_config: str, job_id: str) -> None:
    """Print a job's log (as `atlas logs`)."""
    from atlas.cli.logs import print_log

    with _client().client() as client:
        job = _job(client, job_id, scheduler_config)
        if old_status(job.status) == "queued":
            raise Failure(f"Error: Job `{job_id}` is queued and has not produced any logs")
        print_log(client, job_id)


@cli.command("stop")
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
@click.argument("job_id")
def stop_command(scheduler_config: str, job_id: str) -> None:
    """Stop a running job (as `atlas stop`); a queued or finished one is refused, as before."""
    with _client().client() as client:
        status = old_status(_job(client, job_id, scheduler_config).status)
        if status != "running":
            raise Failure(f"Error: Job `{job_id}` is {status} and cannot be stopped")
        client.cancel_job(job_id)
    click.echo(f"Stopped running job {job_id}")


@cli.command("clear-queue")
@click.option(
    "--project-name", metavar="NAME", help="Only this project's queued jobs (its editors may)."
)
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
def clear_queue_command(scheduler_config: str, project_name: str | None) -> None:
    """Cancel the queued jobs of --project-name, or without it every queued job of every
    project and user on the server (an admin's call on a team server), as `atlas queue clear
    --yes` does. Running jobs go on."""
    with _client().client() as client:
        removed = client.clear_queue(project_name)
    click.echo(f"Removed {len(removed)} job(s) from queue")


@cli.group("delete")
def delete_group() -> None:
    """Delete jobs."""


@delete_group.command("job")
@click.argument("scheduler_config", metavar="SCHEDULER-CONFIG")
@click.argument("job_id")
def delete_job(scheduler_config: str, job_id: str) -> None:
    """Delete an ended job with its metrics, artifacts and logs (as `atlas delete job`)."""
    with _client().client() as client:
        job = _job(client, job_id, scheduler_config)
        if old_status(job.status) != "completed":
            raise Failure(f"Error: Job `{job_id}` has status `{job.status}` and cannot be deleted")
        client.delete_job(job_id)
    click.echo(f"Job {job_id} successfully deleted")


def main() -> None:
    """Console entry point of ``foundations`` (and ``python -m foundations``)."""
    cli.main(prog_name="foundations")
