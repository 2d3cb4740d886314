"""The store's projects and notes, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC

import pytest

from atlas.domain import ArtifactKind, JobSpec, JobStatus
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.store.api import SeriesBatch
from atlas.store.sql_store import SqlStore


def test_create_get_and_list(store: SqlStore) -> None:
    created = store.create_project("vision", description="# Vision\nmodels")
    assert created.name == "vision"
    assert created.description == "# Vision\nmodels"
    assert created.created_at.tzinfo is UTC
    assert created.job_count == 0
    fetched = store.get_project("vision")
    assert fetched == created
    assert [p.name for p in store.list_projects()] == ["vision"]


def test_names_are_unique(store: SqlStore) -> None:
    store.create_project("vision")
    with pytest.raises(ConflictError):
        store.create_project("vision")


@pytest.mark.parametrize(
    "name", ["", " lead", ".hidden", "a/b", "tab\tname", "x" * 201, "a\x00b", "semi;colon"]
)
def test_bad_names_are_refused(store: SqlStore, name: str) -> None:
    with pytest.raises(InvalidInputError):
        store.create_project(name)
    assert store.list_projects() == []


@pytest.mark.parametrize("name", ["a", "Vision 2.0", "my_project-1", "x" * 200, "élan"])
def test_good_names_are_taken(store: SqlStore, name: str) -> None:
    assert store.create_project(name).name == name


def test_unknown_projects_are_not_found(store: SqlStore) -> None:
    for call in (
        lambda: store.get_project("nope"),
        lambda: store.get_project("a\x00b"),
        lambda: store.rename_project("nope", "other"),
        lambda: store.delete_project("nope"),
        lambda: store.set_description("nope", "x"),
        lambda: store.add_note("nope", author="ana", text="x"),
        lambda: store.list_notes("nope"),
        lambda: store.list_metric_keys("nope"),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_ensure_project_creates_once(store: SqlStore) -> None:
    first = store.ensure_project("auto")
    assert store.ensure_project("auto") == first
    assert len(store.list_projects()) == 1


def test_ensure_project_is_race_safe(store: SqlStore) -> None:
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def ensure() -> None:
        barrier.wait()
        try:
            store.ensure_project("raced")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ensure) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in store.list_projects()] == ["raced"]


def test_rename(store: SqlStore) -> None:
    store.create_project("old")
    job = store.create_job(JobSpec("old"))
    renamed = store.rename_project("old", "new")
    assert renamed.name == "new"
    assert renamed.job_count == 1
    assert store.get_job(job.id).project == "new"
    with pytest.raises(NotFoundError):
        store.get_project("old")
    assert store.rename_project("new", "new").name == "new"


def test_rename_onto_a_taken_name_conflicts(store: SqlStore) -> None:
    store.create_project("a")
    store.create_project("b")
    with pytest.raises(ConflictError):
        store.rename_project("a", "b")
    with pytest.raises(InvalidInputError):
        store.rename_project("a", "../b")
    assert sorted(p.name for p in store.list_projects()) == ["a", "b"]


def test_delete_cascades_to_jobs_and_their_rows(store: SqlStore) -> None:
    store.create_project("doomed")
    job = store.create_job(JobSpec("doomed", params={"lr": 0.1}, tags={"t": "x"}))
    store.append_metrics(job.id, [SeriesBatch("loss", [0, 1], [1.0, 2.0], [0.5, 0.4])])
    store.record_artifact(
        job.id, path="a.txt", kind=ArtifactKind.TEXT, mime="text/plain", size=1, sha256="0" * 64
    )
    kept = store.create_job(JobSpec("kept", params={"lr": 0.2}))
    assert store.delete_project("doomed") == [job.id]
    with pytest.raises(NotFoundError):
        store.get_job(job.id)
    with pytest.raises(NotFoundError):
        store.read_series(job.id, "loss")
    assert store.get_job(kept.id).params == {"lr": 0.2}
    store.create_project("doomed")  # the name is free again, with nothing left in it
    assert store.list_param_keys("doomed") == []
    assert store.list_notes("doomed") == []


def test_job_counts_by_status(store: SqlStore) -> None:
    store.create_job(JobSpec("counted"))
    store.create_job(JobSpec("counted"))
    queued = store.create_job(JobSpec("counted"), status=JobStatus.QUEUED)
    store.update_job(queued.id, status=JobStatus.CANCELLED)
    project = store.get_project("counted")
    assert project.job_counts == {JobStatus.RUNNING: 2, JobStatus.CANCELLED: 1}
    assert project.job_count == 3
    listed = {p.name: p for p in store.list_projects()}
    assert listed["counted"].job_counts == project.job_counts


def test_most_recently_active_first(store: SqlStore) -> None:
    store.create_project("first")
    store.create_project("second")
    job = store.create_job(JobSpec("third"))
    assert [p.name for p in store.list_projects()] == ["third", "second", "first"]
    store.set_description("first", "now active")
    assert next(p.name for p in store.list_projects()) == "first"
    before = store.get_project("second").last_activity
    store.add_note("second", author="ana", text="hello")
    after = store.get_project("second").last_activity
    assert before is not None
    assert after is not None
    assert after > before
    store.set_tags(job.id, {"a": "b"})
    assert next(p.name for p in store.list_projects()) == "third"


def test_description(store: SqlStore) -> None:
    store.create_project("described")
    assert store.set_description("described", "**bold**").description == "**bold**"
    assert store.get_project("described").description == "**bold**"
    with pytest.raises(InvalidInputError):
        store.set_description("described", "x" * 1_000_001)


def test_notes_newest_first(store: SqlStore) -> None:
    store.create_project("noted")
    first = store.add_note("noted", author="ana", text="one")
    second = store.add_note("noted", author="bo", text="two")
    assert first.project == "noted"
    assert first.author == "ana"
    assert first.text == "one"
    assert first.created_at.tzinfo is UTC
    assert store.list_notes("noted") == [second, first]
    with pytest.raises(InvalidInputError):
        store.add_note("noted", author="x" * 201, text="too long an author")
    with pytest.raises(InvalidInputError):
        store.add_note("noted", author="ana", text="nul \x00")
