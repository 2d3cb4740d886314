"""``Client``'s accounts methods against the real app with authentication on: a session
from ``login`` (its writes carry the CSRF token), users, tokens, members and the audit trail,
answered as ``atlas.domain`` dataclasses."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import Role
from atlas.errors import ConflictError, PermissionDeniedError, UnauthenticatedError
from atlas.sdk.client import Client
from atlas.server import create_app
from atlas.server.auth.passwords import hash_password

from .conftest import sdk_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "the root's long password"


@pytest.fixture
def root(home: Path) -> Iterator[Client]:
    """A client logged in, with a session, as the admin ``root``."""
    with TestClient(create_app(sdk_settings(home, auth="on")), base_url="http://localhost") as http:
        http.app.state.store.create_user("root", password_hash=hash_password(PASSWORD), admin=True)
        client = Client(http=http, token="")
        assert client.me().user is None
        user = client.login("root", PASSWORD)
        assert (user.name, user.admin) == ("root", True)
        yield client


def test_me_says_who_and_how(root: Client) -> None:
    identity = root.me()
    assert (identity.auth, identity.kind) == (True, "session")
    assert identity.user is not None
    assert identity.user.name == "root"


def test_users_are_made_listed_and_changed(root: Client) -> None:
    made = root.create_user("bob", password="bob's long password")
    assert (made.name, made.admin, made.disabled, made.source) == ("bob", False, False, "local")
    changed = root.update_user("bob", admin=True, disabled=True)
    assert (changed.admin, changed.disabled) == (True, True)
    assert [u.name for u in root.list_users()] == ["bob", "root"]
    with pytest.raises(ConflictError):
        root.create_user("bob")


def test_tokens_are_made_listed_and_revoked(root: Client, home: Path) -> None:
    root.create_project("vision")
    created = root.create_token("ci", expires_in=3600, project="vision", role=Role.EDITOR)
    assert created.secret.startswith("atlas_")
    token = created.token
    assert (token.name, token.user, token.project, token.role) == (
        "ci",
        "root",
        "vision",
        Role.EDITOR,
    )
    assert token.expires_at is not None
    assert [t.id for t in root.list_tokens()] == [token.id]
    assert [t.id for t in root.list_tokens(all=True)] == [token.id]
    root.revoke_token(token.id)
    assert root.list_tokens() == []


def test_members_are_shared_and_unshared(root: Client) -> None:
    root.create_project("vision")
    root.create_user("eve", password="eve's long password")
    member = root.set_member("vision", "eve", "viewer")
    assert (member.project, member.user, member.role) == ("vision", "eve", Role.VIEWER)
    assert [(m.user, m.role) for m in root.list_members("vision")] == [
        ("root", Role.OWNER),
        ("eve", Role.VIEWER),
    ]
    root.remove_member("vision", "eve")
    with pytest.raises(ConflictError):
        root.remove_member("vision", "root")


def test_the_audit_trail_reads_newest_first(root: Client) -> None:
    root.create_project("audited")
    entries = root.list_audit(limit=2)
    assert [e.action for e in entries] == ["POST /projects", "login"]
    assert [e.actor for e in root.list_audit(actor="nobody")] == []
    older = root.list_audit(before=entries[0].id)
    assert older[0].id == entries[1].id


def test_password_change_and_logout_end_the_session(root: Client) -> None:
    with pytest.raises(UnauthenticatedError):
        root.change_password("not the password", "a new long password")
    root.change_password(PASSWORD, "a new long password")
    with pytest.raises(UnauthenticatedError):
        root.list_users()  # every session of the user ended, this one too
    root.login("root", "a new long password")
    root.logout()
    assert root.me().user is None
    with pytest.raises((UnauthenticatedError, PermissionDeniedError)):
        root.list_users()
