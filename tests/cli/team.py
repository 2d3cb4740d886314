"""A team server for the CLI tests: a real `atlas server` subprocess with authentication on,
its first admin made by `atlas users add` on the same home, and API tokens made through a
real login."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from tests.cli.conftest import running_server

ADMIN = "admin"
ADMIN_PASSWORD = "correct horse battery"


def add_user(home: Path, name: str, password: str, *, admin: bool = False) -> Result:
    """`atlas users add NAME --password-stdin --home HOME [--admin]`."""
    args = ["users", "add", name, "--password-stdin", "--home", str(home)]
    return CliRunner().invoke(cli, [*args, *(["--admin"] if admin else [])], input=password + "\n")


@contextmanager
def team_server(
    tmp_path_factory: pytest.TempPathFactory, users: Mapping[str, str] | None = None
) -> Iterator[str]:
    """The URL of a server with authentication on, on a new home: its admin is ``ADMIN`` /
    ``ADMIN_PASSWORD``, and ``users`` maps each plain user to their password."""
    home = tmp_path_factory.mktemp("team-home")
    for name, password in (users or {}).items():
        added = add_user(home, name, password)
        assert added.exit_code == 0, added.output
    added = add_user(home, ADMIN, ADMIN_PASSWORD, admin=True)
    assert added.exit_code == 0, added.output
    with running_server(home, env={"ATLAS_AUTH": "on"}) as server:
        yield server.url


def api_token(url: str, name: str, password: str) -> str:
    """A new API token of ``name``, made the way the GUI would: log in, then POST /tokens
    with the session's CSRF token."""
    with httpx.Client(base_url=f"{url}/api/v1") as http:
        login = http.post("/auth/login", json={"name": name, "password": password})
        assert login.status_code == 200, login.text
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        created = http.post("/tokens", json={"name": "test"}, headers=headers)
        assert created.status_code == 201, created.text
        return str(created.json()["secret"])


def user_of(url: str, token: str) -> str | None:
    """Whom ``GET /api/v1/auth/me`` takes ``token`` for; ``None``: nobody (an unknown,
    revoked or expired token is anonymous there)."""
    answer = httpx.get(f"{url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    user = answer.json()["user"]
    return None if user is None else str(user["name"])
