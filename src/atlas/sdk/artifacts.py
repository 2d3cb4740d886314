"""Files and folders saved as artifacts: their artifact paths, checked before anything is
sent.

An artifact path follows ``atlas.names`` (the server applies the same rule): relative and
``/``-separated, without ``..``, empty parts, backslashes or a leading ``/``. Every path is
checked before anything is sent, so ``save_artifact`` refuses a bad one at the call.

A file is stored under ``key`` (default: its name); a folder's files under
``key/<path inside the folder>`` (default key: the folder's name), in sorted order; links to
files are followed, links to folders are not (they could loop).
"""

from __future__ import annotations

import os
from pathlib import Path

from atlas.names import check_artifact_path
from atlas.sdk.records import ArtifactUpload

__all__ = ["artifact_uploads"]


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
