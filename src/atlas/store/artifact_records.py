"""The metadata of stored artifact files (the bytes live in an ``ArtifactStore``)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from atlas.domain import Artifact, ArtifactKind
from atlas.errors import NotFoundError
from atlas.names import invalid, is_sha256, is_storable
from atlas.store.artifacts import safe_relpath
from atlas.store.conversions import artifact_from_row, utc_now
from atlas.store.jobs import job_project_id, lock_job
from atlas.store.projects import touch_project
from atlas.store.tables import artifacts_table
from atlas.store.validation import check_text

__all__ = ["get_artifact", "list_artifacts", "record_artifact"]

_A = artifacts_table
MAX_MIME_LENGTH = 200


def record_artifact(
    conn: Connection,
    job_id: str,
    *,
    path: str,
    kind: ArtifactKind,
    mime: str,
    size: int,
    sha256: str,
    step: int | None = None,
) -> Artifact:
    """Record (or replace) the metadata of the artifact ``path`` of the job."""
    values = {
        "job_id": job_id,
        "path": safe_relpath(path),
        "kind": str(_kind(kind)),
        "mime": check_text(mime, field="mime", max_length=MAX_MIME_LENGTH),
        "size": _non_negative(size, "size"),
        "sha256": _sha256(sha256),
        "step": None if step is None else _step(step),
        "created_at": utc_now(),
    }
    project_id = lock_job(conn, job_id)
    conn.execute(delete(_A).where(_A.c.job_id == job_id, _A.c.path == values["path"]))
    conn.execute(insert(_A).values(values))
    touch_project(conn, project_id)
    return get_artifact(conn, job_id, str(values["path"]))


def list_artifacts(conn: Connection, job_id: str) -> list[Artifact]:
    """The job's artifacts by path; ``NotFoundError`` for an unknown job."""
    job_project_id(conn, job_id)
    rows = conn.execute(select(_A).where(_A.c.job_id == job_id).order_by(_A.c.path))
    return [artifact_from_row(row) for row in rows]


def get_artifact(conn: Connection, job_id: str, path: str) -> Artifact:
    """One artifact's metadata; ``NotFoundError`` when the job or the artifact is unknown."""
    row = None
    if is_storable(job_id) and is_storable(path):
        query = select(_A).where(_A.c.job_id == job_id, _A.c.path == path)
        row = conn.execute(query).one_or_none()
    if row is None:
        job_project_id(conn, job_id)
        raise NotFoundError(
            f"job {job_id} has no artifact {path!r}", detail={"job_id": job_id, "path": path}
        )
    return artifact_from_row(row)


def _kind(kind: object) -> ArtifactKind:
    try:
        return ArtifactKind(str(kind))
    except ValueError as exc:
        allowed = ", ".join(k.value for k in ArtifactKind)
        raise invalid("kind", f"artifact kind must be one of {allowed}, not {kind!r}") from exc


def _non_negative(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise invalid(field, f"{field} must be an integer from 0 to 2**63 - 1")
    return value


def _step(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise invalid("step", "step must be a 64-bit integer")
    return value


def _sha256(value: object) -> str:
    if not is_sha256(value):
        raise invalid("sha256", "sha256 must be 64 lowercase hexadecimal characters")
    return value
