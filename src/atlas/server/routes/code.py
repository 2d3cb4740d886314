"""``/api/v1/jobs/{id}/snapshot/files``: the files of a job's code snapshot, for the GUI's
Code tab (the whole snapshot is ``GET /api/v1/jobs/{id}/snapshot``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from atlas.server.auth.access import JobViewer
from atlas.server.code_snapshot import list_snapshot_files, read_snapshot_file
from atlas.server.deps import ArtifactsDep, JobIdPath, StoreDep
from atlas.server.schemas import ItemsOut, SnapshotFileOut

__all__ = ["router"]

router = APIRouter(prefix="/jobs/{job_id}/snapshot/files", tags=["scheduler"])

_FILE_ANSWER: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/plain": {}}, "description": "The file's bytes."}
}


@router.get("")
async def snapshot_files(
    caller: JobViewer, job_id: JobIdPath, store: StoreDep, artifacts: ArtifactsDep
) -> ItemsOut[SnapshotFileOut]:
    """Every file in the job's code snapshot, by path; 404 when it has no snapshot."""
    files = await run_in_threadpool(list_snapshot_files, store, artifacts, job_id)
    return ItemsOut[SnapshotFileOut](
        items=[SnapshotFileOut(path=f.path, size=f.size) for f in files]
    )


@router.get("/{path:path}", response_class=Response, responses=_FILE_ANSWER)
async def snapshot_file(
    caller: JobViewer,
    job_id: JobIdPath,
    path: Annotated[str, Path(description="The file's path in the snapshot.")],
    store: StoreDep,
    artifacts: ArtifactsDep,
) -> Response:
    """One file of the job's code snapshot (text as UTF-8), never run in the GUI's origin."""
    data, mime = await run_in_threadpool(read_snapshot_file, store, artifacts, job_id, path)
    headers = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
    return Response(content=data, media_type=mime, headers=headers)
