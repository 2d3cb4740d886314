"""`atlas login`, `atlas logout` and `atlas whoami` against a real team server: the token
lands in the credentials file (mode 0600), later commands use it without --url or --token,
and logging out revokes it."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from atlas.credentials import Credentials, credentials_path, read_credentials, write_credentials
from tests.cli.team import ADMIN, ADMIN_PASSWORD, api_token, team_server, user_of

BOB_PASSWORD = "bob's long password"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a server with authentication on, users admin and bob."""
    with team_server(tmp_path_factory, {"bob": BOB_PASSWORD}) as url:
        yield url


def atlas(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def stored_file(home: Path) -> Path:
    return credentials_path(home)


def test_login_with_a_password_stores_a_token_and_makes_the_server_current(
    team: str, isolated_env: Path
) -> None:
    result = atlas("login", team, "--user", ADMIN, "--password-stdin", input=ADMIN_PASSWORD)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Logged in to {team} as admin (admin); it is now the current server.\n"
    path = stored_file(isolated_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = read_credentials(path)
    assert stored.current == team
    token = stored.token_for(team)
    assert token is not None
    assert token.startswith("atlas_")
    assert token not in result.output
    assert user_of(team, token) == ADMIN
    # No --url, no --token: the current server and its token.
    created = atlas("projects", "create", "from-login")
    assert created.exit_code == 0, created.output
    listed = atlas("tokens", "ls")
    assert "cli on " in listed.stdout
    assert token not in listed.stdout


def test_whoami_says_who_how_and_where(team: str) -> None:
    assert (
        atlas("login", team, "--user", "bob", "--password-stdin", input=BOB_PASSWORD).exit_code == 0
    )
    result = atlas("whoami")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"user:    bob\nserver:  {team}\nthrough: an API token (stored by `atlas login`)\n"
    )


def test_login_with_a_pasted_token_checks_it_first(team: str, isolated_env: Path) -> None:
    token = api_token(team, "bob", BOB_PASSWORD)
    pasted = atlas("login", team, input=token + "\n")
    assert pasted.exit_code == 0, pasted.output
    assert "API token" in pasted.stderr  # the prompt, on stderr, without echo
    assert token not in pasted.output
    assert read_credentials(stored_file(isolated_env)).token_for(team) == token
    wrong = atlas("login", team, "--token", "atlas_not-a-real-token")
    assert wrong.exit_code == 1
    assert wrong.stderr == "error: invalid or expired token\n"
    assert read_credentials(stored_file(isolated_env)).token_for(team) == token


def test_a_wrong_password_stores_nothing(team: str, isolated_env: Path) -> None:
    result = atlas("login", team, "--user", ADMIN, "--password-stdin", input="not the password")
    assert result.exit_code == 1
    assert result.stderr == "error: wrong user name or password\n"
    assert not stored_file(isolated_env).exists()


def test_logout_revokes_and_forgets_the_token(team: str, isolated_env: Path) -> None:
    assert (
        atlas("login", team, "--user", "bob", "--password-stdin", input=BOB_PASSWORD).exit_code == 0
    )
    token = read_credentials(stored_file(isolated_env)).token_for(team)
    assert token is not None
    result = atlas("logout")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Logged out of {team}: revoked and forgot its token.\n"
    assert user_of(team, token) is None
    stored = read_credentials(stored_file(isolated_env))
    assert (stored.current, stored.token_for(team)) == (None, None)
    again = atlas("logout", team)
    assert again.exit_code == 0
    assert "Not logged in" in again.stderr


def test_logging_in_again_revokes_the_token_it_replaces(team: str, isolated_env: Path) -> None:
    login = ("login", team, "--user", "bob", "--password-stdin")
    assert atlas(*login, input=BOB_PASSWORD).exit_code == 0
    first = read_credentials(stored_file(isolated_env)).token_for(team)
    assert atlas(*login, input=BOB_PASSWORD).exit_code == 0
    second = read_credentials(stored_file(isolated_env)).token_for(team)
    assert first is not None
    assert second not in (None, first)
    assert user_of(team, first) is None
    assert user_of(team, second) == "bob"


def test_a_credentials_file_others_may_read_is_refused(team: str, isolated_env: Path) -> None:
    assert (
        atlas("login", team, "--user", "bob", "--password-stdin", input=BOB_PASSWORD).exit_code == 0
    )
    path = stored_file(isolated_env)
    os.chmod(path, 0o644)
    result = atlas("whoami")
    assert result.exit_code == 1
    assert f"Run: chmod 600 {path}" in result.stderr
    assert "Traceback" not in result.output


def test_flags_and_environment_override_the_stored_login(
    team: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        atlas("login", team, "--user", "bob", "--password-stdin", input=BOB_PASSWORD).exit_code == 0
    )
    admin_token = api_token(team, ADMIN, ADMIN_PASSWORD)
    assert atlas("--token", admin_token, "whoami").stdout.startswith("user:    admin (admin)\n")
    monkeypatch.setenv("ATLAS_TOKEN", admin_token)
    result = atlas("whoami")
    assert result.stdout.startswith("user:    admin (admin)\n")
    assert "from --token or settings" in result.stdout


def test_a_server_with_authentication_off_needs_no_login(
    atlas_server: str, isolated_env: Path
) -> None:
    result = atlas("login", atlas_server, "--token", "atlas_anything")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: authentication is off on {atlas_server}")
    assert not stored_file(isolated_env).exists()
    who = atlas("--url", atlas_server, "whoami")
    assert who.stdout == (
        f"Authentication is off on {atlas_server}: every request acts as its admin 'local'.\n"
    )
    tokens = atlas("--url", atlas_server, "tokens", "ls")
    assert tokens.exit_code == 1
    assert tokens.stderr == "error: authentication is off on this server: there are no accounts\n"


def test_whoami_without_a_login_says_how_to_log_in(team: str) -> None:
    result = atlas("--url", team, "whoami")
    assert result.exit_code == 1
    assert result.stderr == f"error: not signed in to {team}: run `atlas login {team}`\n"


def test_login_wants_a_server_url(isolated_env: Path) -> None:
    result = atlas("login", "atlas.example.com", "--token", "atlas_x")
    assert result.exit_code == 1
    assert "https://" in result.stderr


def test_logout_from_a_server_that_is_gone_still_forgets_the_token(isolated_env: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{probe.getsockname()[1]}"
    path = stored_file(isolated_env)
    write_credentials(path, Credentials().with_login(gone, "atlas_old", token_id="0123456789ab"))
    result = atlas("logout", gone)
    assert result.exit_code == 0, result.output
    assert "could not revoke the token 0123456789ab" in result.stderr
    assert result.stdout == f"Logged out of {gone}: forgot its token.\n"
    assert read_credentials(path).token_for(gone) is None
