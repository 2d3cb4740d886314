"""Names in the artifact store: the layout of a job's files and the check that keeps every
client-given path inside its job's folder.

Layout: ``jobs/<job_id>/artifacts/<path>`` for an artifact saved without a step,
``jobs/<job_id>/steps/<step>/<path>`` for the version of an artifact saved at a step (also its
latest while no later save replaces it), and ``jobs/<job_id>/log.txt`` for the job's log.
"""

from __future__ import annotations

from atlas.errors import InvalidInputError
from atlas.names import (
    MAX_ARTIFACT_PATH_LENGTH,
    MAX_PATH_PART_BYTES,
    artifact_path_problem,
    check_job_id,
)

__all__ = [
    "MAX_PART_BYTES",
    "MAX_PATH_LENGTH",
    "artifact_path",
    "artifact_version_path",
    "job_prefix",
    "log_path",
    "safe_relpath",
]

MAX_PATH_LENGTH = MAX_ARTIFACT_PATH_LENGTH
MAX_PART_BYTES = MAX_PATH_PART_BYTES


def safe_relpath(path: str, *, field: str = "path") -> str:
    """``path`` when it is a safe relative path, else ``InvalidInputError``.

    The rule is ``atlas.names``'s (the SDK checks artifact paths with the same function):
    empty paths, absolute paths, backslashes, ``.`` and ``..`` parts, empty parts (``a//b``,
    a trailing ``/``), control characters, lone surrogates, names over 255 bytes and paths
    over 1000 characters are refused. Such a path never leaves the folder it is joined to.
    """
    problem = artifact_path_problem(path)
    if problem is not None:
        shown = path if isinstance(path, str) else repr(path)
        raise InvalidInputError(
            f"unsafe path {shown!r}: {problem}",
            detail={"errors": [{"field": field, "message": problem}]},
        )
    return path


def job_prefix(job_id: str) -> str:
    """The folder holding every file of the job."""
    return f"jobs/{check_job_id(job_id, field='job_id')}"


def artifact_path(job_id: str, path: str) -> str:
    """Where the job's artifact ``path`` lives in the artifact store."""
    return f"{job_prefix(job_id)}/artifacts/{safe_relpath(path)}"


def artifact_version_path(job_id: str, path: str, step: int) -> str:
    """Where the version of the job's artifact ``path`` saved at ``step`` lives."""
    return f"{job_prefix(job_id)}/steps/{int(step)}/{safe_relpath(path)}"


def log_path(job_id: str) -> str:
    """Where the job's log (stdout and stderr) lives in the artifact store."""
    return f"{job_prefix(job_id)}/log.txt"
