"""A job's files over HTTP: artifacts saved, listed and served; its log appended and read.

The bytes live in the ``ArtifactStore`` (``jobs/<id>/artifacts/<path>`` for a save without a
step, ``jobs/<id>/steps/<step>/<path>`` for one with, ``jobs/<id>/log.txt``), the artifact
metadata in the ``Store``. Every call checks first that the job exists
(``NotFoundError``) and that a client's path is safe (``InvalidInputError``).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from atlas.domain import Artifact, ArtifactKind
from atlas.errors import NotFoundError, RangeNotSatisfiableError
from atlas.names import HISTOGRAM_SUFFIX, TABLE_SUFFIX, check_caption
from atlas.server.files import (
    SAFE_FILE_HEADERS,
    guess_kind,
    guess_mime,
    open_pieces,
    read_body,
    receive_upload,
    stream_file,
)
from atlas.store.api import Store
from atlas.store.artifacts import (
    ArtifactStore,
    artifact_path,
    artifact_version_path,
    log_path,
    safe_relpath,
)

__all__ = [
    "LOG_SIZE_HEADER",
    "append_log",
    "artifact_kind",
    "read_log",
    "save_artifact",
    "serve_artifact",
]

LOG_SIZE_HEADER = "X-Atlas-Log-Size"


async def save_artifact(
    request: Request,
    store: Store,
    artifacts: ArtifactStore,
    *,
    job_id: str,
    path: str,
    step: int | None,
    max_bytes: int,
    caption: str | None = None,
) -> Artifact:
    """Stream the request body into the job's artifact ``path`` and record it as the latest
    save. With a ``step`` the file is that step's version (``jobs/<id>/steps/<step>/<path>``),
    which also serves as the latest, so it is written once; a latest copy left by a save
    without a step is removed.

    The kind and content type come from the path's extension. When recording fails (the job
    was deleted meanwhile), the file is removed again.
    """
    path = safe_relpath(path)
    check_caption(caption)
    await run_in_threadpool(store.get_job, job_id)
    latest = artifact_path(job_id, path)
    relpath = latest if step is None else artifact_version_path(job_id, path, step)
    stored = await receive_upload(request, artifacts, relpath, max_bytes=max_bytes)
    mime = guess_mime(path)
    try:
        artifact = await run_in_threadpool(
            lambda: store.record_artifact(
                job_id,
                path=path,
                kind=artifact_kind(path, mime),
                mime=mime,
                size=stored.size,
                sha256=stored.sha256,
                step=step,
                caption=caption,
            )
        )
    except BaseException:
        await run_in_threadpool(artifacts.delete, relpath)
        raise
    if step is not None:
        await run_in_threadpool(artifacts.delete, latest)
    return artifact


def artifact_kind(path: str, mime: str) -> ArtifactKind:
    """What viewer suits the artifact ``path``: a table or a histogram by the media suffix
    (docs/media.md), else by its content type."""
    lowered = path.lower()
    if lowered.endswith(TABLE_SUFFIX):
        return ArtifactKind.TABLE
    if lowered.endswith(HISTOGRAM_SUFFIX):
        return ArtifactKind.HISTOGRAM
    return guess_kind(mime)


async def serve_artifact(
    store: Store,
    artifacts: ArtifactStore,
    *,
    job_id: str,
    path: str,
    range_header: str | None,
    step: int | None = None,
) -> Response:
    """The artifact's bytes with its content type, whole (200) or the part asked (206): the
    latest save, or with ``step`` the version saved at that step."""
    path = safe_relpath(path)
    if step is None:
        artifact = await run_in_threadpool(store.get_artifact, job_id, path)
    else:
        artifact = await run_in_threadpool(store.get_artifact_version, job_id, path, step)
    relpath = await run_in_threadpool(_file_of, store, artifacts, artifact)
    name = quote(path.rsplit("/", 1)[-1])
    headers = {
        "ETag": f'"{artifact.sha256}"',
        "Content-Disposition": f"inline; filename*=UTF-8''{name}",
    }
    return await stream_file(
        artifacts,
        relpath,
        size=artifact.size,
        mime=artifact.mime,
        range_header=range_header,
        headers=headers,
    )


def _file_of(store: Store, artifacts: ArtifactStore, artifact: Artifact) -> str:
    """Where the bytes of ``artifact`` (a latest save or a version) are: a save without a
    step at ``artifacts/<path>``; one with a step at ``steps/<step>/<path>``, except a
    version recorded before versions had files of their own (migration 0007), whose bytes
    are the latest copy while it is the same file."""
    latest = artifact_path(artifact.job_id, artifact.path)
    if artifact.step is None:
        return latest
    own = artifact_version_path(artifact.job_id, artifact.path, artifact.step)
    if artifacts.exists(own):
        return own
    if store.get_artifact(artifact.job_id, artifact.path).sha256 == artifact.sha256:
        return latest
    raise NotFoundError(
        f"the file of {artifact.path!r} at step {artifact.step} of job {artifact.job_id} is gone",
        detail={"job_id": artifact.job_id, "path": artifact.path, "step": artifact.step},
    )


async def append_log(
    request: Request, store: Store, artifacts: ArtifactStore, *, job_id: str, max_bytes: int
) -> int:
    """Append the request body to the job's log; return the log's new size."""
    await run_in_threadpool(store.get_job, job_id)
    data = await read_body(request, max_bytes=max_bytes)
    relpath = log_path(job_id)
    if not data:
        return await run_in_threadpool(_log_size, artifacts, relpath)
    return await run_in_threadpool(artifacts.append, relpath, data)


async def read_log(
    store: Store, artifacts: ArtifactStore, *, job_id: str, offset: int, limit: int | None
) -> Response:
    """The job's log from byte ``offset`` (at most ``limit`` bytes) as ``text/plain``, with
    the log's whole size in ``X-Atlas-Log-Size``. A job with no log yet has an empty one;
    ``RangeNotSatisfiableError`` when ``offset`` is past the end."""
    await run_in_threadpool(store.get_job, job_id)
    relpath = log_path(job_id)
    size = await run_in_threadpool(_log_size, artifacts, relpath)
    if offset > size:
        raise RangeNotSatisfiableError(
            f"offset {offset} is past the end of the log ({size} bytes)",
            detail={"size": size, "offset": offset},
        )
    end = size if limit is None else min(size, offset + limit)
    headers = {**SAFE_FILE_HEADERS, LOG_SIZE_HEADER: str(size)}
    if end == offset:
        return Response(b"", media_type="text/plain", headers=headers)
    pieces = await open_pieces(artifacts, relpath, offset, end)
    headers["Content-Length"] = str(end - offset)
    return StreamingResponse(pieces, media_type="text/plain", headers=headers)


def _log_size(artifacts: ArtifactStore, relpath: str) -> int:
    try:
        return artifacts.size(relpath)
    except NotFoundError:
        return 0
