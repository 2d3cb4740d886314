"""The store's project members and audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from atlas.domain import Role
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.store.sql_store import SqlStore

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.fixture
def people(store: SqlStore) -> SqlStore:
    for name in ("ana", "bob", "cy"):
        store.create_user(name, password_hash=HASH)
    return store


# -- members --------------------------------------------------------------------------------
def test_a_projects_creator_owns_it(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    assert people.project_role("vision", "ana") == Role.OWNER
    assert people.project_role("vision", "bob") is None
    assert people.project_role("nope", "ana") is None
    assert people.project_role("vision", "nobody") is None
    assert people.roles_of("ana") == {"vision": Role.OWNER}
    assert people.roles_of("nobody") == {}
    [member] = people.list_members("vision")
    assert (member.project, member.user, member.role) == ("vision", "ana", Role.OWNER)


def test_an_unknown_owner_creates_nothing(people: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        people.create_project("vision", owner="nobody")
    with pytest.raises(NotFoundError):
        people.ensure_project("vision", owner="nobody")
    assert people.list_projects() == []


def test_ensure_project_makes_an_owner_only_of_a_project_it_creates(people: SqlStore) -> None:
    people.ensure_project("vision", owner="ana")
    people.ensure_project("vision", owner="bob")
    assert people.roles_of("ana") == {"vision": Role.OWNER}
    assert people.roles_of("bob") == {}
    people.ensure_project("plain")
    assert people.list_members("plain") == []


def test_members_are_set_changed_and_removed(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    added = people.set_member("vision", "cy", Role.VIEWER)
    assert (added.user, added.role) == ("cy", Role.VIEWER)
    people.set_member("vision", "bob", Role.EDITOR)
    changed = people.set_member("vision", "cy", Role.OWNER)
    assert changed.added_at == added.added_at  # a change keeps when they were added
    assert [(m.user, m.role) for m in people.list_members("vision")] == [
        ("ana", Role.OWNER),
        ("cy", Role.OWNER),
        ("bob", Role.EDITOR),
    ]
    assert people.set_member("vision", "bob", Role.EDITOR).role == Role.EDITOR  # unchanged
    people.remove_member("vision", "bob")
    assert people.project_role("vision", "bob") is None
    with pytest.raises(NotFoundError):
        people.remove_member("vision", "bob")
    for call in (
        lambda: people.set_member("vision", "nobody", Role.VIEWER),
        lambda: people.set_member("nope", "bob", Role.VIEWER),
        lambda: people.remove_member("vision", "nobody"),
        lambda: people.remove_member("nope", "bob"),
        lambda: people.list_members("nope"),
    ):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(InvalidInputError):
        people.set_member("vision", "bob", "admin")  # type: ignore[arg-type]


def test_the_last_owner_cannot_go(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    people.set_member("vision", "bob", Role.EDITOR)
    with pytest.raises(ConflictError):
        people.set_member("vision", "ana", Role.EDITOR)
    with pytest.raises(ConflictError):
        people.remove_member("vision", "ana")
    assert people.project_role("vision", "ana") == Role.OWNER
    people.set_member("vision", "bob", Role.OWNER)
    people.set_member("vision", "ana", Role.VIEWER)
    with pytest.raises(ConflictError):
        people.remove_member("vision", "bob")
    assert [(m.user, m.role) for m in people.list_members("vision")] == [
        ("bob", Role.OWNER),
        ("ana", Role.VIEWER),
    ]


def test_two_owners_leaving_at_once_leave_one(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    people.set_member("vision", "bob", Role.OWNER)
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def leave(user: str) -> None:
        start.wait()
        try:
            people.remove_member("vision", user)
        except ConflictError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=leave, args=(user,)) for user in ("ana", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    assert len(people.list_members("vision")) == 1


def test_members_go_with_their_project(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    people.set_member("vision", "bob", Role.VIEWER)
    people.delete_project("vision")
    people.create_project("vision", owner="cy")
    assert [m.user for m in people.list_members("vision")] == ["cy"]
    assert people.roles_of("bob") == {}


def test_roles_follow_a_renamed_project(people: SqlStore) -> None:
    people.create_project("vision", owner="ana")
    people.rename_project("vision", "sight")
    assert people.roles_of("ana") == {"sight": Role.OWNER}


# -- audit ----------------------------------------------------------------------------------
def test_the_audit_trail_lists_newest_first(store: SqlStore) -> None:
    for n in range(5):
        actor = "ana" if n % 2 == 0 else "job:0123456789abcdef"
        store.record_audit(
            actor=actor, action="POST /api/v1/projects", target=f"p{n}", address="10.0.0.7"
        )
    entries = store.list_audit()
    assert [e.target for e in entries] == ["p4", "p3", "p2", "p1", "p0"]
    assert entries[0].address == "10.0.0.7"
    assert entries[0].time.tzinfo is not None
    assert [e.target for e in store.list_audit(limit=2)] == ["p4", "p3"]
    assert [e.target for e in store.list_audit(before=entries[1].id)] == ["p2", "p1", "p0"]
    assert [e.target for e in store.list_audit(actor="ana")] == ["p4", "p2", "p0"]
    assert [e.target for e in store.list_audit(actor="ana", before=entries[0].id, limit=1)] == [
        "p2"
    ]
    assert store.list_audit(actor="nobody") == []
    assert store.list_audit(before=-(10**30)) == []
    assert len(store.list_audit(before=10**30)) == 5
    for limit in (0, -1, 1001, True):
        with pytest.raises(InvalidInputError):
            store.list_audit(limit=limit)


def test_long_audit_values_are_cut_to_fit(store: SqlStore) -> None:
    store.record_audit(actor="ana", action="A" * 500, target="t" * 5000, address="x" * 300)
    [entry] = store.list_audit()
    assert (len(entry.action), len(entry.target), len(entry.address)) == (200, 1000, 100)
