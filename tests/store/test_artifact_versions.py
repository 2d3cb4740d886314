"""Every step of an artifact kept, and a job's media keys, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from atlas.domain import ArtifactKind, JobSpec
from atlas.errors import InvalidInputError, NotFoundError
from atlas.names import MAX_CAPTION_LENGTH
from atlas.store.sql_store import SqlStore
from atlas.store.tables import artifact_versions_table


def sha(n: int) -> str:
    return f"{n:02x}" * 32


def save(
    store: SqlStore,
    job_id: str,
    path: str,
    step: int | None,
    n: int,
    *,
    kind: ArtifactKind = ArtifactKind.IMAGE,
    caption: str | None = None,
) -> None:
    store.record_artifact(
        job_id,
        path=path,
        kind=kind,
        mime="image/png",
        size=n,
        sha256=sha(n),
        step=step,
        caption=caption,
    )


def test_each_step_is_kept_and_the_latest_save_stays_the_artifact(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "plot.png", 5, 1, caption="five")
    save(store, job, "plot.png", 6, 2)
    save(store, job, "plot.png", 3, 3)  # out of order: still the latest save
    versions = store.list_artifact_versions(job, "plot.png")
    assert [(v.step, v.sha256, v.caption) for v in versions] == [
        (3, sha(3), None),
        (5, sha(1), "five"),
        (6, sha(2), None),
    ]
    (latest,) = store.list_artifacts(job)
    assert (latest.step, latest.sha256) == (3, sha(3))
    assert store.get_artifact_version(job, "plot.png", 5).caption == "five"


def test_the_same_step_again_replaces_that_version(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "plot.png", 1, 1)
    save(store, job, "plot.png", 1, 2, caption="again")
    (version,) = store.list_artifact_versions(job, "plot.png")
    assert (version.step, version.sha256, version.caption) == (1, sha(2), "again")


def test_a_save_without_a_step_keeps_no_version(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "plot.png", 1, 1)
    save(store, job, "plot.png", None, 2)
    assert [v.step for v in store.list_artifact_versions(job, "plot.png")] == [1]
    assert store.get_artifact(job, "plot.png").step is None


def test_versions_within_a_step_range_and_a_limit(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    for step in range(10):
        save(store, job, "a.png", step, step)
    steps = [v.step for v in store.list_artifact_versions(job, "a.png", min_step=2, max_step=7)]
    assert steps == [2, 3, 4, 5, 6, 7]
    assert [v.step for v in store.list_artifact_versions(job, "a.png", limit=3)] == [0, 1, 2]


def test_the_version_at_or_before_a_step(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    for step in (0, 10, 20):
        save(store, job, "a.png", step, step + 1)
    found = store.find_artifact_version_at(job, "a.png", 15)
    assert found is not None
    assert found.step == 10
    assert store.find_artifact_version_at(job, "a.png", -1) is None
    latest = store.find_artifact_version_at(job, "a.png", None)
    assert latest is not None
    assert latest.step == 20
    assert store.find_artifact_version_at(job, "b.png", None) is None
    with pytest.raises(NotFoundError):
        store.find_artifact_version_at("0123456789abcdef", "a.png", None)


def test_unknown_job_path_or_step(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "a.png", 1, 1)
    with pytest.raises(NotFoundError, match="no artifact"):
        store.list_artifact_versions(job, "b.png")
    with pytest.raises(NotFoundError, match="at step 2"):
        store.get_artifact_version(job, "a.png", 2)
    with pytest.raises(NotFoundError):
        store.list_media("0123456789abcdef")


def test_media_keys_with_their_steps(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "media/val/samples.png", 2, 1)
    save(store, job, "media/val/samples.png", 1, 2, caption="first")
    save(store, job, "media/weights.histogram.json", 0, 3, kind=ArtifactKind.HISTOGRAM)
    save(store, job, "media/once.png", None, 4)
    save(store, job, "plots/loss.png", 3, 5)  # not under media/: not a media key
    save(store, job, "media/notes.txt", 3, 6)  # not a media suffix
    media = store.list_media(job)
    assert [(m.key, m.path, m.kind, m.steps, m.caption) for m in media] == [
        ("once", "media/once.png", ArtifactKind.IMAGE, (), None),
        ("val/samples", "media/val/samples.png", ArtifactKind.IMAGE, (1, 2), "first"),
        ("weights", "media/weights.histogram.json", ArtifactKind.HISTOGRAM, (0,), None),
    ]


def test_a_caption_too_long_is_refused(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    with pytest.raises(InvalidInputError, match="caption"):
        save(store, job, "a.png", 1, 1, caption="x" * (MAX_CAPTION_LENGTH + 1))


def test_deleting_the_job_deletes_its_versions(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision")).id
    save(store, job, "a.png", 1, 1)
    store.delete_job(job)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(artifact_versions_table)).scalar() == 0
