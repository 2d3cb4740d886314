"""``atlas schedule create|ls|pause|resume|delete``: recurring jobs (docs/jobs.md, "Recurring
jobs").

``create`` takes ``atlas submit``'s options, folder and command (the same code builds the
submission and uploads the folder's snapshot once), plus the cron expression and its time
zone; each run then submits that snapshot, with no client attached. The cron expression and
zone are checked here before anything is uploaded, and again by the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from atlas import cron
from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_time
from atlas.cli.jobs import resolve_project
from atlas.cli.submit import (
    SUBMISSION_CONTEXT,
    SubmissionCommand,
    SubmitFlags,
    build_submission,
    folder_and_command,
    submission_options,
    upload_and_body,
)
from atlas.cli.tables import Column, render_table
from atlas.cli.toggles import add_toggle
from atlas.errors import NotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from atlas.schedules import Schedule
    from atlas.sdk.client import Client

__all__ = ["schedule_group", "schedule_json", "schedules_table"]


@click.group("schedule")
def schedule_group() -> None:
    """Recurring jobs: submit a folder's snapshot on a cron schedule."""


@schedule_group.command("create", cls=SubmissionCommand, context_settings=SUBMISSION_CONTEXT)
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[DIR] [COMMAND...]")
@click.option(
    "--cron",
    "cron_expr",
    required=True,
    metavar="EXPR",
    help="When to run: minute hour day-of-month month day-of-week ('0 3 * * *': daily at "
    "03:00), or @hourly, @daily, @weekly, @monthly, @yearly.",
)
@click.option(
    "--tz",
    "timezone",
    default="UTC",
    show_default=True,
    metavar="ZONE",
    help="The IANA time zone of the cron expression's times (Europe/Paris, America/New_York).",
)
@click.option("--paused", is_flag=True, help="Create it paused (atlas schedule resume ID).")
@submission_options
@pass_cli
def schedule_create(
    cli: CliContext,
    /,
    args: tuple[str, ...],
    cron_expr: str,
    timezone: str,
    paused: bool,
    **flags: Any,
) -> None:
    """Snapshot a folder now and submit COMMAND from it on a cron schedule.

    Takes atlas submit's options, DIR and COMMAND; --name names the schedule and its jobs.

    \b
      atlas schedule create --cron "0 3 * * *" . python train.py
      atlas schedule create --cron "30 6 * * mon-fri" --tz Europe/Paris --gpus 1 exp/ main.py
    """
    parsed = cron.parse(cron_expr)  # refused before anything is uploaded
    cron.zone(timezone)
    settings = cli.settings()
    folder, command = folder_and_command(args)
    submission = build_submission(folder, command, SubmitFlags(**flags), settings)
    with cli.client(settings) as client:
        _ensure_project(client, submission.project)
        body = upload_and_body(client, submission, folder, settings)
        made = client.create_schedule(
            submission.project,
            body,
            cron=parsed.text,
            timezone=timezone,
            name=submission.name,
            paused=paused,
        )
    click.echo(
        f"Created schedule {made.id} in project {made.project!r}: "
        f"{made.cron!r} ({made.timezone}), next run {_next_run(made)}.",
        err=True,
    )
    click.echo(made.id)


@schedule_group.command("ls")
@click.option(
    "--project", "-p", metavar="NAME", help="Project (default: ATLAS_PROJECT, or the only one)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def schedule_ls(cli: CliContext, project: str | None, as_json: bool) -> None:
    """List a project's recurring jobs with their next run times."""
    settings = cli.settings()
    with cli.client(settings) as client:
        name = resolve_project(client, project or settings.project)
        found = client.list_schedules(name)
    if as_json:
        click.echo(dumps({"items": [schedule_json(s) for s in found]}))
    elif not found:
        click.echo(f"No recurring jobs in project {name!r}.", err=True)
    else:
        click.echo(schedules_table(found))


def _switch(client: Client, schedule_id: str, on: bool) -> str:
    made = client.update_schedule(schedule_id, paused=not on)
    if not on:
        return f"Paused schedule {schedule_id}."
    return f"Resumed schedule {schedule_id}: next run {_next_run(made)}."


add_toggle(
    schedule_group,
    "pause",
    on=False,
    switch=_switch,
    help="Stop a recurring job from firing until it is resumed.",
)
add_toggle(
    schedule_group,
    "resume",
    on=True,
    switch=_switch,
    help="Fire a paused recurring job again, from its next slot (missed slots are not run).",
)


@schedule_group.command("delete")
@click.argument("schedule_id", metavar="ID")
@pass_cli
def schedule_delete(cli: CliContext, schedule_id: str) -> None:
    """Delete a recurring job (the jobs it submitted stay)."""
    with cli.client() as client:
        client.delete_schedule(schedule_id)
    click.echo(f"Deleted schedule {schedule_id}.", err=True)


def schedules_table(schedules: Sequence[Schedule], *, width: int | None = None) -> str:
    """The ``schedule ls`` table: one line per schedule with its next run (local time) and
    why its latest slot submitted no job, if it did not."""
    columns = [
        Column("ID"),
        Column("NAME", shrink=True, min_width=10),
        Column("CRON"),
        Column("TZ", optional=True),
        Column("NEXT RUN"),
        Column("STATE"),
        Column("LAST JOB", optional=True),
        Column("LAST ERROR", shrink=True, min_width=12),
        Column("COMMAND", shrink=True, optional=True, min_width=12),
    ]
    rows = [
        [
            s.id,
            cell(s.name) or "-",
            cell(s.cron),
            s.timezone,
            _next_run(s),
            "paused" if s.paused else "active",
            s.last_job_id or "-",
            _last_error(s),
            cell(s.spec.command),
        ]
        for s in schedules
    ]
    return render_table(columns, rows, width=width).text


def _ensure_project(client: Client, project: str) -> None:
    """Create ``project`` when missing, as a submission would."""
    try:
        client.get_project(project)
    except NotFoundError:
        client.create_project(project)


def schedule_json(schedule: Schedule) -> dict[str, object]:
    """A schedule in the REST API's ``Schedule`` shape."""
    spec = schedule.spec
    return {
        "id": schedule.id,
        "project": schedule.project,
        "name": schedule.name,
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "paused": schedule.paused,
        "next_run_at": schedule.next_run_at,
        "last_slot": schedule.last_slot,
        "last_job_id": schedule.last_job_id,
        "last_error": schedule.last_error,
        "last_error_at": schedule.last_error_at,
        "created_by": schedule.created_by,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
        "job": {
            "command": spec.command,
            "name": spec.name,
            "user": spec.user,
            "snapshot": spec.snapshot,
            "params": dict(spec.params),
            "tags": dict(spec.tags),
            "resources": dict(spec.resources),
            "priority": spec.priority,
            "timeout": spec.timeout,
            "image": spec.image,
            "retries": spec.retries,
            "env_mode": spec.env_mode,
        },
    }


def _next_run(schedule: Schedule) -> str:
    if schedule.next_run_at is None:
        return "- (paused)"
    return format_time(schedule.next_run_at, zone=True)


def _last_error(schedule: Schedule) -> str:
    if schedule.last_error is None:
        return "-"
    at = "" if schedule.last_error_at is None else f"{format_time(schedule.last_error_at)}: "
    return cell(at + schedule.last_error)
