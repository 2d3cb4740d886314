"""``atlas projects``: list, create, rename and delete projects, and share them (members and
their roles, on a server with authentication on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_time, projects_json
from atlas.cli.tables import Column, render_table
from atlas.domain import ACTIVE_STATUSES, ROLES, JobStatus, Membership, Project

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["members_table", "projects_group", "projects_table"]

FILE_COUNT_MAX_JOBS = 200
"""Above this many jobs, `projects delete` does not count files job by job."""

_COLUMNS = (
    Column("NAME", shrink=True, min_width=12),
    Column("JOBS", align="right"),
    Column("RUNNING", align="right"),
    Column("COMPLETED", align="right"),
    Column("FAILED", align="right"),
    Column("LAST ACTIVITY"),
)


def projects_table(projects: list[Project], *, width: int | None = None) -> str:
    """The ``projects ls`` table: name, job counts by outcome, last activity."""
    rows = []
    for project in projects:
        counts = project.job_counts
        running = sum(counts.get(status, 0) for status in ACTIVE_STATUSES)
        rows.append(
            [
                cell(project.name),
                str(project.job_count),
                str(running),
                str(counts.get(JobStatus.COMPLETED, 0)),
                str(counts.get(JobStatus.FAILED, 0)),
                format_time(project.last_activity or project.created_at),
            ]
        )
    return render_table(_COLUMNS, rows, width=width).text


_MEMBER_COLUMNS = (Column("USER", shrink=True, min_width=12), Column("ROLE"), Column("ADDED"))


def members_table(members: list[Membership], *, width: int | None = None) -> str:
    """The ``projects members`` table: user, role, when added."""
    rows = [[cell(m.user), str(m.role), format_time(m.added_at)] for m in members]
    return render_table(_MEMBER_COLUMNS, rows, width=width).text


@click.group("projects")
def projects_group() -> None:
    """List, create, rename, delete and share projects."""


@projects_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def projects_ls(cli: CliContext, as_json: bool) -> None:
    """List projects, most recently active first.

    RUNNING counts queued, starting and running jobs.
    """
    with cli.client() as client:
        projects = client.list_projects()
    if as_json:
        click.echo(dumps(projects_json(projects)))
    elif not projects:
        click.echo("No projects yet. Create one with `atlas projects create NAME`.", err=True)
    else:
        click.echo(projects_table(projects))


@projects_group.command("create")
@click.argument("name")
@click.option("--description", default="", metavar="MARKDOWN", help="Markdown description.")
@pass_cli
def projects_create(cli: CliContext, name: str, description: str) -> None:
    """Create the project NAME."""
    with cli.client() as client:
        project = client.create_project(name, description=description)
    click.echo(f"Created project {project.name!r}.")


@projects_group.command("rename")
@click.argument("old")
@click.argument("new")
@pass_cli
def projects_rename(cli: CliContext, old: str, new: str) -> None:
    """Rename the project OLD to NEW (its jobs follow)."""
    with cli.client() as client:
        project = client.rename_project(old, new)
    click.echo(f"Renamed project {old!r} to {project.name!r}.")


@projects_group.command("delete", short_help="Delete a project with its jobs and files.")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def projects_delete(cli: CliContext, name: str, yes: bool) -> None:
    """Delete the project NAME with all its jobs, metrics, artifacts and logs.

    Asks first, saying how many jobs (and how many still active) and files go.
    """
    with cli.client() as client:
        project = client.get_project(name)
        if not yes:
            click.confirm(_deletion_question(client, project), abort=True, err=True)
        client.delete_project(name)
    click.echo(f"Deleted project {name!r} ({_jobs(project.job_count)}).")


@projects_group.command("share")
@click.argument("project")
@click.argument("user")
@click.argument("role", type=click.Choice([str(r) for r in ROLES]))
@pass_cli
def projects_share(cli: CliContext, project: str, user: str, role: str) -> None:
    """Give USER the ROLE (viewer, editor, owner) in PROJECT, or change it (owners)."""
    with cli.client() as client:
        member = client.set_member(project, user, role)
    click.echo(f"{member.user!r} is now {member.role} of project {project!r}.")


@projects_group.command("unshare")
@click.argument("project")
@click.argument("user")
@pass_cli
def projects_unshare(cli: CliContext, project: str, user: str) -> None:
    """Take USER's role in PROJECT away (owners; not from its last owner)."""
    with cli.client() as client:
        client.remove_member(project, user)
    click.echo(f"{user!r} no longer has a role in project {project!r}.")


@projects_group.command("members")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def projects_members(cli: CliContext, project: str, as_json: bool) -> None:
    """List PROJECT's members and their roles, owners first."""
    with cli.client() as client:
        members = client.list_members(project)
        auth = bool(members) or as_json or client.me().auth
    if as_json:
        items = [{"user": m.user, "role": str(m.role), "added_at": m.added_at} for m in members]
        click.echo(dumps({"items": items}))
    elif not auth:
        click.echo("Authentication is off on this server: projects have no members.", err=True)
    elif not members:
        click.echo(f"Project {project!r} has no members.", err=True)
    else:
        click.echo(members_table(members))


def _jobs(count: int) -> str:
    return f"{count} job" + ("" if count == 1 else "s")


def _deletion_question(client: Client, project: Project) -> str:
    running = sum(project.job_counts.get(status, 0) for status in ACTIVE_STATUSES)
    active = f", {running} of them still active" if running else ""
    files = _count_files(client, project)
    return (
        f"Delete project {project.name!r}: {_jobs(project.job_count)}{active}, "
        f"{files} and their logs? This cannot be undone."
    )


def _count_files(client: Client, project: Project) -> str:
    """``"12 artifact files"``, counted job by job for projects of moderate size."""
    if project.job_count > FILE_COUNT_MAX_JOBS:
        return "all their artifact files"
    total = 0
    offset = 0
    while True:
        page = client.list_jobs(project.name, limit=FILE_COUNT_MAX_JOBS, offset=offset)
        for job in page.items:
            total += len(client.list_artifacts(job.id))
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    return f"{total} artifact file" + ("" if total == 1 else "s")
