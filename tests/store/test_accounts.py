"""The store's users, browser sessions and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus, Role
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.store.sql_store import SqlStore
from atlas.tokens import NewSecret, new_secret

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
NOW = datetime.now(UTC)
LATER = NOW + timedelta(days=1)


def token(store: SqlStore, user: str | None = "ana", **scope: object) -> NewSecret:
    """A new token stored for ``user`` (``scope``: expires_at, project, role, job_id)."""
    secret = new_secret()
    store.create_token(
        token_id=secret.id,
        digest=secret.digest,
        name="laptop",
        user=user,
        **scope,  # type: ignore[arg-type]
    )
    return secret


def session(store: SqlStore, user: str = "ana", expires_at: datetime = LATER) -> str:
    secret = new_secret()
    store.create_session(user, digest=secret.digest, csrf="csrf-1", expires_at=expires_at)
    return secret.digest


# -- users ----------------------------------------------------------------------------------
def test_users_are_created_listed_and_read(store: SqlStore) -> None:
    ana = store.create_user("ana", password_hash=HASH, admin=True, email="ana@example.org")
    assert (ana.name, ana.admin, ana.disabled, ana.source) == ("ana", True, False, "local")
    assert ana.created_at.tzinfo is UTC
    assert ana.last_login_at is None
    store.create_user("bob@corp", password_hash=None, source="oidc", display_name="Bob")
    assert [u.name for u in store.list_users()] == ["ana", "bob@corp"]
    assert store.get_user("ana") == ana
    assert store.password_hash("ana") == (ana, HASH)
    assert store.password_hash("bob@corp") == (store.get_user("bob@corp"), None)
    assert store.password_hash("nobody") is None
    assert store.password_hash("a\x00b") is None
    store.record_login("ana")
    last = store.get_user("ana").last_login_at
    assert last is not None
    assert last.tzinfo is UTC


def test_user_names_are_unique_and_checked(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    with pytest.raises(ConflictError):
        store.create_user("ana", password_hash=None)
    for bad in ("", " ana", "a/b", "x" * 101, "a\x00b"):
        with pytest.raises(InvalidInputError):
            store.create_user(bad, password_hash=HASH)
    with pytest.raises(InvalidInputError):
        store.create_user("carl", password_hash=HASH, source="ldap")
    assert [u.name for u in store.list_users()] == ["ana"]


def test_unknown_users_are_not_found(store: SqlStore) -> None:
    for call in (
        lambda: store.get_user("nobody"),
        lambda: store.get_user("a\x00b"),
        lambda: store.update_user("nobody", admin=True),
        lambda: store.record_login("nobody"),
        lambda: store.create_session("nobody", digest="0" * 64, csrf="c", expires_at=LATER),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_the_last_enabled_admin_stays(store: SqlStore) -> None:
    assert store.count_admins() == 0
    store.create_user("ana", password_hash=HASH, admin=True)
    store.create_user("bob", password_hash=HASH)  # no admin needed to add users
    assert store.count_admins() == 1
    for change in ({"admin": False}, {"disabled": True}):
        with pytest.raises(ConflictError):
            store.update_user("ana", **change)  # type: ignore[arg-type]
    assert store.get_user("ana").admin
    assert not store.get_user("ana").disabled
    store.update_user("bob", admin=True)
    assert store.count_admins() == 2
    assert store.update_user("ana", disabled=True).disabled
    assert store.count_admins() == 1
    with pytest.raises(ConflictError):
        store.update_user("bob", admin=False)
    # A disabled admin is no enabled admin: demoting one takes none away.
    assert not store.update_user("ana", admin=False).admin
    assert store.update_user("ana", disabled=False, display_name="Ana").display_name == "Ana"


def test_a_refused_change_changes_nothing(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH, admin=True)
    digest = session(store)
    with pytest.raises(ConflictError):
        store.update_user("ana", disabled=True, password_hash="new", email="x@y")
    assert store.password_hash("ana") == (store.get_user("ana"), HASH)
    assert store.get_user("ana").email == ""
    assert store.get_session(digest, now=NOW) is not None


# -- sessions -------------------------------------------------------------------------------
def test_a_session_lives_until_it_expires_or_ends(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    digest = session(store)
    live = store.get_session(digest, now=NOW)
    assert live is not None
    assert (live.user.name, live.csrf) == ("ana", "csrf-1")
    assert live.expires_at == LATER.replace(microsecond=live.expires_at.microsecond)
    assert store.get_session(digest, now=LATER + timedelta(seconds=1)) is None
    store.extend_session(digest, expires_at=LATER + timedelta(days=1))
    assert store.get_session(digest, now=LATER + timedelta(seconds=1)) is not None
    store.delete_session(digest)
    assert store.get_session(digest, now=NOW) is None
    store.delete_session(digest)  # again: ignored
    assert store.get_session("not a digest\x00", now=NOW) is None


def test_an_expired_session_cannot_be_extended(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    digest = session(store, expires_at=NOW - timedelta(seconds=1))
    store.extend_session(digest, expires_at=LATER)
    assert store.get_session(digest, now=NOW) is None


@pytest.mark.parametrize("change", [{"disabled": True}, {"password_hash": "$argon2id$new"}])
def test_sessions_end_when_the_user_is_disabled_or_the_password_changes(
    store: SqlStore, change: dict[str, object]
) -> None:
    store.create_user("ana", password_hash=HASH)
    store.create_user("bob", password_hash=HASH)
    mine, other = session(store, "ana"), session(store, "bob")
    store.update_user("ana", **change)  # type: ignore[arg-type]
    store.update_user("ana", disabled=False)
    assert store.get_session(mine, now=NOW) is None
    assert store.get_session(other, now=NOW) is not None


def test_a_disabled_users_session_is_not_returned(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    digest = session(store)
    store.update_user("ana", disabled=True)
    digest = session(store)  # made while disabled (the server refuses the login before)
    assert store.get_session(digest, now=NOW) is None


# -- tokens ---------------------------------------------------------------------------------
def test_a_users_token_acts_for_the_user(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH, admin=True)
    store.create_user("bob", password_hash=HASH)
    mine, bobs = token(store, "ana"), token(store, "bob")
    found = store.get_token(mine.digest, now=NOW)
    assert found is not None
    assert (found.id, found.user, found.name, found.admin) == (mine.id, "ana", "laptop", True)
    assert (found.project, found.role, found.job_id, found.expires_at) == (None, None, None, None)
    bob = store.get_token(bobs.digest, now=NOW)
    assert bob is not None
    assert not bob.admin
    assert store.get_token(new_secret().digest, now=NOW) is None
    assert store.get_token("\x00", now=NOW) is None
    assert [t.id for t in store.list_tokens("ana")] == [mine.id]
    assert {t.id for t in store.list_tokens()} == {mine.id, bobs.id}
    store.touch_token(mine.id, now=NOW)
    assert store.list_tokens("ana")[0].last_used_at == NOW


def test_tokens_expire_and_are_revoked(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    store.create_user("bob", password_hash=HASH)
    short = token(store, expires_at=NOW + timedelta(hours=1))
    assert store.get_token(short.digest, now=NOW) is not None
    assert store.get_token(short.digest, now=NOW + timedelta(hours=2)) is None
    kept = token(store)
    with pytest.raises(NotFoundError):
        store.revoke_token(kept.id, user="bob")  # not bob's
    with pytest.raises(NotFoundError):
        store.revoke_token("nope")
    assert store.get_token(kept.digest, now=NOW) is not None
    store.revoke_token(kept.id, user="ana")
    store.revoke_token(kept.id)  # again: harmless
    assert store.get_token(kept.digest, now=NOW) is None
    assert [t.id for t in store.list_tokens("ana")] == [short.id]


def test_a_disabled_users_tokens_pause(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    mine = token(store)
    store.update_user("ana", disabled=True)
    assert store.get_token(mine.digest, now=NOW) is None
    store.update_user("ana", disabled=False)
    assert store.get_token(mine.digest, now=NOW) is not None


def test_a_scoped_token_names_its_project_and_role(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH, admin=True)
    store.create_project("vision")
    viewer = token(store, project="vision")
    editor = token(store, project="vision", role=Role.EDITOR)
    found = store.get_token(viewer.digest, now=NOW)
    assert found is not None
    assert (found.project, found.role, found.admin) == ("vision", Role.VIEWER, False)
    found = store.get_token(editor.digest, now=NOW)
    assert found is not None
    assert found.role == Role.EDITOR
    store.delete_project("vision")
    assert store.get_token(viewer.digest, now=NOW) is None
    assert store.list_tokens("ana") == []


def test_bad_tokens_are_refused_and_nothing_is_written(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH)
    store.create_project("vision")
    taken = token(store)
    secret = new_secret()
    bad: list[dict[str, object]] = [
        {"user": "nobody"},
        {"project": "nope"},
        {"job_id": "0" * 16, "user": None},
    ]
    for scope in bad:
        with pytest.raises(NotFoundError):
            store.create_token(
                token_id=secret.id,
                digest=secret.digest,
                name="x",
                **({"user": "ana"} | scope),  # type: ignore[arg-type]
            )
    invalid: list[dict[str, object]] = [
        {"name": ""},
        {"name": "a\nb"},
        {"digest": "short"},
        {"role": Role.EDITOR},  # a role without a project
        {"user": None},  # neither a user's nor a job's
        {"token_id": "a b"},
    ]
    for change in invalid:
        values = {"token_id": secret.id, "digest": secret.digest, "name": "x", "user": "ana"}
        with pytest.raises(InvalidInputError):
            store.create_token(**(values | change))  # type: ignore[arg-type]
    for clash in ({"token_id": taken.id}, {"digest": taken.digest}):
        values = {"token_id": secret.id, "digest": secret.digest, "name": "x", "user": "ana"}
        with pytest.raises(ConflictError):
            store.create_token(**(values | clash))  # type: ignore[arg-type]
    assert [t.id for t in store.list_tokens()] == [taken.id]


# -- job tokens -----------------------------------------------------------------------------
def scheduled(store: SqlStore, project: str = "vision") -> str:
    spec = JobSpec(project=project, kind=JobKind.SCHEDULED, command="python main.py")
    return store.submit_job(spec).id


def running(store: SqlStore, project: str = "vision") -> str:
    job_id = scheduled(store, project)
    store.start_job(job_id, resources={})
    store.set_status(job_id, JobStatus.RUNNING)
    return job_id


def test_a_job_token_reads_its_project_while_the_job_runs(store: SqlStore) -> None:
    store.create_user("ana", password_hash=HASH, admin=True)
    job_id = running(store)
    mine = token(store, "ana", job_id=job_id)
    found = store.get_token(mine.digest, now=NOW)
    assert found is not None
    assert (found.job_id, found.project, found.role, found.user) == (
        job_id,
        "vision",
        Role.VIEWER,
        "ana",
    )
    assert not found.admin  # a job token never acts as an admin
    anonymous = token(store, None, job_id=job_id)
    assert store.get_token(anonymous.digest, now=NOW) is not None
    assert store.list_tokens() == []  # job tokens are not listed
    with pytest.raises(InvalidInputError):
        token(store, None, job_id=job_id, project="vision")


@pytest.mark.parametrize(
    "final", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST]
)
def test_a_job_token_dies_at_every_final_status(store: SqlStore, final: JobStatus) -> None:
    job_id = running(store)
    mine = token(store, None, job_id=job_id)
    store.update_job(job_id, status=final)
    assert store.get_token(mine.digest, now=NOW) is None
    if final == JobStatus.LOST:
        store.update_job(job_id, status=JobStatus.COMPLETED)  # it reported back: still dead
        assert store.get_token(mine.digest, now=NOW) is None


def test_a_cancelled_queued_job_and_a_deleted_job_lose_their_tokens(store: SqlStore) -> None:
    queued = scheduled(store)
    queued_token = token(store, None, job_id=queued)
    assert store.cancel_queued("vision") == [queued]
    assert store.get_token(queued_token.digest, now=NOW) is None
    job_id = running(store)
    mine = token(store, None, job_id=job_id)
    store.delete_job(job_id)
    assert store.get_token(mine.digest, now=NOW) is None
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM api_tokens").scalar() == 1


def test_an_ended_jobs_token_is_refused_even_unrevoked(store: SqlStore) -> None:
    job_id = running(store)
    mine = token(store, None, job_id=job_id)
    with store.engine.begin() as conn:  # a job ended by a writer that revoked nothing
        conn.exec_driver_sql(
            "UPDATE jobs SET status = 'completed' WHERE id = :id".replace(":id", f"'{job_id}'")
        )
    assert store.get_token(mine.digest, now=NOW) is None


def test_revoke_job_tokens(store: SqlStore) -> None:
    job_id = running(store)
    mine = token(store, None, job_id=job_id)
    store.revoke_job_tokens(job_id)
    assert store.get_token(mine.digest, now=NOW) is None
