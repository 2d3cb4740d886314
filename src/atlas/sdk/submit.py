"""Submitting a folder and a command to the scheduler: ``atlas.submit`` and what the CLI shares.

A submission snapshots the folder (:mod:`atlas.sdk.snapshot`), uploads the snapshot unless the
server already holds one with the same sha256, records the folder's git state, and posts the
request (``POST /api/v1/submissions``). A job that submits a job (``ATLAS_JOB_ID`` set) becomes
its parent.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from atlas import domain
from atlas.errors import InvalidInputError
from atlas.names import IMAGE_PATTERN, MAX_RETRIES, check_job_name, check_labels
from atlas.sdk.environment import check_project, default_project
from atlas.sdk.gitstate import git_state
from atlas.sdk.handle import Job
from atlas.sdk.jobconfig import (
    ENV_MODES,
    JobConfig,
    load_job_config,
    parse_command,
    parse_memory,
    with_interpreter,
)
from atlas.sdk.params import flatten_params, normalize_tags
from atlas.sdk.snapshot import build_snapshot

if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.settings import Settings

__all__ = [
    "Submission",
    "current_user",
    "default_name",
    "resolve_project",
    "send_submission",
    "submit",
    "upload_folder",
]

logger = logging.getLogger(__name__)

Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Submission:
    """A checked request to run ``command`` (an argv list) from a folder's snapshot.
    ``memory`` is in bytes, ``timeout`` in seconds; ``parent_id`` names the job that
    submitted it; ``retries`` is how many times it is queued again when it fails or is
    lost; ``image`` the container image it runs in (``None``: on the server's host)."""

    project: str
    command: list[str]
    name: str = ""
    params: dict[str, domain.ParamValue] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    cpus: int = 1
    gpus: int = 0
    memory: int | None = None
    priority: int = 0
    timeout: float | None = None
    env: str = "auto"
    parent_id: str | None = None
    user: str = ""
    retries: int = 0
    image: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    network: bool = False

    def __post_init__(self) -> None:
        check_project(self.project)
        check_job_name(self.name)
        if not self.command:
            raise InvalidInputError("no command to run: give one, e.g. python train.py")
        if self.cpus < 1:
            raise InvalidInputError(f"cpus must be at least 1, not {self.cpus}")
        if self.gpus < 0:
            raise InvalidInputError(f"gpus must be 0 or more, not {self.gpus}")
        if self.timeout is not None and self.timeout <= 0:
            raise InvalidInputError(f"timeout must be a number of seconds > 0, not {self.timeout}")
        if self.env not in ENV_MODES:
            raise InvalidInputError(f"env must be auto or none, not {self.env!r}")
        if not -(2**31) <= self.priority < 2**31:
            raise InvalidInputError(f"priority {self.priority} is out of range (32-bit integer)")
        if self.image is not None and not re.match(IMAGE_PATTERN, self.image):
            raise InvalidInputError(f"image {self.image!r} is not an image reference")
        if isinstance(self.retries, bool) or not 0 <= self.retries <= MAX_RETRIES:
            raise InvalidInputError(
                f"retries must be a whole number from 0 to {MAX_RETRIES}, not {self.retries}"
            )

    def body(self, *, snapshot: str | None, git: Mapping[str, object]) -> dict[str, object]:
        """The ``POST /api/v1/submissions`` request body."""
        body: dict[str, object] = {
            "project": self.project,
            "command": list(self.command),
            "params": dict(self.params),
            "tags": dict(self.tags),
            "resources": {"cpus": self.cpus, "gpus": self.gpus, "memory": self.memory}
            | ({"labels": dict(self.labels)} if self.labels else {})
            | ({"network": True} if self.network else {}),
            "priority": self.priority,
            "timeout": self.timeout,
            "env": self.env,
        }
        if self.retries:
            body["retries"] = self.retries
        optional = {
            "name": self.name,
            "user": self.user,
            "snapshot": snapshot,
            "parent_id": self.parent_id,
            "image": self.image,
        }
        body.update({key: value for key, value in optional.items() if value})
        if git:
            body["git"] = dict(git)
        return body


def current_user() -> str:
    """The login name of this process's user (``""`` when the system cannot tell)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def default_name(command: Sequence[str]) -> str:
    """A job's default name: the script's stem (``train`` for ``python train.py``), else the
    program's name."""
    for arg in command[1:]:
        if arg.endswith(".py") and not arg.startswith("-"):
            return PurePath(arg).stem
    if command[:2] == ["python", "-m"] and len(command) > 2:
        return command[2]
    return PurePath(command[0]).name if command else ""


def send_submission(
    client: Client,
    submission: Submission,
    directory: Path,
    *,
    max_snapshot_bytes: int | None,
    warn: Warn,
) -> domain.Job:
    """Snapshot ``directory``, upload the snapshot when the server lacks it, and queue the
    job; ``warn`` receives sentences for the user (a large snapshot, a skipped link)."""
    sha256 = upload_folder(client, directory, max_snapshot_bytes=max_snapshot_bytes, warn=warn)
    body = submission.body(snapshot=sha256, git=git_state(directory))
    return client.submit_job(body)


def upload_folder(
    client: Client, directory: Path, *, max_snapshot_bytes: int | None, warn: Warn
) -> str:
    """Snapshot ``directory`` and upload the snapshot when the server lacks it; answer its
    sha256 (what a submission or a sweep names). ``warn`` receives sentences for the user
    (a large snapshot, a skipped link)."""
    snapshot = build_snapshot(directory, limit_bytes=max_snapshot_bytes)
    try:
        for warning in snapshot.warnings:
            warn(warning)
        if not client.has_snapshot(snapshot.sha256):
            client.upload_snapshot(snapshot.sha256, snapshot.path)
    finally:
        snapshot.path.unlink(missing_ok=True)
    return snapshot.sha256


def resolve_project(given: str | None, config: JobConfig, settings: Settings, folder: Path) -> str:
    """The project of a submission: ``given``, else the folder's ``job.config.yaml``, else
    the ``project`` setting (``ATLAS_PROJECT``; inside a job, its own project), else the
    folder's name."""
    if given:
        return given
    if config.project:
        return config.project
    return default_project(settings.project, folder)


def submit(
    command: str | Sequence[str],
    *,
    directory: str | os.PathLike[str] = ".",
    params: Mapping[str, object] | None = None,
    gpus: int = 0,
    cpus: int = 1,
    memory: int | str | None = None,
    project: str | None = None,
    name: str | None = None,
    tags: Mapping[str, object] | list[str] | tuple[str, ...] | None = None,
    priority: int = 0,
    timeout: float | None = None,
    env: str = "auto",
    retries: int = 0,
    image: str | None = None,
    labels: Mapping[str, str] | None = None,
    network: bool = False,
    wait: bool = False,
    client: Client | None = None,
) -> Job:
    """Run ``command`` (``"python train.py --lr 0.1"`` or an argv list) on the server's
    scheduler from a snapshot of ``directory``; answer a :class:`Job` handle.

    ``memory`` is bytes or a text like ``"4G"``; ``timeout`` seconds; ``retries`` how many
    times the job is queued again when it fails or is lost (docs/jobs.md); ``image`` a
    container image to run it in (docs/containers.md); ``labels`` what the job's node must
    have (``{"gpu_type": "a100"}``, docs/cluster.md); ``network`` gives a job in an image a
    network (docs/containers.md). The project defaults
    to the folder's ``job.config.yaml`` (``project``/``project_name``; nothing else of the
    file is used, but a bad file is an error), then ``ATLAS_PROJECT`` (inside a job: the
    job's own project), then the folder's name. With ``wait`` the call returns when
    the job has ended. ``ResourceUnavailableError`` when the machine can never give what is
    asked; ``PayloadTooLargeError`` when the snapshot is larger than ``max_snapshot_mb``."""
    from atlas.sdk.client import sdk_client
    from atlas.sdk.configuration import sdk_settings

    settings = sdk_settings()
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInputError(f"cannot submit {folder}: not a folder")
    argv = with_interpreter(parse_command(command if isinstance(command, str) else list(command)))
    config = load_job_config(folder)  # checked even though only its project is used
    submission = Submission(
        project=resolve_project(project, config, settings, folder),
        command=argv,
        name=name if name is not None else default_name(argv),
        params=flatten_params(params or {}),
        tags=normalize_tags(tags or {}),
        cpus=cpus,
        gpus=gpus,
        memory=None if memory is None else parse_memory(memory),
        priority=priority,
        timeout=timeout,
        env=env,
        parent_id=settings.job_id,
        user=current_user(),
        retries=retries,
        image=image,
        labels=check_labels(dict(labels or {})),
        network=network,
    )
    limit = settings.max_snapshot_mb * 1024 * 1024
    if client is None:
        with sdk_client() as own:
            queued = send_submission(own, submission, folder, max_snapshot_bytes=limit, warn=_log)
    else:
        queued = send_submission(client, submission, folder, max_snapshot_bytes=limit, warn=_log)
    handle = Job(queued.id, client=client)
    if wait:
        handle.wait()
    return handle


def _log(message: str) -> None:
    logger.warning("%s", message)
