"""Where a job started by the SDK comes from: its project, name, user, command, git state and
Python environment.

The project of a job started without one is, in order: the ``project`` setting
(``ATLAS_PROJECT``), the ``project_name`` key of ``./job.config.yaml``, the name of the current
folder (characters a project name cannot hold become ``-``).
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import shlex
import socket
import sys
from pathlib import Path

from atlas.errors import InvalidInputError
from atlas.names import MAX_PROJECT_NAME_LENGTH, check_project_name
from atlas.sdk.gitstate import git_state
from atlas.sdk.records import CreateJob

__all__ = ["JOB_CONFIG", "check_project", "default_project", "describe", "job_name", "origin"]

JOB_CONFIG = "job.config.yaml"
_UNSAFE = re.compile(r"[^\w.\- ]+")


def default_project(configured: str | None, folder: Path | None = None) -> str:
    """The project of a job started without one (see the module docstring)."""
    if configured:
        return configured
    folder = Path.cwd() if folder is None else folder
    from_config = _config_project(folder / JOB_CONFIG)
    if from_config:
        return from_config
    name = _UNSAFE.sub("-", folder.resolve().name).lstrip(" .")[:MAX_PROJECT_NAME_LENGTH]
    return name or "default"


def check_project(project: str) -> str:
    """``project`` when it is a valid project name (``atlas.names``), else
    ``InvalidInputError``."""
    return check_project_name(project, field="project")


def _config_project(path: Path) -> str | None:
    """``project_name`` from ``job.config.yaml`` (PyYAML is imported only when it exists)."""
    if not path.is_file():
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInputError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path} must hold a mapping of settings")
    project = data.get("project_name")
    if project is not None and not isinstance(project, str):
        raise InvalidInputError(f"{path}: project_name must be a string, not {project!r}")
    return project or None


def job_name() -> str:
    """The default name of a job: the script's name without its suffix (empty for an
    interactive session)."""
    script = sys.argv[0] if sys.argv else ""
    if not script or script == "-c" or "ipykernel" in sys.modules:
        return ""  # python -c, an interactive session, a notebook
    return Path(script).stem


def origin() -> dict[str, object]:
    """The cheap facts of a new job: user and command line."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    return {"user": user, "command": shlex.join(argv)}


def describe(record: CreateJob) -> CreateJob:
    """``record`` with the git state of the working folder and the Python environment
    (computed in the sender thread: it runs git and reads package metadata)."""
    return record.with_fields(git=git_state(Path.cwd()), environment=_environment())


def _environment() -> dict[str, object]:
    from importlib import metadata

    packages: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            packages[name] = dist.version
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "packages": dict(sorted(packages.items(), key=lambda item: item[0].lower())),
    }
