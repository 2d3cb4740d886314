"""`atlas tokens`: create (the secret printed once), list (never a secret), revoke (it stops
working at once), against a real team server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from tests.cli.team import ADMIN, ADMIN_PASSWORD, api_token, team_server, user_of

CAROL_PASSWORD = "carol's long password"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with team_server(tmp_path_factory, {"carol": CAROL_PASSWORD}) as url:
        yield url


@pytest.fixture
def as_carol(team: str) -> tuple[str, str]:
    """The server's URL and a fresh token of carol."""
    return team, api_token(team, "carol", CAROL_PASSWORD)


def atlas(url: str, token: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--url", url, "--token", token, *args])


def test_create_prints_the_secret_once_and_ls_never(as_carol: tuple[str, str]) -> None:
    url, token = as_carol
    created = atlas(url, token, "tokens", "create", "--name", "ci runner", "--expires", "30d")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("atlas_")
    assert "\n" not in secret  # stdout holds only the secret
    assert "will not be shown again" in created.stderr
    assert user_of(url, secret) == "carol"
    listed = atlas(url, token, "tokens", "ls", "--json")
    item = next(t for t in json.loads(listed.stdout)["items"] if t["name"] == "ci runner")
    expires = datetime.fromisoformat(item["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    assert secret not in listed.stdout
    table = atlas(url, token, "tokens", "ls")
    assert table.stdout.splitlines()[0].split()[:4] == ["ID", "NAME", "USER", "PROJECT"]
    assert item["id"] in table.stdout
    assert secret not in table.stdout


def test_revoke_stops_a_token_at_once(as_carol: tuple[str, str]) -> None:
    url, token = as_carol
    secret = atlas(url, token, "tokens", "create", "--name", "short-lived").stdout.strip()
    items = json.loads(atlas(url, token, "tokens", "ls", "--json").stdout)["items"]
    token_id = next(t["id"] for t in items if t["name"] == "short-lived")
    revoked = atlas(url, token, "tokens", "revoke", token_id)
    assert (revoked.exit_code, revoked.stdout) == (0, f"Revoked token {token_id}.\n")
    assert user_of(url, secret) is None
    unknown = atlas(url, token, "tokens", "revoke", "0123456789ab")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: ")


def test_a_project_token_carries_its_project_and_role(as_carol: tuple[str, str]) -> None:
    url, token = as_carol
    assert atlas(url, token, "projects", "create", "carols").exit_code == 0
    made = atlas(
        url,
        token,
        "tokens",
        "create",
        "--name",
        "one project",
        "--project",
        "carols",
        "--role",
        "editor",
    )
    assert made.exit_code == 0, made.output
    assert "project 'carols' as at most editor" in made.stderr
    items = json.loads(atlas(url, token, "tokens", "ls", "--json").stdout)["items"]
    item = next(t for t in items if t["name"] == "one project")
    assert (item["project"], item["role"]) == ("carols", "editor")


def test_bad_options_are_refused_before_anything_is_made(as_carol: tuple[str, str]) -> None:
    url, token = as_carol
    role_only = atlas(url, token, "tokens", "create", "--name", "x", "--role", "owner")
    assert role_only.exit_code == 2
    assert "--project" in role_only.stderr
    bad_expiry = atlas(url, token, "tokens", "create", "--name", "x", "--expires", "soon")
    assert bad_expiry.exit_code == 1
    assert bad_expiry.stderr.startswith("error: --expires: 'soon' is not a duration")
    items = json.loads(atlas(url, token, "tokens", "ls", "--json").stdout)["items"]
    assert "x" not in [t["name"] for t in items]


def test_all_is_for_admins(as_carol: tuple[str, str]) -> None:
    url, token = as_carol
    refused = atlas(url, token, "tokens", "ls", "--all")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ")
    admin = api_token(url, ADMIN, ADMIN_PASSWORD)
    every = json.loads(atlas(url, admin, "tokens", "ls", "--all", "--json").stdout)["items"]
    assert {"carol", ADMIN} <= {t["user"] for t in every}


def test_without_a_token_the_server_says_to_log_in(team: str) -> None:
    result = CliRunner().invoke(cli, ["--url", team, "tokens", "ls"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: log in")
