"""``foundations.submit(**old kwargs)``: queue a folder's job on Atlas, the old way.

The job is built by the same code as ``atlas submit`` (``atlas.cli.submit.build_submission``:
the folder's ``job.config.yaml`` with the arguments over it); the old arguments map onto it:
``job_directory`` (default: the current folder), ``command`` (``["main.py", "arg"]``, run with
``python`` unless ``entrypoint`` names another program), ``project_name``, ``params`` (they
replace the file's), ``num_gpus`` and ``ram`` (GiB), then ``set_job_resources``'s values when
neither says. ``scheduler_config`` names old Atlas's scheduler; Atlas has one, the server the
settings name (``ATLAS_URL``). With ``stream_job_logs`` the job's log is printed until it
ends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from foundations.deployment import DeploymentWrapper
from foundations.job import job_resources

if TYPE_CHECKING:
    from atlas import domain
    from atlas.sdk.client import Client

__all__ = ["ARGUMENTS", "SCHEDULER", "queue_job", "submit"]

logger = logging.getLogger("foundations")

SCHEDULER = "scheduler"
"""Old Atlas's name of its (only) scheduler configuration."""

ARGUMENTS = (
    "scheduler_config",
    "job_directory",
    "project_name",
    "entrypoint",
    "params",
    "ram",
    "num_gpus",
    "stream_job_logs",
    "command",
)
"""The keyword arguments ``submit`` takes, as before."""


def submit(**kwargs: object) -> DeploymentWrapper:
    """Queue a job (see the module docstring for the arguments); answer its
    :class:`DeploymentWrapper`. ``TypeError`` for an argument the old SDK did not take."""
    unknown = sorted(set(kwargs) - set(ARGUMENTS))
    if unknown:
        raise TypeError(f"submit() got an unexpected keyword argument {unknown[0]!r}")
    from atlas.sdk.client import sdk_client

    command = kwargs.get("command")
    if isinstance(command, str):  # the old SDK took a list; a string is one command line
        from atlas.sdk.jobconfig import parse_command

        command = parse_command(command)
    params = kwargs.get("params") or None  # empty: job.config.yaml's, as before
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of names to values, not {type(params).__name__}")
    with sdk_client() as client:
        job = queue_job(
            client,
            Path(str(kwargs.get("job_directory") or ".")),
            [str(word) for word in command] if isinstance(command, Sequence) else [],
            scheduler=_text(kwargs.get("scheduler_config")),
            project_name=_text(kwargs.get("project_name")),
            entrypoint=_text(kwargs.get("entrypoint")),
            params=params,
            num_gpus=kwargs.get("num_gpus"),  # type: ignore[arg-type]
            ram=kwargs.get("ram"),  # type: ignore[arg-type]
        )
    deployment = DeploymentWrapper(job.id)
    if kwargs.get("stream_job_logs"):
        for line in deployment.stream_job_logs():
            print(line)
    return deployment


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def queue_job(
    client: Client,
    folder: Path,
    command: list[str],
    *,
    scheduler: str | None = None,
    project_name: str | None = None,
    entrypoint: str | None = None,
    params: Mapping[str, object] | None = None,
    num_gpus: int | None = None,
    ram: float | None = None,
) -> domain.Job:
    """Snapshot ``folder`` and queue its job with ``client``, as ``foundations submit`` and
    ``foundations.submit`` do (the module docstring gives the rules)."""
    from atlas.cli.submit import SubmitFlags, build_submission
    from atlas.errors import InvalidInputError
    from atlas.sdk.configuration import sdk_settings
    from atlas.sdk.jobconfig import load_job_config, parse_command
    from atlas.sdk.params import flatten_params
    from atlas.sdk.submit import send_submission

    if scheduler not in (None, SCHEDULER):
        logger.warning("scheduler config %r: Atlas runs the job on its server", scheduler)
    if not folder.is_dir():
        raise InvalidInputError(f"cannot submit {folder}: not a folder")
    if entrypoint:
        command = [*parse_command(entrypoint, where="entrypoint"), *command]
    settings = sdk_settings()
    submission = build_submission(folder, command, SubmitFlags(project=project_name), settings)
    config = load_job_config(folder)
    resources = job_resources()
    gpus = num_gpus if num_gpus is not None else config.gpus
    if ram is None and config.memory is None:
        ram = resources.ram
    submission = replace(
        submission,
        gpus=resources.num_gpus if gpus is None else gpus,
        memory=submission.memory if ram is None else int(ram * (1 << 30)),
        params=submission.params if params is None else flatten_params(params),
    )
    return send_submission(
        client,
        submission,
        folder,
        max_snapshot_bytes=settings.max_snapshot_mb * 1024 * 1024,
        warn=lambda message: logger.warning("%s", message),
    )
