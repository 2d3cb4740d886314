"""``atlas queue ls|clear`` and ``atlas stop``: the scheduler's queue and stopping jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_duration, format_size, job_json
from atlas.cli.tables import Column, render_table
from atlas.domain import GIVEN_GPUS, Job
from atlas.sdk.scheduling import SchedulerState

__all__ = ["queue_group", "queue_table", "resources_line", "stop_command"]


def _asked(job: Job) -> tuple[str, str, str]:
    """CPUs, GPUs and memory the job asked for, as table cells."""
    res = job.resources
    memory = res.get("memory")
    gpus = res.get("gpus", 0)
    indices = res.get(GIVEN_GPUS)
    shown_gpus = str(gpus)
    if isinstance(indices, list) and indices:
        shown_gpus += " (" + ",".join(str(i) for i in indices) + ")"
    return (
        str(res.get("cpus", 1)),
        shown_gpus,
        format_size(memory) if isinstance(memory, int) else "-",
    )


def _waiting(job: Job, now: datetime) -> str:
    since = job.queued_at or job.created_at
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    return format_duration(max((now - moment).total_seconds(), 0.0))


def queue_table(state: SchedulerState, *, now: datetime | None = None) -> str:
    """The queue in dispatch order: position, job, what it asked for, how long it waited
    and what it waits for; ``*`` marks the job holding the reservation."""
    moment = now or datetime.now(UTC)
    columns = [
        Column("#", align="right"),
        Column("ID"),
        Column("PROJECT", shrink=True),
        Column("NAME", shrink=True, min_width=10),
        Column("PRIORITY", align="right"),
        Column("CPUS", align="right"),
        Column("GPUS", align="right"),
        Column("MEMORY", align="right"),
        Column("WAITING", align="right"),
        Column("WAITING FOR", shrink=True, min_width=20),
    ]
    rows = []
    for position, job in enumerate(state.queue, start=1):
        mark = "*" if job.id == state.reservation else ""
        rows.append(
            [
                f"{mark}{position}",
                job.id,
                cell(job.project),
                cell(job.name) or "-",
                str(job.priority),
                *_asked(job),
                _waiting(job, moment),
                cell(state.waiting_for.get(job.id, "")) or "-",
            ]
        )
    return render_table(columns, rows).text


def resources_line(state: SchedulerState) -> str:
    """``CPUs 3/16 used, memory 4.0 GiB/62.8 GiB, GPUs 1/4 (0 busy)``."""
    busy = [g.index for g in state.gpus if g.held]
    gpus = f"GPUs {len(busy)}/{len(state.gpus)} used"
    if busy:
        gpus += " (" + ",".join(str(i) for i in busy) + ")"
    line = (
        f"CPUs {state.cpus.used}/{state.cpus.total} used, memory "
        f"{format_size(state.memory.used)}/{format_size(state.memory.total)}, {gpus}; "
        f"{len(state.running)} running, {state.queue_total} queued"
    )
    if state.mode == "standby":
        line += " (this server stands by: another server on its database runs the jobs)"
    return line


@click.group("queue")
def queue_group() -> None:
    """The scheduler's queue: list it, reorder it, clear it."""


@queue_group.command("ls")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1, 10_000),
    default=100,
    show_default=True,
    metavar="N",
    help="Most queued jobs to list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the queued jobs in order).")
@pass_cli
def queue_ls(cli: CliContext, limit: int, as_json: bool) -> None:
    """List queued jobs in the order they will start, with what each asked for.

    A `*` before the position marks the job holding the reservation: the first job that
    does not fit yet, for which resources are kept as they free up.
    """
    with cli.client() as client:
        state = client.get_scheduler(limit=limit)
    if as_json:
        queue = [job_json(job) for job in state.queue]
        data = {
            "queue": queue,
            "queue_total": state.queue_total,
            "reservation": state.reservation,
            "waiting_for": state.waiting_for,
            "mode": state.mode,
        }
        click.echo(dumps(data))
        return
    click.echo(resources_line(state), err=True)
    if not state.queue:
        click.echo("The queue is empty.", err=True)
        return
    click.echo(queue_table(state))
    if state.queue_total > len(state.queue):
        click.echo(f"(first {len(state.queue)} of {state.queue_total}: use --limit)", err=True)


_ALL = 10_000


def _queued_of(state: SchedulerState, project: str | None) -> list[Job]:
    return [job for job in state.queue if project is None or job.project == project]


@queue_group.command("clear")
@click.option("--project", "-p", metavar="NAME", help="Only this project's queued jobs.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def queue_clear(cli: CliContext, project: str | None, yes: bool) -> None:
    """Cancel queued jobs (all of them, or one project's). Running jobs go on."""
    with cli.client() as client:
        if not yes:
            queued = _queued_of(client.get_scheduler(limit=_ALL), project)
            if not queued:
                click.echo("Nothing to clear: no queued jobs" + _of(project) + ".", err=True)
                return
            noun = "job" if len(queued) == 1 else "jobs"
            click.confirm(
                f"Cancel {len(queued)} queued {noun}{_of(project)}?", abort=True, err=True
            )
        cancelled = client.clear_queue(project)
    noun = "job" if len(cancelled) == 1 else "jobs"
    click.echo(f"Cancelled {len(cancelled)} queued {noun}{_of(project)}.")


@queue_group.command("priority")
@click.argument("job_id", metavar="ID")
@click.argument("priority", type=click.IntRange(-(2**31), 2**31 - 1), metavar="PRIORITY")
@pass_cli
def queue_priority(cli: CliContext, job_id: str, priority: int) -> None:
    """Change a job's priority; a queued job moves in the queue (higher starts first)."""
    with cli.client() as client:
        job = client.set_priority(job_id, priority)
    click.echo(f"Job {job.id} ({job.status}) now has priority {job.priority}.")


def _of(project: str | None) -> str:
    return "" if project is None else f" of project {project!r}"


@click.command("stop")
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True)
@pass_cli
def stop_command(cli: CliContext, job_ids: Sequence[str]) -> None:
    """Stop jobs: a queued job is cancelled at once; a running one gets SIGTERM on its whole
    process tree, then SIGKILL after the grace period (setting cancel_grace)."""
    with cli.client() as client:
        for job_id in dict.fromkeys(job_ids):
            job = client.cancel_job(job_id)
            if str(job.status) == "cancelled":
                click.echo(f"Cancelled job {job.id}.")
            else:
                click.echo(f"Stopping job {job.id} ({job.status}).")
