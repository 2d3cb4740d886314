"""Files and folders saved as artifacts: their artifact paths, checked before anything is
sent.

An artifact path is relative and ``/``-separated, without ``..``, empty parts, backslashes
or a leading ``/`` (the server refuses anything else). A file is stored under ``key``
(default: its name); a folder's files under ``key/<path inside the folder>`` (default key:
the folder's name), in sorted order; links to files are followed, links to folders are not
(they could loop).
"""

from __future__ import annotations

import os
from pathlib import Path

from atlas.errors import InvalidInputError
from atlas.sdk.records import ArtifactUpload

__all__ = ["artifact_uploads", "check_artifact_path"]


def check_artifact_path(path: str) -> str:
    """``path`` when it is a safe artifact path, else ``InvalidInputError``."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(char) < 32 for char in path)
    ):
        raise InvalidInputError(
            f"invalid artifact path {path!r}: use a relative, '/'-separated path without "
            "'..', empty parts or backslashes",
            detail={"field": "path", "path": path},
        )
    return path


def artifact_uploads(source: Path, key: str | None, step: int | None) -> list[ArtifactUpload]:
    """The uploads that store ``source`` (a file or a folder) under ``key``."""
    if not source.exists():
        raise FileNotFoundError(f"cannot save artifact: {source} does not exist")
    base = key if key is not None else source.resolve().name
    check_artifact_path(base)
    if source.is_file():
        return [ArtifactUpload(base, source, step)]
    files: list[Path] = []
    for folder, _, names in os.walk(source):
        files.extend(Path(folder, name) for name in names)
    uploads = []
    for file in sorted(files):
        if file.is_file():
            relative = file.relative_to(source).as_posix()
            uploads.append(ArtifactUpload(check_artifact_path(f"{base}/{relative}"), file, step))
    return uploads
