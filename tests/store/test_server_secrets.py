"""``Store.server_secret``: one random key per name, made once and shared by every server on
the database (it signs single sign-on logins)."""

from __future__ import annotations

import pytest

from atlas.errors import InvalidInputError
from atlas.store.sql_store import SqlStore


def test_a_secret_is_made_once_and_read_back_by_every_server(
    store: SqlStore, store_url: str
) -> None:
    first = store.server_secret("oidc_login")
    assert len(first) == 32
    assert store.server_secret("oidc_login") == first
    other_server = SqlStore(store_url)  # another replica, or the same after a restart
    try:
        assert other_server.server_secret("oidc_login") == first
    finally:
        other_server.close()


def test_secrets_of_different_names_differ(store: SqlStore) -> None:
    assert store.server_secret("one") != store.server_secret("two")


@pytest.mark.parametrize("name", ["", "x" * 101, "clé"])
def test_a_secret_name_is_short_ascii(store: SqlStore, name: str) -> None:
    with pytest.raises(InvalidInputError):
        store.server_secret(name)
