"""``create_syncable_directory``: a folder kept with a job and brought into later jobs.

A syncable directory of key ``K`` is stored as the job's artifacts under
``synced_directories/K/`` (``upload()``); creating one with ``source_job_id`` (default: this
job) downloads that job's files of key ``K`` into the folder first, so a job builds on what
an earlier one left. Outside a job, ``upload()`` warns and stores nothing, as before.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from foundations.job import current_foundations_job, in_job, logger

__all__ = ["SyncableDirectory", "create_syncable_directory"]

PREFIX = "synced_directories"
"""Where a syncable directory's files live among a job's artifacts."""


class SyncableDirectory:
    """A local folder mirrored to the artifacts ``synced_directories/<key>/`` of a job:
    ``local_job_id`` receives ``upload()``; ``remote_job_id``'s files are downloaded on
    creation (with ``auto_download``) and by ``download()``."""

    def __init__(
        self,
        key: str,
        directory_path: str,
        local_job_id: str | None,
        remote_job_id: str | None,
        auto_download: bool = True,
    ) -> None:
        self._key = key
        self._directory_path = directory_path
        self._local_job_id = local_job_id
        self._remote_job_id = remote_job_id
        Path(directory_path).mkdir(parents=True, exist_ok=True)  # ready to write into
        if auto_download:
            self.download()

    def __str__(self) -> str:
        return self._directory_path

    def _prefix(self) -> str:
        return f"{PREFIX}/{self._key}"

    def upload(self) -> None:
        """Store every file of the folder as the job's artifacts (replacing earlier ones of
        the same name)."""
        if self._local_job_id is None:
            logger.warning("local_job_id required for uploading artifacts")
            return
        folder = Path(self._directory_path)
        if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
            return
        import atlas

        atlas.save_artifact(folder, self._prefix())

    def download(self) -> None:
        """Write the source job's files of this key into the folder (none: nothing)."""
        if self._remote_job_id is None or self._remote_job_id == self._local_job_id:
            return  # a job starts with no files of its own to bring back
        from atlas.sdk.client import sdk_client

        prefix = self._prefix() + "/"
        with sdk_client() as client:
            for artifact in client.list_artifacts(self._remote_job_id):
                if not artifact.path.startswith(prefix):
                    continue
                target = Path(self._directory_path, *artifact.path[len(prefix) :].split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                client.download_artifact(self._remote_job_id, artifact.path, target)


def create_syncable_directory(
    key: str, directory_path: str | None = None, source_job_id: str | None = None
) -> SyncableDirectory:
    """A :class:`SyncableDirectory` of ``key`` at ``directory_path`` (default: a new
    temporary folder), filled from ``source_job_id``'s files of ``key`` (default: this
    job's)."""
    if directory_path is None:
        directory_path = tempfile.mkdtemp()
    job_id = current_foundations_job().job_id if in_job() else None
    return SyncableDirectory(key, directory_path, job_id, source_job_id or job_id)
