"""Upgrading from every schema revision Atlas ever shipped, on SQLite and PostgreSQL.

For each revision of the migration scripts (read from the script directory, not listed
here): a database is migrated to exactly that revision, filled with rows written in plain
SQL as that revision's Atlas wrote them, migrated to the newest revision, and read back
through ``SqlStore``: every value must come back unchanged. A new revision needs its entry
in ``FILLERS`` (what its Atlas wrote) and ``CHECKS`` (what must read back); the test fails
until it has them.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from tests.conftest import PG_ADMIN_URL, PG_START

from atlas.domain import (
    ArtifactKind,
    JobError,
    JobKind,
    JobStatus,
    Role,
)
from atlas.notifications import DeliveryStatus, NotifyTarget
from atlas.store.projects import project_version
from atlas.store.schema import alembic_config, current_revision, head_revision, upgrade
from atlas.store.sql_store import SqlStore

Filler = Callable[[Connection], None]
Check = Callable[[SqlStore], None]

JOB = "01kq5x9m2a7v3c8t"  # job ids as new_job_id makes them
CHILD = "01kq5x9m2a7v3c8v"
CREATED = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=UTC)
STARTED = datetime(2026, 11, 25, 9, 31, tzinfo=UTC)
FINISHED = datetime(2026, 11, 25, 10, 2, 3, tzinfo=UTC)
STEPS = np.array([0, 10, 20], dtype="<i8")
TIMES = np.array([1.5e9, 1.5e9 + 1, 1.5e9 + 2], dtype="<f8")
VALUES = np.array([0.9, -math.inf, 0.25], dtype="<f8")


def revisions() -> list[str]:
    """Every revision of the shipped migrations, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def stamp(conn: Connection, moment: datetime) -> str:
    """``moment`` as the store writes it: text without offset on SQLite, timestamptz on
    PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return moment.isoformat()


def sql(conn: Connection, statement: str, **values: object) -> None:
    conn.execute(text(statement), values)


# -- what each revision's Atlas wrote -----------------------------------------------------------


def fill_0001(conn: Connection) -> None:
    """Projects, notes, a finished job with a child, params, tags, metrics, ingest batches,
    artifacts."""
    sql(
        conn,
        "INSERT INTO projects (id, name, description, created_at, last_activity) "
        "VALUES (1, 'vision', 'Image *models*', :t, :t2), (2, 'empty', '', :t, NULL)",
        t=stamp(conn, CREATED),
        t2=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO notes (project_id, author, text, created_at) VALUES (1, 'ada', 'lr!', :t)",
        t=stamp(conn, STARTED),
    )
    job = (
        'INSERT INTO jobs (id, project_id, name, "user", kind, status, command, priority, '
        "created_at, started_at, finished_at, exit_code, error_type, error_message, "
        "error_traceback, git_json, environment_json, resources_json, parent_id) VALUES "
        "(:id, 1, :name, 'ada', :kind, :status, 'python train.py', :priority, :c, :s, :f, "
        ":code, :etype, :emsg, :etb, :git, :env, :res, :parent)"
    )
    sql(
        conn,
        job,
        id=JOB,
        name="resnet",
        kind="local",
        status="failed",
        priority=0,
        c=stamp(conn, CREATED),
        s=stamp(conn, STARTED),
        f=stamp(conn, FINISHED),
        code=1,
        etype="ValueError",
        emsg="bad lr",
        etb="Traceback ...",
        git=json.dumps({"commit": "abc123", "dirty": False}),
        env=json.dumps({"python": "3.11.4"}),
        res=json.dumps({"cpus": 2}),
        parent=None,
    )
    sql(
        conn,
        job,
        id=CHILD,
        name="child",
        kind="scheduled",
        status="queued",
        priority=5,
        c=stamp(conn, STARTED),
        s=None,
        f=None,
        code=None,
        etype=None,
        emsg=None,
        etb=None,
        git="{}",
        env="{}",
        res=json.dumps({"gpus": 1}),
        parent=JOB,
    )
    params = [("lr", 0.001, 0.001, None), ("model", "resnet50", None, "resnet50")]
    for key, value, num, txt in params:
        sql(
            conn,
            "INSERT INTO params (job_id, key, project_id, value_json, value_num, value_text) "
            "VALUES (:job, :key, 1, :json, :num, :txt)",
            job=JOB,
            key=key,
            json=json.dumps(value),
            num=num,
            txt=txt,
        )
    sql(
        conn,
        "INSERT INTO tags (job_id, key, project_id, value) VALUES (:job, 'stage', 1, 'prod')",
        job=JOB,
    )
    sql(
        conn,
        "INSERT INTO metric_chunks (job_id, key, seq, count, min_step, max_step, min_value, "
        "max_value, steps, times, \"values\") VALUES (:job, 'loss', 0, 3, 0, 20, :lo, 0.9, "
        ":steps, :times, :values)",
        job=JOB,
        lo=-math.inf,
        steps=STEPS.tobytes(),
        times=TIMES.tobytes(),
        values=VALUES.tobytes(),
    )
    sql(
        conn,
        "INSERT INTO metric_summaries (job_id, key, project_id, last, last_step, min, max, "
        "count, updated_at) VALUES (:job, 'loss', 1, 0.25, 20, :lo, 0.9, 3, :t)",
        job=JOB,
        lo=-math.inf,
        t=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO ingest_batches (job_id, batch_id, points, created_at) "
        "VALUES (:job, 'batch-1', 3, :t)",
        job=JOB,
        t=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO artifacts (job_id, path, kind, mime, size, sha256, step, created_at) "
        "VALUES (:job, 'plots/loss.png', 'image', 'image/png', 2048, :sha, 20, :t)",
        job=JOB,
        sha="ab" * 32,
        t=stamp(conn, FINISHED),
    )


def fill_0002(conn: Connection) -> None:
    """The job's code snapshot, timeout, environment mode, rerun source, queue time, launch."""
    fill_0001(conn)
    sql(
        conn,
        "UPDATE jobs SET snapshot = :sha, timeout_s = 3600.5, env_mode = 'none', "
        "rerun_of = :job, queued_at = :t, launch_json = '{\"pid\": 4242}' WHERE id = :child",
        sha="cd" * 32,
        job=JOB,
        t=stamp(conn, STARTED),
        child=CHILD,
    )


def fill_0003(conn: Connection) -> None:
    """When the server last heard from a tracked script."""
    fill_0002(conn)
    sql(conn, "UPDATE jobs SET last_seen_at = :t WHERE id = :job", t=stamp(conn, FINISHED), job=JOB)


SUBJECT = "https://id.example.com 248289761001"


def fill_0004(conn: Connection) -> None:
    """Users, a session, tokens, a membership, an audit entry."""
    fill_0003(conn)
    sql(
        conn,
        "INSERT INTO users (id, name, password_hash, admin, disabled, source, display_name, "
        "email, created_at, last_login_at) VALUES "
        "(1, 'ada', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', :yes, :no, 'local', "
        "'Ada L.', 'ada@example.com', :c, :l), "
        "(2, 'bob', NULL, :no, :yes, 'oidc', '', '', :c, NULL)",
        yes=True,
        no=False,
        c=stamp(conn, CREATED),
        l=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO project_members (project_id, user_id, role, added_at) "
        "VALUES (1, 1, 'owner', :t), (1, 2, 'viewer', :t)",
        t=stamp(conn, CREATED),
    )
    sql(
        conn,
        "INSERT INTO api_tokens (id, digest, name, user_id, project_id, role, job_id, "
        "created_at, expires_at, last_used_at, revoked_at) VALUES "
        "('tok1', :d1, 'laptop', 1, 1, 'editor', NULL, :c, :e, :u, NULL)",
        d1="ef" * 32,
        c=stamp(conn, CREATED),
        e=stamp(conn, datetime(2027, 1, 1, tzinfo=UTC)),
        u=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO audit_log (time, actor, action, target, address) "
        "VALUES (:t, 'ada', 'login', 'ada', '203.0.113.7')",
        t=stamp(conn, STARTED),
    )


def fill_0005(conn: Connection) -> None:
    """The secret single sign-on signs its logins with."""
    fill_0004(conn)
    sql(
        conn,
        "INSERT INTO server_secrets (name, value, created_at) VALUES ('oidc', :v, :t)",
        v="12" * 32,
        t=stamp(conn, CREATED),
    )


def fill_0006(conn: Connection) -> None:
    """A job's container image, its retries and an earlier attempt."""
    fill_0005(conn)
    sql(
        conn,
        "UPDATE jobs SET image = 'python:3.11-slim', retries = 2, attempts_json = :a "
        "WHERE id = :child",
        a='[{"attempt": 1, "status": "lost"}]',
        child=CHILD,
    )


def fill_0007(conn: Connection) -> None:
    """A media image with a caption, saved at two steps; the version 0007's Atlas kept of
    the artifact fill_0001 saved at a step."""
    fill_0006(conn)
    sql(
        conn,
        "INSERT INTO artifact_versions (job_id, path, step, kind, mime, size, sha256, "
        "created_at) SELECT job_id, path, step, kind, mime, size, sha256, created_at "
        "FROM artifacts",
    )
    values = {"job": CHILD, "path": "media/samples.png", "t": stamp(conn, FINISHED)}
    sql(
        conn,
        "INSERT INTO artifacts (job_id, path, kind, mime, size, sha256, step, created_at, "
        "caption) VALUES (:job, :path, 'image', 'image/png', 20, :sha, 2, :t, 'two')",
        sha="cd" * 32,
        **values,
    )
    for step, sha, caption in ((1, "ef" * 32, None), (2, "cd" * 32, "two")):
        sql(
            conn,
            "INSERT INTO artifact_versions (job_id, path, step, kind, mime, size, sha256, "
            "caption, created_at) VALUES (:job, :path, :step, 'image', 'image/png', 20, :sha, "
            ":caption, :t)",
            step=step,
            sha=sha,
            caption=caption,
            **values,
        )


def fill_0008(conn: Connection) -> None:
    """Single sign-on user bob bound to his provider account."""
    fill_0007(conn)
    sql(conn, "UPDATE users SET subject = :s WHERE name = 'bob'", s=SUBJECT)


SWEEP = "01kq5x9m2a7v3c8w"


def fill_0009(conn: Connection) -> None:
    """A sweep with one complete trial, whose job is CHILD."""
    fill_0008(conn)
    sql(
        conn,
        'INSERT INTO sweeps (id, project_id, name, "user", status, spec_json, snapshot, '
        "trials, parallel, created_at, finished_at, error_code, error_message) VALUES "
        "(:id, 1, 'lr-search', 'ada', 'failed', :spec, NULL, 5, 2, :t, :t2, "
        "'objective_missing', 'no trial logged metric loss')",
        id=SWEEP,
        spec='{"trials": 5}',
        t=stamp(conn, CREATED),
        t2=stamp(conn, FINISHED),
    )
    sql(
        conn,
        "INSERT INTO sweep_trials (sweep_id, number, job_id, state, params_json, values_json, "
        "pruned_step, error, created_at, finished_at) VALUES "
        "(:id, 0, :job, 'complete', :params, '[0.25]', NULL, NULL, :t, :t2)",
        params='{"lr":0.1}',
        id=SWEEP,
        job=CHILD,
        t=stamp(conn, STARTED),
        t2=stamp(conn, FINISHED),
    )
    sql(conn, "UPDATE jobs SET sweep_id = :id WHERE id = :job",
        id=SWEEP, job=CHILD)  # fmt: skip


VIEW = "01kq5xb3n8r2d4f6"


def fill_0010(conn: Connection) -> None:
    """Project vision's default saved view."""
    fill_0009(conn)
    sql(
        conn,
        "INSERT INTO views (id, project_id, name, state_json, is_default, created_by, "
        "updated_by, created_at, updated_at) VALUES (:id, 1, 'loss view', :state, :yes, "
        "'ada', 'bob', :t, :t2)",
        id=VIEW,
        state='{"q":"params.lr > 0.01","visibleCount":10}',
        yes=True,
        t=stamp(conn, CREATED),
        t2=stamp(conn, FINISHED),
    )


def fill_0011(conn: Connection) -> None:
    """Nothing new: 0011 adds the projects' data version, 0 for projects made before."""
    fill_0010(conn)


RULE = "01kq5xc2m8r4d6f0"
DELIVERY = "01kq5xc3n2q7t5w9"
HOOK = "https://hooks.example.com/services/T0/B0/secret"


def fill_0012(conn: Connection) -> None:
    """Project vision's webhook rule on failed jobs, and its delivery for JOB, tried twice."""
    fill_0011(conn)
    sql(
        conn,
        "INSERT INTO notification_rules (id, project_id, events, kind, url, enabled, "
        "created_by, created_at) VALUES (:id, 1, 'failed,lost', 'webhook', :url, :yes, 'ada', "
        ":t)",
        id=RULE,
        url=HOOK,
        yes=True,
        t=stamp(conn, CREATED),
    )
    sql(
        conn,
        "INSERT INTO notification_deliveries (id, project_id, rule_id, job_id, event, kind, "
        "payload_json, status, attempts, next_attempt_at, last_attempt_at, response_code, "
        "error, created_at) VALUES (:id, 1, :rule, :job, 'failed', 'webhook', :payload, "
        "'pending', 2, :next, :last, 500, 'HTTP 500: down', :t)",
        id=DELIVERY,
        rule=RULE,
        job=JOB,
        payload='{"event":"failed","project":"vision","job":{"id":"' + JOB + '"}}',
        next=stamp(conn, FINISHED),
        last=stamp(conn, STARTED),
        t=stamp(conn, CREATED),
    )


SCHEDULE = "01kq5xc7p4s9e2h8"


def fill_0013(conn: Connection) -> None:
    """Project vision's nightly schedule, fired once (its job is JOB)."""
    FILLERS["0012"](conn)
    sql(
        conn,
        "INSERT INTO schedules (id, project_id, name, cron, timezone, spec_json, created_by, "
        "paused, next_run_at, last_slot, last_job_id, created_at, updated_at, last_error, "
        "last_error_at) VALUES (:id, 1, 'nightly', '0 3 * * *', 'Europe/Paris', :spec, 'ada', "
        ":no, :next, :last, :job, :t, :t, 'snapshot gone', :last)",
        id=SCHEDULE,
        spec='{"command":"python train.py","kind":"scheduled","params":{"lr":0.1},'
        '"priority":2,"resources":{"cpus":1},"user":"ada"}',
        no=False,
        next=stamp(conn, FINISHED),
        last=stamp(conn, STARTED),
        job=JOB,
        t=stamp(conn, CREATED),
    )


FILLERS: dict[str, Filler] = {
    "0001": fill_0001,
    "0002": fill_0002,
    "0003": fill_0003,
    "0004": fill_0004,
    "0005": fill_0005,
    "0006": fill_0006,
    "0007": fill_0007,
    "0008": fill_0008,
    "0009": fill_0009,
    "0010": fill_0010,
    "0011": fill_0011,
    "0012": fill_0012,
    "0013": fill_0013,
}


# -- what must read back ------------------------------------------------------------------------


def check_0001(store: SqlStore) -> None:
    vision = store.get_project("vision")
    assert (vision.description, vision.created_at) == ("Image *models*", CREATED)
    assert vision.job_counts == {JobStatus.FAILED: 1, JobStatus.QUEUED: 1}
    assert store.get_project("empty").job_count == 0
    (note,) = store.list_notes("vision")
    assert (note.author, note.text, note.created_at) == ("ada", "lr!", STARTED)
    job = store.get_job(JOB)
    assert (job.project, job.name, job.user, job.kind, job.status) == (
        "vision",
        "resnet",
        "ada",
        JobKind.LOCAL,
        JobStatus.FAILED,
    )
    assert (job.created_at, job.started_at, job.finished_at) == (CREATED, STARTED, FINISHED)
    assert job.exit_code == 1
    assert job.error is not None
    assert (job.error.type, job.error.message, job.error.traceback) == (
        "ValueError",
        "bad lr",
        "Traceback ...",
    )
    assert job.params == {"lr": 0.001, "model": "resnet50"}
    assert job.tags == {"stage": "prod"}
    assert job.git == {"commit": "abc123", "dirty": False}
    assert job.environment == {"python": "3.11.4"}
    assert job.resources == {"cpus": 2}
    loss = job.metrics["loss"]
    assert (loss.last, loss.last_step, loss.min, loss.max) == (0.25, 20, -math.inf, 0.9)
    series = store.read_series(JOB, "loss")
    assert (series.steps, series.times, series.values) == (
        STEPS.tolist(),
        TIMES.tolist(),
        VALUES.tolist(),
    )
    (artifact,) = store.list_artifacts(JOB)
    assert (artifact.path, artifact.kind, artifact.size, artifact.step) == (
        "plots/loss.png",
        ArtifactKind.IMAGE,
        2048,
        20,
    )
    assert (artifact.sha256, artifact.created_at) == ("ab" * 32, FINISHED)
    # An artifact saved at a step before 0007 is that path's one version.
    assert store.list_artifact_versions(JOB, "plots/loss.png") == [artifact]
    child = store.get_job(CHILD)
    assert (child.kind, child.status, child.priority, child.parent_id) == (
        JobKind.SCHEDULED,
        JobStatus.QUEUED,
        5,
        JOB,
    )
    assert child.resources == {"gpus": 1}


def check_0002(store: SqlStore) -> None:
    check_0001(store)
    child = store.get_job(CHILD)
    assert (child.snapshot, child.timeout, child.env_mode, child.rerun_of, child.queued_at) == (
        "cd" * 32,
        3600.5,
        "none",
        JOB,
        STARTED,
    )
    assert store.get_job(JOB).env_mode == "auto"  # the default 0002 gave older rows


def check_0003(store: SqlStore) -> None:
    check_0002(store)
    # A failed job is never marked lost, whenever it was last heard from.
    silent = JobError("Lost", "no sign of life")
    assert store.mark_silent_lost(before=datetime.now(UTC), error=silent) == []
    assert store.get_job(JOB).status == JobStatus.FAILED


def check_0004(store: SqlStore) -> None:
    check_0003(store)
    ada = store.get_user("ada")
    assert (ada.admin, ada.disabled, ada.source, ada.display_name, ada.email) == (
        True,
        False,
        "local",
        "Ada L.",
        "ada@example.com",
    )
    assert (ada.created_at, ada.last_login_at) == (CREATED, FINISHED)
    found = store.password_hash("ada")
    assert found is not None
    assert found[1] == "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
    bob = store.get_user("bob")
    assert (bob.admin, bob.disabled, bob.source) == (False, True, "oidc")
    assert store.project_role("vision", "ada") == Role.OWNER
    assert store.project_role("vision", "bob") == Role.VIEWER
    (token,) = store.list_tokens("ada")
    assert (token.id, token.name, token.project, token.role) == (
        "tok1",
        "laptop",
        "vision",
        Role.EDITOR,
    )
    assert token.expires_at == datetime(2027, 1, 1, tzinfo=UTC)
    (entry,) = store.list_audit()
    assert (entry.time, entry.actor, entry.action, entry.target, entry.address) == (
        STARTED,
        "ada",
        "login",
        "ada",
        "203.0.113.7",
    )


def check_0005(store: SqlStore) -> None:
    check_0004(store)
    assert store.server_secret("oidc") == bytes.fromhex("12" * 32)


def check_0006(store: SqlStore) -> None:
    check_0005(store)
    child = store.get_job(CHILD)
    assert (child.image, child.retries, child.attempts) == (
        "python:3.11-slim",
        2,
        [{"attempt": 1, "status": "lost"}],
    )
    older = store.get_job(JOB)  # the defaults 0006 gave older rows
    assert (older.image, older.retries, older.attempts) == (None, 0, [])


def check_0007(store: SqlStore) -> None:
    check_0006(store)
    (media,) = store.list_media(CHILD)
    assert (media.key, media.path, media.kind, media.steps, media.caption) == (
        "samples",
        "media/samples.png",
        ArtifactKind.IMAGE,
        (1, 2),
        "two",
    )
    first, second = store.list_artifact_versions(CHILD, "media/samples.png")
    assert (first.step, first.sha256, first.caption) == (1, "ef" * 32, None)
    assert (second.step, second.caption, second.created_at) == (2, "two", FINISHED)


def check_0008(store: SqlStore) -> None:
    check_0007(store)
    assert store.subject_of("bob") == SUBJECT
    bob = store.user_by_subject(SUBJECT)
    assert bob is not None
    assert bob.name == "bob"
    assert store.subject_of("ada") is None


def check_0009(store: SqlStore) -> None:
    check_0008(store)
    sweep = store.get_sweep(SWEEP)
    assert (sweep.project, sweep.name, sweep.user, sweep.status) == (
        "vision", "lr-search", "ada", "failed",
    )  # fmt: skip
    assert (sweep.trials, sweep.parallel, sweep.spec) == (5, 2, {"trials": 5})
    assert (sweep.created_at, sweep.finished_at) == (CREATED, FINISHED)
    assert sweep.error is not None
    assert sweep.error.code == "objective_missing"
    (trial,) = store.list_trials(SWEEP)
    assert (trial.number, trial.job_id, trial.params, trial.values) == (
        0,
        CHILD,
        {"lr": 0.1},
        (0.25,),
    )
    assert (trial.created_at, trial.finished_at) == (STARTED, FINISHED)
    assert store.get_job(CHILD).sweep_id == SWEEP


def check_0010(store: SqlStore) -> None:
    check_0009(store)
    (view,) = store.list_views("vision")
    assert (view.id, view.name, view.is_default) == (VIEW, "loss view", True)
    assert view.state == {"q": "params.lr > 0.01", "visibleCount": 10}
    assert (view.created_by, view.updated_by) == ("ada", "bob")
    assert (view.created_at, view.updated_at) == (CREATED, FINISHED)


def check_0011(store: SqlStore) -> None:
    check_0010(store)
    with store.engine.connect() as conn:
        before = project_version(conn, "vision")
    store.set_params(JOB, {"epochs": 3})  # a write bumps the version from its default
    with store.engine.connect() as conn:
        after = project_version(conn, "vision")
    assert (before.data_version, after.data_version) == (0, 1)
    assert "epochs" in store.list_param_keys("vision")


def check_0012(store: SqlStore) -> None:
    check_0011(store)
    (rule,) = store.list_notification_rules("vision")
    assert (rule.id, rule.events, rule.kind, rule.url, rule.enabled, rule.created_at) == (
        RULE,
        (JobStatus.FAILED, JobStatus.LOST),
        NotifyTarget.WEBHOOK,
        HOOK,
        True,
        CREATED,
    )
    (delivery,) = store.list_deliveries("vision").items
    assert (delivery.id, delivery.job_id, delivery.status, delivery.attempts) == (
        DELIVERY,
        JOB,
        DeliveryStatus.PENDING,
        2,
    )
    assert (delivery.next_attempt_at, delivery.last_attempt_at) == (FINISHED, STARTED)
    assert (delivery.response_code, delivery.error) == (500, "HTTP 500: down")
    assert delivery.payload["job"] == {"id": JOB}


def check_0013(store: SqlStore) -> None:
    CHECKS["0012"](store)
    (schedule,) = store.list_schedules("vision")
    assert (schedule.id, schedule.name, schedule.cron, schedule.timezone) == (
        SCHEDULE,
        "nightly",
        "0 3 * * *",
        "Europe/Paris",
    )
    assert (schedule.spec.command, schedule.spec.params, schedule.spec.priority) == (
        "python train.py",
        {"lr": 0.1},
        2,
    )
    assert (schedule.next_run_at, schedule.last_slot, schedule.last_job_id) == (
        FINISHED,
        STARTED,
        JOB,
    )
    assert (schedule.last_error, schedule.last_error_at) == ("snapshot gone", STARTED)
    assert not schedule.paused


CHECKS: dict[str, Check] = {
    "0001": check_0001,
    "0002": check_0002,
    "0003": check_0003,
    "0004": check_0004,
    "0005": check_0005,
    "0006": check_0006,
    "0007": check_0007,
    "0008": check_0008,
    "0009": check_0009,
    "0010": check_0010,
    "0011": check_0011,
    "0012": check_0012,
    "0013": check_0013,
}


# -- the test -----------------------------------------------------------------------------------


def test_every_revision_has_its_rows_and_checks() -> None:
    missing = [r for r in revisions() if r not in FILLERS or r not in CHECKS]
    assert not missing, (
        f"migration revision(s) {missing} have no test data: add to FILLERS and CHECKS in "
        f"{Path(__file__).name} the rows that revision's Atlas writes (plain SQL) and what "
        "must read back after the upgrade"
    )
    assert revisions()[-1] == head_revision()


@pytest.fixture(scope="module")
def pg_server() -> str:
    """The PostgreSQL server's admin URL (skipped, or failed in CI, without one)."""
    import psycopg

    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}); start it: {PG_START}"
        if os.environ.get("ATLAS_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return PG_ADMIN_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables, on SQLite then on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atlas.db'}"
        return
    import psycopg

    admin_url = str(request.getfixturevalue("pg_server"))
    name = f"atlas_migration_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.parametrize("revision", revisions())
def test_upgrading_from_each_revision_keeps_every_row(empty_database: str, revision: str) -> None:
    if revision not in FILLERS or revision not in CHECKS:
        pytest.fail(f"revision {revision} has no test data: see test_every_revision_has_...")
    store = SqlStore(empty_database)
    try:
        upgrade(store.engine, revision)
        assert current_revision(store.engine) == revision
        with store.engine.begin() as conn:
            FILLERS[revision](conn)
        store.upgrade()
        assert current_revision(store.engine) == head_revision()
        CHECKS[revision](store)
    finally:
        store.close()
