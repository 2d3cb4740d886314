"""The metadata of artifacts in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC

import pytest

from atlas.domain import ArtifactKind, JobSpec
from atlas.errors import InvalidInputError, NotFoundError
from atlas.store.sql_store import SqlStore

SHA = "ab" * 32


def test_record_list_and_get(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    image = store.record_artifact(
        job.id,
        path="samples/0.png",
        kind=ArtifactKind.IMAGE,
        mime="image/png",
        size=10,
        sha256=SHA,
        step=3,
    )
    assert (image.job_id, image.path, image.kind, image.mime) == (
        job.id,
        "samples/0.png",
        ArtifactKind.IMAGE,
        "image/png",
    )
    assert (image.size, image.sha256, image.step) == (10, SHA, 3)
    assert image.created_at.tzinfo is UTC
    model = store.record_artifact(
        job.id,
        path="model.pt",
        kind=ArtifactKind.FILE,
        mime="application/octet-stream",
        size=2**40,
        sha256=SHA,
    )
    assert model.step is None
    assert model.size == 2**40
    assert store.list_artifacts(job.id) == [model, image]  # by path
    assert store.get_artifact(job.id, "samples/0.png") == image


def test_recording_the_same_path_replaces_it(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    store.record_artifact(
        job.id, path="a.txt", kind=ArtifactKind.TEXT, mime="text/plain", size=1, sha256=SHA
    )
    again = store.record_artifact(
        job.id, path="a.txt", kind=ArtifactKind.TEXT, mime="text/plain", size=2, sha256="cd" * 32
    )
    assert store.list_artifacts(job.id) == [again]
    assert again.size == 2


def test_unknown_artifacts_are_not_found(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    with pytest.raises(NotFoundError):
        store.get_artifact(job.id, "nope.txt")
    with pytest.raises(NotFoundError):
        store.get_artifact(job.id, "nul\x00")
    with pytest.raises(NotFoundError):
        store.get_artifact("0000000000000000", "a.txt")
    with pytest.raises(NotFoundError):
        store.record_artifact(
            "0000000000000000", path="a", kind=ArtifactKind.FILE, mime="x/y", size=1, sha256=SHA
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"path": "../escape"},
        {"path": "/abs"},
        {"kind": "hologram"},
        {"size": -1},
        {"size": 1.5},
        {"size": 2**63},
        {"sha256": "xyz"},
        {"sha256": "AB" * 32},
        {"mime": "m" * 201},
        {"step": 2**63},
    ],
)
def test_bad_records_are_refused(store: SqlStore, fields: dict[str, object]) -> None:
    job = store.create_job(JobSpec("vision"))
    values: dict[str, object] = {
        "path": "a.txt",
        "kind": ArtifactKind.TEXT,
        "mime": "text/plain",
        "size": 1,
        "sha256": SHA,
    } | fields
    with pytest.raises(InvalidInputError):
        store.record_artifact(job.id, **values)  # type: ignore[arg-type]
    assert store.list_artifacts(job.id) == []


def test_artifacts_go_with_their_job(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    store.record_artifact(job.id, path="a", kind=ArtifactKind.FILE, mime="x/y", size=1, sha256=SHA)
    store.delete_job(job.id)
    with pytest.raises(NotFoundError):
        store.list_artifacts(job.id)
