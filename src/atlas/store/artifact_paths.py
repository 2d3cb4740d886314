"""Names in the artifact store: the layout of a job's files and the check that keeps every
client-given path inside its job's folder.

Layout: ``jobs/<job_id>/artifacts/<path>`` for artifacts, ``jobs/<job_id>/log.txt`` for the
job's log.
"""

from __future__ import annotations

import re

from atlas.errors import InvalidInputError
from atlas.store.validation import check_job_id

__all__ = [
    "MAX_PART_BYTES",
    "MAX_PATH_LENGTH",
    "artifact_path",
    "job_prefix",
    "log_path",
    "safe_relpath",
]

MAX_PATH_LENGTH = 1000
"""Longest artifact path, in characters (the width of ``artifacts.path``)."""
MAX_PART_BYTES = 255
"""Longest file or folder name, in UTF-8 bytes (the limit of common filesystems)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_relpath(path: str, *, field: str = "path") -> str:
    """``path`` when it is a safe relative path, else ``InvalidInputError``.

    Refused: empty paths, absolute paths, backslashes, ``.`` and ``..`` parts, empty parts
    (``a//b``, a trailing ``/``), control characters, names over 255 bytes and paths over
    1000 characters. Such a path never leaves the folder it is joined to.
    """
    problem = _path_problem(path)
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


def log_path(job_id: str) -> str:
    """Where the job's log (stdout and stderr) lives in the artifact store."""
    return f"{job_prefix(job_id)}/log.txt"


def _path_problem(path: object) -> str | None:
    if not isinstance(path, str) or not path:
        return "a path must be a non-empty string"
    if len(path) > MAX_PATH_LENGTH:
        return f"a path has at most {MAX_PATH_LENGTH} characters"
    if "\\" in path:
        return "use '/' to separate folders, not '\\'"
    if _CONTROL.search(path):
        return "control characters are not allowed"
    if path.startswith("/"):
        return "the path must be relative (no leading '/')"
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return "empty, '.' and '..' parts are not allowed"
        if len(part.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES:
            return f"a name has at most {MAX_PART_BYTES} bytes"
    return None
