"""``atlas submit`` and ``atlas rerun``: queue a job from a folder, or run one again.

The request is the folder's ``job.config.yaml`` with the command line's flags over it. Params
are layered the same way: the file's ``params``, then ``--params-file``, then each ``--param``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.logs import follow_log, report_end
from atlas.errors import InvalidInputError
from atlas.names import MAX_RETRIES, parse_label
from atlas.notifications import NOTIFICATION_CHANNEL_TAG
from atlas.sdk.jobconfig import (
    ENV_MODES,
    JobConfig,
    load_job_config,
    parse_command,
    parse_memory,
    parse_param,
    with_interpreter,
)

if TYPE_CHECKING:
    from atlas.domain import Job
    from atlas.sdk.client import Client
    from atlas.sdk.submit import Submission
    from atlas.settings import Settings

__all__ = [
    "SUBMISSION_CONTEXT",
    "SubmissionCommand",
    "SubmitFlags",
    "build_submission",
    "check_command",
    "folder_and_command",
    "old_atlas_form",
    "params_from",
    "rerun_command",
    "split_arguments",
    "submission_options",
    "submit_command",
    "upload_and_body",
]


def split_arguments(args: Sequence[str]) -> tuple[Path, list[str]]:
    """``(folder, command)`` from ``[DIR] [COMMAND...]``: the first argument is the folder
    when it names one, else the folder is ``.``. A command given as one argument with
    spaces (``"python train.py --lr 0.1"``) is split like a shell would."""
    folder = Path(".")
    rest = list(args)
    if rest and Path(rest[0]).is_dir():
        folder = Path(rest.pop(0))
    if len(rest) == 1:
        rest = parse_command(rest[0])
    return folder, rest


OLD_SCHEDULER_WORD = "scheduler"
"""What old Atlas's ``foundations submit scheduler DIR COMMAND`` put before the folder."""


def old_atlas_form(args: Sequence[str]) -> bool:
    """Whether ``args`` are old Atlas's ``scheduler DIR COMMAND...``: the word ``scheduler``
    (naming no file here) followed by a folder."""
    return (
        len(args) >= 2
        and args[0] == OLD_SCHEDULER_WORD
        and not Path(args[0]).exists()
        and Path(args[1]).is_dir()
    )


def check_command(
    command: Sequence[str],
    options: Sequence[str],
    *,
    separated: bool,
    usage: str = "atlas submit {option} DIR COMMAND",
) -> list[str]:
    """Warnings for ``command`` (the words after DIR) whose own arguments look like Atlas
    ``options`` (``--gpus``, or a near miss such as ``--gpu``): they go to the command.

    A command that starts with an option is refused (``click.UsageError``): an Atlas option
    after DIR (Atlas options go first), or an unknown one, with the nearest Atlas option
    ("no such option: --gpu (did you mean --gpus?)"). After ``--`` (``separated``) the
    command is taken as given. ``usage`` is the command line the messages suggest, with
    ``{option}`` where the option goes (``foundations submit`` shares these rules)."""
    if separated or not command:
        return []
    first = command[0]
    if first.startswith("-") and first != "-":
        name = first.partition("=")[0]
        if name in options:
            raise click.UsageError(
                f"{name} comes after the folder or the command: Atlas options go first "
                f"({usage.format(option=f'{name} ...')})"
            )
        near = _nearest(name, [o for o in options if o.startswith("--")])
        hint = f" (did you mean {near}?)" if near else ""
        raise click.UsageError(f"no such option: {name}{hint}")
    longs = [o for o in options if o.startswith("--")]
    warnings = []
    for index, word in enumerate(command[1:], start=1):
        name, equals, value = word.partition("=")
        if not name.startswith("--"):
            continue
        meant = name if name in longs else _nearest(name, longs)
        if meant is None:
            continue
        if not equals and index + 1 < len(command) and not command[index + 1].startswith("-"):
            value = command[index + 1]
        given = f"{meant} {value}" if value else meant
        warnings.append(
            f"{name} goes to {_program(command)} as its own argument, not to Atlas; to give "
            f"it to Atlas, put it before the folder and the command: {usage.format(option=given)}"
            " (write `--` before the command to silence this warning)"
        )
    return warnings


def _nearest(name: str, options: Sequence[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, options, n=1, cutoff=0.8)
    return matches[0] if matches else None


def _program(command: Sequence[str]) -> str:
    for word in command:
        if word.endswith(".py"):
            return word
    return command[0]


def _params_file(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read --params-file {path}: {exc.strerror}") from None
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except ValueError as exc:  # json.JSONDecodeError and yaml.YAMLError both are
        raise InvalidInputError(f"--params-file {path} does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"--params-file {path} must hold a mapping of names to values")
    return data


def params_from(
    base: dict[str, object], params_file: Path | None, pairs: Sequence[str]
) -> dict[str, object]:
    """``base`` with the params of ``params_file`` and then each ``key=value`` over it."""
    params = dict(base)
    if params_file is not None:
        params.update(_params_file(params_file))
    params.update(parse_param(pair) for pair in pairs)
    return params


def _tags(config: JobConfig, pairs: Sequence[str]) -> dict[str, object]:
    tags: dict[str, object] = dict(config.tags)
    if config.notification_channel:  # the job's Slack channel (docs/notifications.md)
        tags.setdefault(NOTIFICATION_CHANNEL_TAG, config.notification_channel)
    for pair in pairs:
        key, _, value = pair.partition("=")
        tags[key] = value
    return tags


@dataclass(frozen=True, slots=True)
class SubmitFlags:
    """The flags of ``atlas submit``; ``None`` (or empty) where not given."""

    project: str | None = None
    name: str | None = None
    param: tuple[str, ...] = ()
    params_file: Path | None = None
    gpus: int | None = None
    cpus: int | None = None
    memory: str | None = None
    priority: int | None = None
    tag: tuple[str, ...] = ()
    timeout: float | None = None
    env: str | None = None
    retries: int | None = None
    image: str | None = None
    label: tuple[str, ...] = ()
    network: bool | None = None


def build_submission(
    folder: Path, command: list[str], flags: SubmitFlags, settings: Settings
) -> Submission:
    """The checked request: ``folder``'s ``job.config.yaml`` with ``flags`` over it."""
    from atlas.sdk.params import flatten_params, normalize_tags
    from atlas.sdk.submit import Submission, current_user, default_name, resolve_project

    config = load_job_config(folder)
    argv = with_interpreter(command) if command else config.command
    if not argv:
        raise InvalidInputError(
            "no command to run: give one (atlas submit . python train.py) or set command "
            "in job.config.yaml"
        )
    params = params_from(config.params, flags.params_file, flags.param)
    return Submission(
        project=resolve_project(flags.project, config, settings, folder),
        command=argv,
        name=flags.name or config.name or default_name(argv),
        params=flatten_params(params),
        tags=normalize_tags(_tags(config, flags.tag)),
        cpus=_first(flags.cpus, config.cpus, 1),
        gpus=_first(flags.gpus, config.gpus, 0),
        memory=config.memory if flags.memory is None else parse_memory(flags.memory),
        priority=_first(flags.priority, config.priority, 0),
        timeout=flags.timeout if flags.timeout is not None else config.timeout,
        env=flags.env or config.env or "auto",
        parent_id=settings.job_id,
        user=current_user(),
        retries=_first(flags.retries, config.retries, 0),
        image=flags.image or config.image,
        labels=config.labels | dict(parse_label(text, field="--label") for text in flags.label),
        network=flags.network if flags.network is not None else bool(config.network),
    )


def _first(flag: int | None, configured: int | None, default: int) -> int:
    if flag is not None:
        return flag
    return default if configured is None else configured


def _queue(client: Client, submission: Submission, folder: Path, settings: Settings) -> Job:
    from atlas.sdk.submit import send_submission

    return send_submission(
        client,
        submission,
        folder,
        max_snapshot_bytes=settings.max_snapshot_mb * 1024 * 1024,
        warn=lambda message: click.echo(f"warning: {message}", err=True),
    )


def _announce(job: Job, follow: bool) -> None:
    click.echo(f"Queued job {job.id} in project {job.project!r}.", err=True)
    if not follow:
        click.echo(job.id)


_param_option = click.option(
    "--param",
    "param",
    multiple=True,
    metavar="KEY=VALUE",
    help="A param (repeatable); the value is JSON when it parses (0.01, true, [1,2]), else text.",
)
_params_file_option = click.option(
    "--params-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON or YAML file of params (--param values win over it).",
)
_follow_option = click.option(
    "--follow/--no-follow",
    default=True,
    show_default=True,
    help="Print the job's log until it ends and exit with its status; "
    "--no-follow prints the job's id and returns.",
)


class SubmissionCommand(click.Command):
    """A command whose arguments are ``[DIR] [COMMAND...]``: keeps the raw arguments, to
    tell whether ``--`` came before the command (:func:`folder_and_command`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["atlas_raw_args"] = list(args)
        return super().parse_args(ctx, args)


SUBMISSION_CONTEXT: dict[str, Any] = {
    "ignore_unknown_options": True,
    "allow_interspersed_args": False,
}
"""The context settings of a :class:`SubmissionCommand`: options go before DIR and COMMAND."""

_SUBMISSION_OPTIONS = (
    click.option(
        "--project",
        "-p",
        metavar="NAME",
        help="Project (default: job.config.yaml, then ATLAS_PROJECT, then the folder name).",
    ),
    click.option("--name", "-n", metavar="NAME", help="Job name (default: the script's name)."),
    _param_option,
    _params_file_option,
    click.option("--gpus", type=click.IntRange(0), metavar="N", help="GPUs (default 0)."),
    click.option("--cpus", type=click.IntRange(1), metavar="N", help="CPU slots (default 1)."),
    click.option("--memory", metavar="SIZE", help="Memory to reserve: 4G, 512M (default: none)."),
    click.option("--priority", type=int, metavar="N", help="Higher runs first (default 0)."),
    click.option("--tag", multiple=True, metavar="KEY[=VALUE]", help="A tag (repeatable)."),
    click.option(
        "--timeout", type=click.FloatRange(0, min_open=True), metavar="SECONDS", help="Time limit."
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, MAX_RETRIES),
        metavar="N",
        help="Queue the job again, with backoff, up to N times when it fails or is lost "
        "(default 0).",
    ),
    click.option(
        "--image",
        metavar="IMAGE",
        help="Run the job in this container image (docs/containers.md; default: "
        "job.config.yaml's image, else on the server's host).",
    ),
    click.option(
        "--label",
        multiple=True,
        metavar="KEY=VALUE",
        help="A label the job's node must have, e.g. gpu_type=a100 (repeatable; docs/cluster.md).",
    ),
    click.option(
        "--network/--no-network",
        default=None,
        help="With --image: give the container a network (default: none; it reaches the "
        "server through a socket mounted into it; job.config.yaml's network: true).",
    ),
    click.option(
        "--env",
        type=click.Choice(ENV_MODES),
        help="auto: a virtualenv from requirements.txt when the folder has one; none: no env.",
    ),
)


def submission_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the options of ``atlas submit`` (``--project`` ... ``--env``), which
    reach it as keyword arguments named as :class:`SubmitFlags`'s fields."""
    for option in reversed(_SUBMISSION_OPTIONS):
        command = option(command)
    return command


def folder_and_command(args: Sequence[str]) -> tuple[Path, list[str]]:
    """The folder and command of a :class:`SubmissionCommand`'s ``[DIR] [COMMAND...]``,
    warning (on stderr) about command arguments that look like Atlas options."""
    folder, command = split_arguments(args)
    ctx = click.get_current_context()
    raw: list[str] = ctx.meta.get("atlas_raw_args", [])
    options = sorted(o for p in ctx.command.params for o in (*p.opts, *p.secondary_opts))
    separated = "--" in raw[: len(raw) - len(args)]
    if command[:1] == ["--"]:  # atlas submit DIR -- COMMAND
        command, separated = command[1:], True
    for warning in check_command(command, options, separated=separated):
        click.echo(f"warning: {warning}", err=True)
    return folder, command


def upload_and_body(
    client: Client, submission: Submission, folder: Path, settings: Settings
) -> dict[str, object]:
    """Snapshot ``folder``, upload it when the server lacks it, and answer the body of a
    submission of it (what ``POST /submissions`` and a schedule's ``job`` take)."""
    from atlas.sdk.gitstate import git_state
    from atlas.sdk.submit import upload_folder

    sha256 = upload_folder(
        client,
        folder,
        max_snapshot_bytes=settings.max_snapshot_mb * 1024 * 1024,
        warn=lambda message: click.echo(f"warning: {message}", err=True),
    )
    return submission.body(snapshot=sha256, git=git_state(folder))


@click.command("submit", cls=SubmissionCommand, context_settings=SUBMISSION_CONTEXT)
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[DIR] [COMMAND...]")
@submission_options
@_follow_option
@pass_cli
def submit_command(cli: CliContext, /, args: tuple[str, ...], follow: bool, **flags: Any) -> None:
    """Snapshot a folder and queue COMMAND to run from it.

    DIR (default: the current folder) is taken when the first argument names a folder.
    Options go before DIR and COMMAND; everything after COMMAND belongs to it (a warning
    says so when one of its arguments looks like an Atlas option; `--` before DIR or COMMAND
    silences it):

    \b
      atlas submit . python train.py --epochs 3
      atlas submit --gpus 1 --param lr=0.01 experiments/mnist python main.py
      atlas submit --no-follow            # the command from job.config.yaml

    The folder's job.config.yaml supplies defaults; flags win over it.
    """
    settings = cli.settings()
    if old_atlas_form(args):
        click.echo(
            "note: `scheduler DIR COMMAND` is old Atlas's form; Atlas runs it as "
            "`atlas submit DIR COMMAND` (docs/migrating.md)",
            err=True,
        )
        args = args[1:]
    folder, command = folder_and_command(args)
    submission = build_submission(folder, command, SubmitFlags(**flags), settings)
    with cli.client(settings) as client:
        job = _queue(client, submission, folder, settings)
        _announce(job, follow)
        if not follow:
            return
        status = follow_log(client, job.id)
    report_end(job.id, status)


@click.command("rerun")
@click.argument("job_id", metavar="ID")
@_param_option
@_params_file_option
@_follow_option
@pass_cli
def rerun_command(
    cli: CliContext,
    job_id: str,
    param: tuple[str, ...],
    params_file: Path | None,
    follow: bool,
) -> None:
    """Run a job again: its snapshot, command and resources, with params changed by
    --param and --params-file (merged over the old ones)."""
    from atlas.sdk.params import flatten_params

    changes = flatten_params(params_from({}, params_file, param))
    with cli.client() as client:
        job = client.rerun_job(job_id, params=changes or None)
        _announce(job, follow)
        if not follow:
            return
        status = follow_log(client, job.id)
    report_end(job.id, status)
