"""``atlas sweep create|ls|show|stop|resume|add``: hyperparameter sweeps (docs/sweeps.md).

``create`` reads a sweep's YAML file (the JSON spec of the REST API, with an optional
``project``), uploads the folder's code snapshot as ``atlas submit`` does, and starts the
sweep on the server, which checks the spec: each problem it finds is printed on its own line
with its path in the file.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import dumps
from atlas.cli.jobs import resolve_project
from atlas.cli.logs import EXIT_CANCELLED
from atlas.cli.sweep_view import (
    objectives_of,
    sweep_details,
    sweep_json,
    sweeps_table,
    trial_json,
    trial_line,
)
from atlas.domain import SweepStatus, TrialState
from atlas.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from atlas.domain import Sweep, Trial
    from atlas.sdk.client import Client

__all__ = ["SpecFileError", "load_sweep_file", "sweep_group"]

EXIT_USAGE = 2
_POLL_FIRST = 0.2
_POLL_MAX = 2.0


class SpecFileError(click.ClickException):
    """A sweep file that cannot be read, is not YAML or is not a mapping: printed as
    ``error: <message>``, exits with 2 (a usage error: nothing was sent)."""

    exit_code = EXIT_USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class SpecRefusedError(click.ClickException):
    """The server refused the spec: one ``error:`` line per problem, with its path in the
    file; exits with 1."""

    def __init__(self, path: Path, error: InvalidInputError) -> None:
        super().__init__(error.message)
        self.lines = _problems(path, error)

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            click.echo(f"error: {line}", err=True, file=file)


def _problems(path: Path, error: InvalidInputError) -> list[str]:
    problems = error.detail.get("errors")
    if not isinstance(problems, list) or not problems:
        return [f"{path}: {error.message}"]
    lines = []
    for problem in problems:
        entry = problem if isinstance(problem, dict) else {}
        field = str(entry.get("field") or "body").removeprefix("spec.")
        message = str(entry.get("message") or error.message)
        named = field in ("body", "spec") or message.startswith(f"{field}:")
        where = "" if named else f"{field}: "
        lines.append(f"{path}: {where}{message}")
    return lines


def _plain(value: object) -> object:
    """YAML data as JSON data: dates become ISO 8601 text, keys text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def load_sweep_file(path: Path) -> dict[str, object]:
    """The mapping a sweep's YAML file holds; :class:`SpecFileError` when the file cannot
    be read, is not YAML, or holds something else than a mapping."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecFileError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SpecFileError(f"{path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecFileError(f"{path} is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        raise SpecFileError(
            f"{path} must hold a mapping of sweep settings (command, objective, space, ...), "
            f"not {kind}"
        )
    plain = _plain(data)
    assert isinstance(plain, dict)
    return plain


def _gui_url(client: Client, sweep: Sweep) -> str:
    return f"{client.url.rstrip('/')}/projects/{quote(sweep.project, safe='')}/sweeps/{sweep.id}"


@click.group("sweep")
def sweep_group() -> None:
    """Hyperparameter sweeps: start one from a YAML file, follow, stop, resume, extend."""


@sweep_group.command("create")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--project",
    "-p",
    metavar="NAME",
    help="Project (default: the file's project, then job.config.yaml, ATLAS_PROJECT, the "
    "folder name).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Print each trial as it ends, then the best, and exit when the sweep does "
    "(0 completed, 1 failed, 130 stopped).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the created sweep as JSON (with --wait: the ended sweep with its best trials).",
)
@pass_cli
def sweep_create(
    cli: CliContext,
    file: Path,
    directory: Path | None,
    project: str | None,
    wait: bool,
    as_json: bool,
) -> None:
    """Start a sweep described by FILE (YAML) over a snapshot of DIR (default: the current
    folder), and print its id and the page that shows it:

    \b
      atlas sweep create sweep.yaml
      atlas sweep create -p vision --wait sweep.yaml experiments/resnet
    """
    from atlas.sdk.environment import check_project
    from atlas.sdk.jobconfig import load_job_config
    from atlas.sdk.submit import current_user, upload_folder
    from atlas.sdk.submit import resolve_project as submit_project

    spec = load_sweep_file(file)
    given = spec.pop("project", None)
    folder = directory or Path(".")
    settings = cli.settings()
    chosen = project or (given if isinstance(given, str) else None)
    name = check_project(submit_project(chosen, load_job_config(folder), settings, folder))
    with cli.client(settings) as client:
        snapshot = upload_folder(
            client,
            folder,
            max_snapshot_bytes=settings.max_snapshot_mb * 1024 * 1024,
            warn=lambda message: click.echo(f"warning: {message}", err=True),
        )
        try:
            sweep = client.create_sweep(name, spec, snapshot=snapshot, user=current_user())
        except InvalidInputError as exc:
            raise SpecRefusedError(file, exc) from None
        if not wait:
            _announce(client, sweep, as_json)
            return
        if not as_json:
            _announce(client, sweep, as_json)
        ended, best = _watch(client, sweep, quiet=as_json)
    _finish(ended, best, as_json)


def _announce(client: Client, sweep: Sweep, as_json: bool) -> None:
    if as_json:
        click.echo(dumps(sweep_json(sweep)))
        return
    noun = "trial" if sweep.trials == 1 else "trials"
    click.echo(
        f"Started sweep {sweep.id} in project {sweep.project!r}: {sweep.trials} {noun}, "
        f"{sweep.parallel} at a time.",
        err=True,
    )
    click.echo(sweep.id)
    click.echo(_gui_url(client, sweep))


def _ended(sweep: Sweep) -> tuple[int, ...]:
    """How many of the sweep's trials ended, by state: it changes whenever one ends."""
    ended = [state for state in TrialState if state is not TrialState.RUNNING]
    return tuple(sweep.counts.get(state, 0) for state in ended)


def _watch(client: Client, sweep: Sweep, *, quiet: bool) -> tuple[Sweep, list[Trial]]:
    """Print each trial as it ends (unless ``quiet``) until the sweep stops running; answer
    it then, with its best trials. Each poll reads the sweep (its trial counts); the trial
    list is read only when those counts say a trial ended. Ctrl-C stops following (exit
    130); the sweep goes on."""
    metrics = [str(o.get("metric", "?")) for o in objectives_of(sweep.spec)]
    printed: set[int] = set()
    seen: tuple[int, ...] = ()
    pause = _POLL_FIRST
    try:
        while True:
            sweep, best = client.get_sweep_with_best(sweep.id)
            ended = _ended(sweep)
            if not quiet and any(ended) and ended != seen:
                seen = ended
                for trial in client.list_trials(sweep.id):
                    if trial.state is not TrialState.RUNNING and trial.number not in printed:
                        printed.add(trial.number)
                        click.echo(trial_line(trial, metrics))
            if sweep.status is not SweepStatus.RUNNING:
                return sweep, best
            time.sleep(pause)
            pause = min(pause * 1.5, _POLL_MAX)
    except KeyboardInterrupt:
        click.echo(
            f"Stopped following; sweep {sweep.id} goes on (atlas sweep show {sweep.id}).",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_CANCELLED) from None


def _finish(sweep: Sweep, best: Sequence[Trial], as_json: bool) -> None:
    """Say how the sweep ended and its best trials; exit with its code: 0 completed, 1
    failed, 130 stopped."""
    if as_json:
        click.echo(dumps(sweep_json(sweep, best)))
    else:
        metrics = [str(o.get("metric", "?")) for o in objectives_of(sweep.spec)]
        for trial in best:
            click.echo(f"best: {trial_line(trial, metrics)}")
        reason = f": {sweep.error.message}" if sweep.error is not None else ""
        click.echo(f"Sweep {sweep.id} {sweep.status}{reason}.", err=True)
    if sweep.status is SweepStatus.FAILED:
        raise click.exceptions.Exit(1)
    if sweep.status is SweepStatus.STOPPED:
        raise click.exceptions.Exit(EXIT_CANCELLED)


@sweep_group.command("ls")
@click.option(
    "--project", "-p", metavar="NAME", help="Project (default: ATLAS_PROJECT, or the only one)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def sweep_ls(cli: CliContext, project: str | None, as_json: bool) -> None:
    """List a project's sweeps, newest first, with their progress."""
    settings = cli.settings()
    with cli.client(settings) as client:
        name = resolve_project(client, project or settings.project)
        sweeps = client.list_sweeps(name)
    if as_json:
        click.echo(dumps({"items": [sweep_json(s) for s in sweeps]}))
    elif not sweeps:
        click.echo(f"No sweeps in project {name!r}.", err=True)
    else:
        click.echo(sweeps_table(sweeps))


@sweep_group.command("show")
@click.argument("sweep_id", metavar="ID")
@click.option(
    "--json", "as_json", is_flag=True, help='Print JSON: {"sweep": Sweep, "trials": [Trial]}.'
)
@pass_cli
def sweep_show(cli: CliContext, sweep_id: str, as_json: bool) -> None:
    """Show a sweep: its status and settings, the best trial (the Pareto front for several
    objectives), why it failed, and every trial with its params and objective values."""
    with cli.client() as client:
        sweep, best = client.get_sweep_with_best(sweep_id)
        trials = client.list_trials(sweep_id)
    if as_json:
        data = {"sweep": sweep_json(sweep, best), "trials": [trial_json(t) for t in trials]}
        click.echo(dumps(data))
    else:
        click.echo(sweep_details(sweep, trials, best))


@sweep_group.command("stop")
@click.argument("sweep_id", metavar="ID")
@pass_cli
def sweep_stop(cli: CliContext, sweep_id: str) -> None:
    """Stop a sweep: no new trials start and its running trials are cancelled."""
    with cli.client() as client:
        sweep = client.stop_sweep(sweep_id)
    click.echo(f"Sweep {sweep.id} {sweep.status}; `atlas sweep resume {sweep.id}` goes on.")


@sweep_group.command("resume")
@click.argument("sweep_id", metavar="ID")
@pass_cli
def sweep_resume(cli: CliContext, sweep_id: str) -> None:
    """Let a stopped (or failed) sweep start trials again, up to its budget."""
    with cli.client() as client:
        sweep = client.resume_sweep(sweep_id)
    click.echo(f"Sweep {sweep.id} {sweep.status}: a budget of {sweep.trials} trials.")


@sweep_group.command("add")
@click.argument("sweep_id", metavar="ID")
@click.argument("count", type=click.IntRange(1), metavar="N")
@pass_cli
def sweep_add(cli: CliContext, sweep_id: str, count: int) -> None:
    """Add N trials to a sweep's budget; a completed sweep runs again."""
    with cli.client() as client:
        sweep = client.add_trials(sweep_id, count)
    click.echo(f"Sweep {sweep.id} {sweep.status}: a budget of {sweep.trials} trials.")
