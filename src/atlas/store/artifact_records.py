"""The metadata of stored artifact files (the bytes live in an ``ArtifactStore``).

``artifacts`` holds the latest save of each path; ``artifact_versions`` one row per step a
path was saved at (docs/media.md, "Every step kept"). Media keys are the artifacts under
``media/`` (``atlas.names.media_key``).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from atlas.domain import Artifact, ArtifactKind, MediaKey
from atlas.errors import NotFoundError
from atlas.names import (
    MAX_VERSIONS_LISTED,
    MEDIA_FOLDER,
    check_caption,
    invalid,
    is_sha256,
    is_storable,
    media_key,
)
from atlas.store.artifacts import safe_relpath
from atlas.store.conversions import artifact_from_row, utc_now
from atlas.store.jobs import job_project_id, lock_job
from atlas.store.projects import touch_project
from atlas.store.tables import artifact_versions_table, artifacts_table
from atlas.store.validation import check_text

__all__ = [
    "find_version_at",
    "get_artifact",
    "get_version",
    "list_artifacts",
    "list_media",
    "list_versions",
    "record_artifact",
]

_A = artifacts_table
_V = artifact_versions_table
MAX_MIME_LENGTH = 200
_INT64 = (-(2**63), 2**63 - 1)


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
    caption: str | None = None,
) -> Artifact:
    """Record (or replace) the metadata of the artifact ``path`` of the job: the latest save
    and, with a ``step``, the version of that step (replacing one saved at the same step)."""
    values = {
        "job_id": job_id,
        "path": safe_relpath(path),
        "kind": str(_kind(kind)),
        "mime": check_text(mime, field="mime", max_length=MAX_MIME_LENGTH),
        "size": _non_negative(size, "size"),
        "sha256": _sha256(sha256),
        "step": None if step is None else _step(step),
        "caption": check_caption(caption),
        "created_at": utc_now(),
    }
    project_id = lock_job(conn, job_id)
    conn.execute(delete(_A).where(_A.c.job_id == job_id, _A.c.path == values["path"]))
    conn.execute(insert(_A).values(values))
    if step is not None:
        where = (_V.c.job_id == job_id, _V.c.path == values["path"], _V.c.step == step)
        conn.execute(delete(_V).where(*where))
        conn.execute(insert(_V).values(values))
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


def list_versions(
    conn: Connection,
    job_id: str,
    path: str,
    *,
    min_step: int | None = None,
    max_step: int | None = None,
    limit: int = MAX_VERSIONS_LISTED,
) -> list[Artifact]:
    """The versions of the artifact ``path`` by step (at most ``limit``, within the inclusive
    step range); ``NotFoundError`` when the job or the artifact is unknown."""
    get_artifact(conn, job_id, path)
    query = select(_V).where(_V.c.job_id == job_id, _V.c.path == path)
    if min_step is not None:
        query = query.where(_V.c.step >= min_step)
    if max_step is not None:
        query = query.where(_V.c.step <= max_step)
    rows = conn.execute(query.order_by(_V.c.step).limit(limit))
    return [artifact_from_row(row) for row in rows]


def get_version(conn: Connection, job_id: str, path: str, step: int) -> Artifact:
    """The version of ``path`` saved at ``step``; ``NotFoundError`` when there is none."""
    row = None
    if is_storable(job_id) and is_storable(path):
        query = select(_V).where(_V.c.job_id == job_id, _V.c.path == path, _V.c.step == step)
        row = conn.execute(query).one_or_none()
    if row is None:
        get_artifact(conn, job_id, path)  # says which of job and path is unknown
        raise NotFoundError(
            f"job {job_id} saved no version of {path!r} at step {step}",
            detail={"job_id": job_id, "path": path, "step": step},
        )
    return artifact_from_row(row)


def find_version_at(conn: Connection, job_id: str, path: str, step: int | None) -> Artifact | None:
    """The version of ``path`` at the greatest step at or before ``step`` (without ``step``:
    the latest save), or None when the job has none; ``NotFoundError`` for an unknown job."""
    if step is None:
        query = select(_A).where(_A.c.job_id == job_id, _A.c.path == path)
        row = conn.execute(query).one_or_none()
        if row is None:
            job_project_id(conn, job_id)
        return None if row is None else artifact_from_row(row)
    query = (
        select(_V)
        .where(_V.c.job_id == job_id, _V.c.path == path, _V.c.step <= step)
        .order_by(_V.c.step.desc())
        .limit(1)
    )
    found = conn.execute(query).one_or_none()
    if found is None:
        job_project_id(conn, job_id)
    return None if found is None else artifact_from_row(found)


def list_media(conn: Connection, job_id: str) -> list[MediaKey]:
    """The job's media keys (artifacts under ``media/`` with a media suffix), by key, each
    with every step kept; ``NotFoundError`` for an unknown job."""
    job_project_id(conn, job_id)
    prefix = MEDIA_FOLDER + "/"
    latest = conn.execute(
        select(_A).where(_A.c.job_id == job_id, _A.c.path.startswith(prefix, autoescape=True))
    ).all()
    steps: dict[str, list[int]] = {}
    versions = select(_V.c.path, _V.c.step).where(
        _V.c.job_id == job_id, _V.c.path.startswith(prefix, autoescape=True)
    )
    for path, step in conn.execute(versions.order_by(_V.c.path, _V.c.step)):
        steps.setdefault(path, []).append(int(step))
    media = []
    for row in latest:
        key = media_key(row.path)
        if key is not None:
            kept = tuple(steps.get(row.path, ()))
            media.append(
                MediaKey(job_id, key, row.path, ArtifactKind(row.kind), row.mime, kept, row.caption)
            )
    return sorted(media, key=lambda m: (m.key, m.path))


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
    if isinstance(value, bool) or not isinstance(value, int) or not _INT64[0] <= value <= _INT64[1]:
        raise invalid("step", "step must be a 64-bit integer")
    return value


def _sha256(value: object) -> str:
    if not is_sha256(value):
        raise invalid("sha256", "sha256 must be 64 lowercase hexadecimal characters")
    return value
