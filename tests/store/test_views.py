"""Saved views in the store, on SQLite and PostgreSQL: names unique per project, at most one
default, state kept as given up to its limit, views go with their project."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from atlas.errors import (
    InvalidInputError,
    NotFoundError,
    ViewExistsError,
    ViewNotFoundError,
    ViewTooLargeError,
)
from atlas.names import MAX_VIEW_STATE_BYTES
from atlas.store.sql_store import SqlStore

RACERS = 8
STATE = {"q": "params.lr > 0.01", "sort": "-metrics.loss.min", "panels": [{"kind": "line"}]}


@pytest.fixture
def views(store: SqlStore) -> SqlStore:
    store.upgrade()
    store.ensure_project("vision")
    store.ensure_project("audio")
    return store


def test_a_view_is_saved_and_read_back_as_given(views: SqlStore) -> None:
    made = views.create_view("vision", name="losses", state=STATE, user="ada")
    got = views.get_view(made.id)
    assert got == made
    assert (got.project, got.name, got.state, got.is_default) == ("vision", "losses", STATE, False)
    assert (got.created_by, got.updated_by) == ("ada", "ada")
    assert got.created_at == got.updated_at


def test_names_are_unique_per_project(views: SqlStore) -> None:
    views.create_view("vision", name="losses", state={}, user="ada")
    with pytest.raises(ViewExistsError):
        views.create_view("vision", name="losses", state={}, user="bob")
    views.create_view("audio", name="losses", state={}, user="bob")  # another project
    other = views.create_view("vision", name="other", state={}, user="bob")
    with pytest.raises(ViewExistsError):
        views.update_view(other.id, user="bob", name="losses")
    assert [v.name for v in views.list_views("vision")] == ["losses", "other"]


def test_one_default_per_project(views: SqlStore) -> None:
    first = views.create_view("vision", name="b", state={}, is_default=True, user="ada")
    second = views.create_view("vision", name="c", state={}, is_default=True, user="ada")
    audio = views.create_view("audio", name="z", state={}, is_default=True, user="ada")
    listed = views.list_views("vision")
    assert [(v.name, v.is_default) for v in listed] == [("c", True), ("b", False)]
    views.update_view(first.id, user="bob", is_default=True)
    assert [(v.name, v.is_default) for v in views.list_views("vision")] == [
        ("b", True),
        ("c", False),
    ]
    assert views.get_view(audio.id).is_default  # another project's default stays
    views.update_view(first.id, user="bob", is_default=False)
    assert not any(v.is_default for v in views.list_views("vision"))
    assert views.get_view(second.id).updated_by == "ada"


def test_an_update_changes_only_what_it_names(views: SqlStore) -> None:
    made = views.create_view("vision", name="a", state=STATE, user="ada")
    renamed = views.update_view(made.id, user="bob", name="b")
    assert (renamed.name, renamed.state, renamed.updated_by) == ("b", STATE, "bob")
    assert renamed.created_by == "ada"
    assert renamed.updated_at >= made.updated_at
    restated = views.update_view(made.id, user="cy", state={"q": ""})
    assert (restated.name, restated.state) == ("b", {"q": ""})


def test_state_over_the_limit_is_refused(views: SqlStore) -> None:
    fits = {"x": "a" * (MAX_VIEW_STATE_BYTES - len('{"x":""}'))}
    made = views.create_view("vision", name="full", state=fits, user="ada")
    over = {"x": "a" * (MAX_VIEW_STATE_BYTES - len('{"x":""}') + 1)}
    with pytest.raises(ViewTooLargeError) as caught:
        views.create_view("vision", name="over", state=over, user="ada")
    assert caught.value.detail["limit"] == MAX_VIEW_STATE_BYTES
    with pytest.raises(ViewTooLargeError):
        views.update_view(made.id, user="ada", state=over)
    assert views.get_view(made.id).state == fits


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_names_are_refused(views: SqlStore, name: str) -> None:
    with pytest.raises(InvalidInputError):
        views.create_view("vision", name=name, state={}, user="ada")


def test_unknown_views_and_projects(views: SqlStore) -> None:
    for view_id in ("0123456789abcdef", "nope"):
        with pytest.raises(ViewNotFoundError):
            views.get_view(view_id)
        with pytest.raises(ViewNotFoundError):
            views.update_view(view_id, user="ada", name="x")
        with pytest.raises(ViewNotFoundError):
            views.delete_view(view_id)
    with pytest.raises(NotFoundError):
        views.create_view("missing", name="a", state={}, user="ada")
    with pytest.raises(NotFoundError):
        views.list_views("missing")


def test_views_are_deleted_alone_or_with_their_project(views: SqlStore) -> None:
    gone = views.create_view("vision", name="a", state={}, user="ada")
    kept = views.create_view("vision", name="b", state={}, user="ada")
    views.delete_view(gone.id)
    assert [v.id for v in views.list_views("vision")] == [kept.id]
    views.delete_project("vision")
    with pytest.raises(ViewNotFoundError):
        views.get_view(kept.id)


def test_concurrent_saves_of_one_name_keep_one(views: SqlStore) -> None:
    """Saves racing on one name: one is kept, the others are ``ViewExistsError`` (409), never
    a database error; racing defaults leave exactly one."""
    barrier = threading.Barrier(RACERS)

    def save(index: int) -> str:
        barrier.wait()
        try:
            views.create_view("vision", name="same", state={"i": index}, user="ada")
        except ViewExistsError:
            return "exists"
        views.create_view("vision", name=f"d{index}", state={}, is_default=True, user="ada")
        return "saved"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = sorted(pool.map(save, range(RACERS)))
    assert outcomes == ["exists"] * (RACERS - 1) + ["saved"]
    barrier.reset()

    def make_default(index: int) -> None:
        barrier.wait()
        views.create_view("audio", name=f"d{index}", state={}, is_default=True, user="ada")

    with ThreadPoolExecutor(RACERS) as pool:
        list(pool.map(make_default, range(RACERS)))
    assert [v.is_default for v in views.list_views("audio")].count(True) == 1
