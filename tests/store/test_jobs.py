"""The store's jobs, params and tags, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from atlas.domain import TRANSITIONS, JobError, JobKind, JobSpec, JobStatus, ParamValue, new_job_id
from atlas.errors import ConflictError, InvalidInputError, InvalidTransitionError, NotFoundError
from atlas.store.sql_store import SqlStore


def test_create_and_get(store: SqlStore) -> None:
    job = store.create_job(
        JobSpec(
            "vision",
            name="resnet",
            user="ana",
            kind=JobKind.SCHEDULED,
            command="python train.py --lr 0.1",
            git={"commit": "abc", "dirty": True},
            environment={"python": "3.11", "packages": ["numpy==2.0"]},
            resources={"gpus": 1, "memory": "8G"},
            priority=5,
        ),
        status=JobStatus.QUEUED,
    )
    assert len(job.id) == 16
    assert (job.project, job.name, job.user) == ("vision", "resnet", "ana")
    assert (job.kind, job.status) == (JobKind.SCHEDULED, JobStatus.QUEUED)
    assert job.created_at.tzinfo is UTC
    assert job.started_at is None
    assert job.finished_at is None
    assert job.git == {"commit": "abc", "dirty": True}
    assert job.environment == {"python": "3.11", "packages": ["numpy==2.0"]}
    assert job.resources == {"gpus": 1, "memory": "8G"}
    assert job.priority == 5
    assert store.get_job(job.id) == job
    assert store.get_project("vision").job_count == 1


def test_a_running_job_has_started(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    assert job.status is JobStatus.RUNNING
    assert job.kind is JobKind.LOCAL
    assert job.started_at == job.created_at


def test_client_given_ids(store: SqlStore) -> None:
    wanted = new_job_id()
    assert store.create_job(JobSpec("vision"), job_id=wanted).id == wanted
    with pytest.raises(ConflictError):
        store.create_job(JobSpec("vision"), job_id=wanted)
    for bad in ("short", "UPPERCASE0000000", "../../etc/passwd", "a" * 17):
        with pytest.raises(InvalidInputError):
            store.create_job(JobSpec("vision"), job_id=bad)
    assert store.get_project("vision").job_count == 1


def test_parent_ids(store: SqlStore) -> None:
    parent = store.create_job(JobSpec("sweep"))
    child = store.create_job(JobSpec("sweep", kind=JobKind.SWEEP_TRIAL, parent_id=parent.id))
    assert child.parent_id == parent.id
    with pytest.raises(InvalidInputError):
        store.create_job(JobSpec("sweep", parent_id="not an id"))


def test_unknown_jobs_are_not_found(store: SqlStore) -> None:
    for call in (
        lambda: store.get_job("0000000000000000"),
        lambda: store.get_job("nul\x00"),
        lambda: store.update_job("0000000000000000", name="x"),
        lambda: store.delete_job("0000000000000000"),
        lambda: store.set_params("0000000000000000", {"a": 1}),
        lambda: store.set_tags("0000000000000000", {"a": "b"}),
        lambda: store.delete_param("0000000000000000", "a"),
        lambda: store.append_metrics("0000000000000000", []),
        lambda: store.list_artifacts("0000000000000000"),
    ):
        with pytest.raises(NotFoundError):
            call()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 501),
        ("user", "u" * 201),
        ("name", "nul\x00"),
        ("kind", "cron"),
        ("status", "paused"),
        ("priority", 2**40),
        ("priority", True),
        ("git", ["not", "a", "mapping"]),
        ("environment", {"bad": "\ud800"}),
        ("resources", {"huge": "x" * 1_000_001}),
    ],
)
def test_bad_job_fields_are_refused(store: SqlStore, field: str, value: object) -> None:
    spec = {} if field == "status" else {field: value}
    status = value if field == "status" else None
    with pytest.raises(InvalidInputError):
        store.create_job(JobSpec("vision", **spec), status=status)  # type: ignore[arg-type]
    assert store.list_projects() == [] or store.get_project("vision").job_count == 0


def test_every_allowed_transition_and_no_other(store: SqlStore) -> None:
    for old, allowed in TRANSITIONS.items():
        for new in JobStatus:
            if new == old:
                continue
            job = store.create_job(JobSpec("transitions"), status=JobStatus.QUEUED)
            _walk_to(store, job.id, old)
            if new in allowed:
                assert store.update_job(job.id, status=new).status is new
            else:
                with pytest.raises(InvalidTransitionError):
                    store.update_job(job.id, status=new)
                assert store.get_job(job.id).status is old


def _walk_to(store: SqlStore, job_id: str, status: JobStatus) -> None:
    paths = {
        JobStatus.QUEUED: [],
        JobStatus.STARTING: [JobStatus.STARTING],
        JobStatus.RUNNING: [JobStatus.RUNNING],
        JobStatus.COMPLETED: [JobStatus.RUNNING, JobStatus.COMPLETED],
        JobStatus.FAILED: [JobStatus.RUNNING, JobStatus.FAILED],
        JobStatus.CANCELLED: [JobStatus.CANCELLED],
        JobStatus.LOST: [JobStatus.RUNNING, JobStatus.LOST],
    }
    for step in paths[status]:
        store.update_job(job_id, status=step)


def test_transitions_stamp_times_exit_code_and_error(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"), status=JobStatus.QUEUED)
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert store.update_job(job.id, status=JobStatus.STARTING, at=start).started_at is None
    running = store.update_job(job.id, status=JobStatus.RUNNING, at=start)
    assert running.started_at == start
    end = datetime(2026, 11, 25, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    error = JobError(type="ValueError", message="bad lr", traceback="Traceback ...")
    failed = store.update_job(job.id, status=JobStatus.FAILED, exit_code=1, error=error, at=end)
    assert failed.finished_at == end
    assert failed.finished_at.tzinfo is UTC
    assert failed.exit_code == 1
    assert failed.error == error
    assert store.get_job(job.id) == failed


def test_repeating_the_current_status_changes_nothing(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision"))
    done = store.update_job(job.id, status=JobStatus.COMPLETED, exit_code=0)
    again = store.update_job(job.id, status=JobStatus.COMPLETED)
    assert again.finished_at == done.finished_at


def test_rename_job(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision", name="a"))
    assert store.update_job(job.id, name="b").name == "b"
    with pytest.raises(InvalidInputError):
        store.update_job(job.id, name="b" * 501)


def test_delete_job(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision", params={"a": 1}, tags={"b": "c"}))
    other = store.create_job(JobSpec("vision", params={"a": 2}))
    store.delete_job(job.id)
    with pytest.raises(NotFoundError):
        store.get_job(job.id)
    assert store.get_job(other.id).params == {"a": 2}
    assert store.list_tag_keys("vision") == []


PARAMS: dict[str, ParamValue] = {
    "int": 3,
    "big": 2**62,
    "float": 0.001,
    "neg": -2.5e-8,
    "bool": True,
    "false": False,
    "str": "adam",
    "empty": "",
    "unicode": "日本語 ✓",
    "list": [1, "two", 3.0, None],
    "dict": {"a": {"b": [1, 2]}},
    "none": None,
    "long": "x" * 2000,
}


def test_params_round_trip_with_their_types(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision", params=PARAMS))
    params = store.get_job(job.id).params
    assert params == PARAMS
    assert type(params["int"]) is int
    assert type(params["float"]) is float
    assert type(params["bool"]) is bool


def test_params_merge_and_delete(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision", params={"lr": 0.1, "layers": 3}))
    assert store.set_params(job.id, {"lr": 0.2, "dropout": 0.5}) == {
        "lr": 0.2,
        "layers": 3,
        "dropout": 0.5,
    }
    store.delete_param(job.id, "layers")
    assert store.get_job(job.id).params == {"lr": 0.2, "dropout": 0.5}
    with pytest.raises(NotFoundError):
        store.delete_param(job.id, "layers")
    assert store.set_params(job.id, {}) == {"lr": 0.2, "dropout": 0.5}


@pytest.mark.parametrize(
    "params",
    [
        {"nan": float("nan")},
        {"inf": float("inf")},
        {"obj": object()},
        {"set": {1, 2}},
        {"": 1},
        {"k" * 251: 1},
        {"ctl\n": 1},
        {"nul": "a\x00b"},
        {"surrogate": "\ud800"},
        {"huge": "x" * 70_000},
        {1: "non-string key"},
    ],
)
def test_bad_params_are_refused_whole(store: SqlStore, params: dict[object, object]) -> None:
    job = store.create_job(JobSpec("vision", params={"kept": 1}))
    with pytest.raises(InvalidInputError):
        store.set_params(job.id, {"fine": 2, **params})  # type: ignore[dict-item]
    assert store.get_job(job.id).params == {"kept": 1}
    with pytest.raises(InvalidInputError):
        store.create_job(JobSpec("vision", params=params))  # type: ignore[arg-type]
    assert store.get_project("vision").job_count == 1


def test_tags(store: SqlStore) -> None:
    job = store.create_job(JobSpec("vision", tags={"stage": "dev", "owner": "ana"}))
    assert store.set_tags(job.id, {"stage": "prod"}) == {"stage": "prod", "owner": "ana"}
    store.delete_tag(job.id, "owner")
    assert store.get_job(job.id).tags == {"stage": "prod"}
    with pytest.raises(NotFoundError):
        store.delete_tag(job.id, "owner")


@pytest.mark.parametrize(
    "tags", [{"n": 1}, {"n": None}, {"": "x"}, {"v": "x" * 501}, {"z": "\x00"}]
)
def test_bad_tags_are_refused(store: SqlStore, tags: dict[str, object]) -> None:
    job = store.create_job(JobSpec("vision"))
    with pytest.raises(InvalidInputError):
        store.set_tags(job.id, {"ok": "fine", **tags})  # type: ignore[dict-item]
    assert store.get_job(job.id).tags == {}


def test_keys_in_use(store: SqlStore) -> None:
    from atlas.store.api import SeriesBatch

    one = store.create_job(JobSpec("vision", params={"lr": 1, "b": 2}, tags={"t": "x"}))
    two = store.create_job(JobSpec("vision", params={"lr": 2, "a": 1}))
    store.create_job(JobSpec("other", params={"zzz": 1}, tags={"other": "y"}))
    store.append_metrics(one.id, [SeriesBatch("loss", [0], [0.0], [1.0])])
    store.append_metrics(two.id, [SeriesBatch("acc", [0], [0.0], [1.0])])
    store.append_metrics(two.id, [SeriesBatch("system/cpu", [0], [0.0], [1.0])])
    assert store.list_param_keys("vision") == ["a", "b", "lr"]
    assert store.list_tag_keys("vision") == ["t"]
    assert store.list_metric_keys("vision") == ["acc", "loss", "system/cpu"]
    assert store.list_metric_keys("other") == []
