"""``atlas jobs``: list (filtered and sorted by the server), show and delete jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import (
    artifact_json,
    cell,
    dumps,
    format_duration,
    format_number,
    format_size,
    format_time,
    format_value,
    job_duration,
    job_json,
    jobs_page_json,
)
from atlas.cli.nodes import labels_text
from atlas.cli.tables import Column, render_table, terminal_width
from atlas.domain import GIVEN_GPUS, GIVEN_NODE, Artifact, Job, Page
from atlas.errors import InvalidInputError

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["job_details", "jobs_group", "jobs_table", "resolve_project"]

_FIXED_COLUMNS = (
    Column("ID"),
    Column("STATUS"),
    Column("NAME", shrink=True, min_width=10),
    Column("CREATED"),
    Column("DURATION", align="right"),
)


def _value_columns(jobs: Sequence[Job]) -> tuple[list[str], list[str]]:
    metrics = sorted({key for job in jobs for key in job.metrics})
    params = sorted({key for job in jobs for key in job.params})
    return metrics, params


def jobs_table(jobs: Sequence[Job], *, width: int | None = None) -> tuple[str, int]:
    """The ``jobs ls`` table and how many columns did not fit.

    Besides the fixed columns, one column per metric (its last value) and per param, in
    that order; those are dropped from the right when the terminal is too narrow.
    """
    metrics, params = _value_columns(jobs)
    clash = set(metrics) & set(params)
    columns = list(_FIXED_COLUMNS)
    columns += [Column(_header("metrics", k, clash), align="right", optional=True) for k in metrics]
    columns += [
        Column(_header("params", k, clash), optional=True, shrink=True, min_width=6) for k in params
    ]
    rows = []
    for job in jobs:
        row = [
            job.id,
            str(job.status),
            cell(job.name) or "-",
            format_time(job.created_at),
            format_duration(job_duration(job)),
        ]
        row += [format_number(job.metrics[k].last) if k in job.metrics else "" for k in metrics]
        row += [format_value(job.params[k]) if k in job.params else "" for k in params]
        rows.append(row)
    table = render_table(columns, rows, width=width)
    return table.text, table.hidden_columns


def _header(group: str, key: str, clash: set[str]) -> str:
    return cell(f"{group}.{key}" if key in clash else key)


def resolve_project(client: Client, project: str | None) -> str:
    """``project`` when given, else the server's only project; ``InvalidInputError`` naming
    the projects to choose from when there are several."""
    if project:
        return project
    names = [p.name for p in client.list_projects()]
    if len(names) == 1:
        return names[0]
    if not names:
        raise InvalidInputError("there are no projects yet")
    shown = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
    raise InvalidInputError(
        f"which project? pass --project (or set ATLAS_PROJECT); there are {len(names)}: {shown}"
    )


def _sort_fields(sort: str | None) -> list[str]:
    if sort is None:
        return ["-created_at"]
    fields = [part.strip() for part in sort.split(",")]
    if not all(fields):
        raise InvalidInputError(f"empty field in --sort {sort!r}: use e.g. -metrics.loss,name")
    return fields


@click.group("jobs")
def jobs_group() -> None:
    """List, show and delete jobs."""


@jobs_group.command("ls")
@click.option(
    "--project", "-p", metavar="NAME", help="Project (default: ATLAS_PROJECT, or the only one)."
)
@click.option(
    "--filter",
    "-f",
    "filter_",
    metavar="EXPR",
    default="",
    help="e.g. 'params.lr < 0.01 and status = \"completed\"'.",
)
@click.option(
    "--sort",
    "-s",
    metavar="FIELDS",
    help="Comma-separated, '-' for descending (default -created_at).",
)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1, 1000),
    metavar="N",
    default=100,
    show_default=True,
    help="Most jobs to list.",
)
@click.option(
    "--offset", type=click.IntRange(0), default=0, metavar="N", help="Jobs to skip (paging)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def jobs_ls(
    cli: CliContext,
    project: str | None,
    filter_: str,
    sort: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List a project's jobs, newest first, with their metrics and params.

    The server filters and sorts; for example:

    \b
      atlas jobs ls -p mnist -f 'params.lr < 0.01 and metrics.loss.min < 0.2'
      atlas jobs ls -p mnist -f 'status in ("running", "queued")' -s -created_at
      atlas jobs ls -p mnist -f 'name ~ "^resnet"' -s -metrics.accuracy.max -n 10

    Filter fields: id, name, status, user, kind, command, created_at, started_at,
    finished_at, duration, params.KEY, tags.KEY, metrics.KEY[.last|.min|.max|.count].
    The language is described in docs/cli.md and docs/rest-api.md.
    """
    settings = cli.settings()
    sort_fields = _sort_fields(sort)
    with cli.client(settings) as client:
        name = resolve_project(client, project or settings.project)
        page = client.list_jobs(name, filter=filter_, sort=sort_fields, limit=limit, offset=offset)
    if as_json:
        click.echo(dumps(jobs_page_json(page)))
        return
    _print_page(name, page, filtered=bool(filter_))


def _print_page(project: str, page: Page[Job], *, filtered: bool) -> None:
    if not page.items:
        which = "matching the filter " if filtered else ""
        more = f" (offset {page.offset} is past the last of {page.total})" if page.total else ""
        click.echo(f"No jobs {which}in project {project!r}{more}.", err=True)
        return
    text, hidden = jobs_table(page.items)
    click.echo(text)
    notes = []
    if len(page.items) < page.total:
        first = page.offset + 1
        notes.append(f"jobs {first}-{page.offset + len(page.items)} of {page.total}")
    if hidden:
        notes.append(
            f"{hidden} more column{'s' if hidden > 1 else ''}: widen the terminal or use --json"
        )
    if notes:
        click.echo("(" + "; ".join(notes) + ")", err=True)


@jobs_group.command("show")
@click.argument("job_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the job and its artifacts).")
@pass_cli
def jobs_show(cli: CliContext, job_id: str, as_json: bool) -> None:
    """Show one job: status, times, params, tags, metrics and artifacts."""
    with cli.client() as client:
        job = client.get_job(job_id)
        artifacts = client.list_artifacts(job_id)
    if as_json:
        data = job_json(job)
        data["artifacts"] = [artifact_json(a) for a in artifacts]
        click.echo(dumps(data))
    else:
        click.echo(job_details(job, artifacts))


def job_details(job: Job, artifacts: Sequence[Artifact], *, width: int | None = None) -> str:
    """The ``jobs show`` text: a summary, then params, tags, metrics and artifacts."""
    sections = [_summary(job)]
    if job.params:
        sections.append(_pairs("Params", job.params, width))
    if job.tags:
        sections.append(_pairs("Tags", job.tags, width))
    if job.metrics:
        columns = [Column("KEY", shrink=True, min_width=10)] + [
            Column(h, align="right") for h in ("LAST", "STEP", "MIN", "MAX", "COUNT")
        ]
        rows = [
            [
                cell(s.key),
                format_number(s.last),
                str(s.last_step),
                format_number(s.min),
                format_number(s.max),
                str(s.count),
            ]
            for s in sorted(job.metrics.values(), key=lambda s: s.key)
        ]
        sections.append(_section("Metrics", columns, rows, width))
    if artifacts:
        columns = [
            Column("PATH", shrink=True, min_width=12),
            Column("KIND"),
            Column("SIZE", align="right"),
            Column("STEP", align="right"),
        ]
        rows = [
            [cell(a.path), str(a.kind), format_size(a.size), "-" if a.step is None else str(a.step)]
            for a in artifacts
        ]
        sections.append(_section("Artifacts", columns, rows, width))
    if job.attempts:
        sections.append(_attempts(job.attempts, width))
    return "\n\n".join(sections)


def _attempts(attempts: Sequence[Mapping[str, object]], width: int | None) -> str:
    """The earlier attempts of a job queued again by its retries, oldest first."""
    columns = [
        Column("ATTEMPT", align="right"),
        Column("STATUS"),
        Column("EXIT", align="right"),
        Column("STARTED"),
        Column("FINISHED"),
        Column("ERROR", shrink=True),
    ]
    rows = []
    for attempt in attempts:
        error = attempt.get("error")
        why = f"{error.get('type')}: {error.get('message')}" if isinstance(error, dict) else "-"
        code = attempt.get("exit_code")
        rows.append(
            [
                str(attempt.get("attempt", "?")),
                str(attempt.get("status", "?")),
                "-" if code is None else str(code),
                _when(attempt.get("started_at")),
                _when(attempt.get("finished_at")),
                cell(why),
            ]
        )
    return _section("Earlier attempts", columns, rows, width)


def _when(value: object) -> str:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return "-"
    return format_time(moment, seconds=True)


def _summary(job: Job) -> str:
    status = str(job.status)
    if job.exit_code is not None:
        status += f" (exit code {job.exit_code})"
    fields = [
        ("name", cell(job.name) or "-"),
        ("status", status),
        ("kind", str(job.kind)),
        ("user", cell(job.user) or "-"),
        ("command", cell(job.command) or "-"),
        ("created", format_time(job.created_at, seconds=True, zone=True)),
        ("started", format_time(job.started_at, seconds=True, zone=True)),
        ("finished", format_time(job.finished_at, seconds=True, zone=True)),
        ("duration", format_duration(job_duration(job))),
    ]
    if job.error is not None:
        fields.append(("error", cell(f"{job.error.type}: {job.error.message}")))
    if job.git.get("commit"):
        dirty = " (uncommitted changes)" if job.git.get("dirty") else ""
        fields.append(("git", f"{job.git['commit']}{dirty}"))
    if job.parent_id:
        fields.append(("parent", job.parent_id))
    fields += _scheduling_fields(job)
    lines = [f"Job {job.id} in project {job.project!r}"]
    lines += [f"  {label + ':':<10} {value}" for label, value in fields]
    return "\n".join(lines)


def _scheduling_fields(job: Job) -> list[tuple[str, str]]:
    """What a scheduled job asked for and was given, its code and what it reran."""
    fields: list[tuple[str, str]] = []
    res = job.resources
    if res:
        memory = res.get("memory")
        asked = f"{res.get('cpus', 1)} CPU, {res.get('gpus', 0)} GPU"
        asked += f", {format_size(memory)}" if isinstance(memory, int) else ""
        indices = res.get(GIVEN_GPUS)
        if isinstance(indices, list) and indices:
            asked += " (GPUs " + ",".join(str(i) for i in indices) + ")"
        fields.append(("resources", asked))
        labels = res.get("labels")
        if isinstance(labels, dict) and labels:
            fields.append(("labels", labels_text({str(k): str(v) for k, v in labels.items()})))
        if res.get(GIVEN_NODE):
            fields.append(("node", str(res[GIVEN_NODE])))
    if job.priority:
        fields.append(("priority", str(job.priority)))
    if job.timeout is not None:
        fields.append(("timeout", format_duration(job.timeout)))
    if job.snapshot:
        fields.append(("snapshot", job.snapshot))
    if job.rerun_of:
        fields.append(("rerun of", job.rerun_of))
    if job.retries:
        attempt = f"attempt {len(job.attempts) + 1} of {job.retries + 1}"
        fields.append(("retries", f"{job.retries} ({attempt})"))
    return fields


def _pairs(title: str, values: Mapping[str, object], width: int | None) -> str:
    columns = [Column("KEY", shrink=True, min_width=10), Column("VALUE", shrink=True)]
    rows = [[cell(k), format_value(v)] for k, v in sorted(values.items())]
    return _section(title, columns, rows, width)


def _section(title: str, columns: list[Column], rows: list[list[str]], width: int | None) -> str:
    inner = (terminal_width() if width is None else width) - 2
    table = render_table(columns, rows, width=inner)
    return title + "\n" + "\n".join("  " + line for line in table.text.splitlines())


@jobs_group.command("delete")
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def jobs_delete(cli: CliContext, job_ids: tuple[str, ...], yes: bool) -> None:
    """Delete jobs with their metrics, artifacts and logs.

    Every ID is checked before anything is deleted.
    """
    unique = list(dict.fromkeys(job_ids))
    with cli.client() as client:
        jobs = [client.get_job(job_id) for job_id in unique]
        if not yes:
            click.echo(_listing(jobs), err=True)
            noun = "this job with its" if len(jobs) == 1 else f"these {len(jobs)} jobs with their"
            click.confirm(f"Delete {noun} metrics, artifacts and logs?", abort=True, err=True)
        for job in jobs:
            client.delete_job(job.id)
            click.echo(f"Deleted job {job.id}.")


def _listing(jobs: Sequence[Job]) -> str:
    columns = [
        Column("ID"),
        Column("PROJECT", shrink=True),
        Column("NAME", shrink=True),
        Column("STATUS"),
    ]
    rows = [[j.id, cell(j.project), cell(j.name) or "-", str(j.status)] for j in jobs]
    return render_table(columns, rows).text
