"""`atlas users`: accounts made and changed on the server's host, directly on its database,
so the first admin exists before any server serves."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from click.testing import CliRunner

from atlas.cli.main import cli
from tests.cli.conftest import running_server
from tests.cli.team import add_user

PASSWORD = "a good long password"


def users(home: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["users", *args, "--home", str(home)], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_the_first_admin_is_added_before_a_server_and_can_log_in(tmp_path: Path) -> None:
    home = tmp_path / "server"
    added = add_user(home, "ana", PASSWORD, admin=True)
    assert (added.exit_code, added.stdout) == (0, "Added admin user 'ana'.\n")
    with running_server(home, env={"ATLAS_AUTH": "on"}) as server:
        answer = httpx.post(
            f"{server.url}/api/v1/auth/login", json={"name": "ana", "password": PASSWORD}
        )
    assert answer.status_code == 200
    assert answer.json()["user"]["admin"] is True


def test_ls_shows_name_admin_source_disabled_and_last_login(tmp_path: Path) -> None:
    assert add_user(tmp_path, "ana", PASSWORD, admin=True).exit_code == 0
    assert add_user(tmp_path, "bob", PASSWORD).exit_code == 0
    code, out, _ = users(tmp_path, "ls")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ADMIN", "SOURCE", "DISABLED", "LAST", "LOGIN"]
    assert lines[1].split() == ["ana", "yes", "local", "no", "never"]
    assert lines[2].split() == ["bob", "no", "local", "no", "never"]
    code, out, _ = users(tmp_path, "ls", "--json")
    listed = json.loads(out)["items"]
    assert [(u["name"], u["admin"], u["source"]) for u in listed] == [
        ("ana", True, "local"),
        ("bob", False, "local"),
    ]
    assert "password" not in out


def test_no_users_yet_says_how_to_add_one(tmp_path: Path) -> None:
    code, out, err = users(tmp_path, "ls")
    assert (code, out) == (0, "")
    assert "atlas users add NAME --admin" in err


def test_the_password_is_prompted_twice_and_must_match(tmp_path: Path) -> None:
    code, out, err = users(tmp_path, "add", "ana", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert (code, out) == (0, "Added user 'ana'.\n")
    assert "Repeat for confirmation" in err
    assert PASSWORD not in out + err  # never echoed
    code, _, err = users(tmp_path, "add", "bob", input=f"{PASSWORD}\nanother one\n")
    assert code == 1
    assert "do not match" in err.lower() or "don't match" in err.lower()
    assert [u.split()[0] for u in users(tmp_path, "ls")[1].splitlines()[1:]] == ["ana"]


def test_a_short_password_is_refused_with_the_rule(tmp_path: Path) -> None:
    result = add_user(tmp_path, "ana", "short")
    assert result.exit_code == 1
    assert result.stderr == "error: a password has 8 to 1024 characters\n"
    assert users(tmp_path, "ls")[1] == ""


def test_a_bad_or_taken_name_is_a_one_line_error(tmp_path: Path) -> None:
    assert add_user(tmp_path, "ana", PASSWORD).exit_code == 0
    taken = add_user(tmp_path, "ana", PASSWORD)
    assert (taken.exit_code, taken.stderr) == (1, "error: user 'ana' already exists\n")
    bad = add_user(tmp_path, "no spaces please", PASSWORD)
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: ")
    assert "Traceback" not in bad.output


def test_disable_enable_and_set_password_change_what_a_login_sees(tmp_path: Path) -> None:
    home = tmp_path / "server"
    assert add_user(home, "root", PASSWORD, admin=True).exit_code == 0
    assert add_user(home, "bob", PASSWORD).exit_code == 0
    assert users(home, "disable", "bob") == (0, "Disabled user 'bob'.\n", "")
    assert users(home, "ls")[1].splitlines()[1].split()[:4] == ["bob", "no", "local", "yes"]
    new = "a brand new password"
    code, out, _ = users(home, "set-password", "bob", "--password-stdin", input=new + "\n")
    assert (code, out) == (0, "Set the password of user 'bob'.\n")
    with running_server(home, env={"ATLAS_AUTH": "on"}) as server:
        login = f"{server.url}/api/v1/auth/login"
        assert httpx.post(login, json={"name": "bob", "password": new}).status_code == 401
        assert users(home, "enable", "bob") == (0, "Enabled user 'bob'.\n", "")
        assert httpx.post(login, json={"name": "bob", "password": PASSWORD}).status_code == 401
        assert httpx.post(login, json={"name": "bob", "password": new}).status_code == 200


def test_changes_to_an_unknown_user_say_so(tmp_path: Path) -> None:
    assert users(tmp_path, "disable", "ghost")[0] == 1
    code, _, err = users(tmp_path, "set-password", "ghost", "--password-stdin", input="x" * 9)
    assert code == 1
    assert "ghost" in err
    assert "Traceback" not in err


def test_the_last_admin_cannot_be_disabled(tmp_path: Path) -> None:
    assert add_user(tmp_path, "root", PASSWORD, admin=True).exit_code == 0
    code, _, err = users(tmp_path, "disable", "root")
    assert code == 1
    assert err.startswith("error: ")


def test_changes_are_in_the_audit_trail(tmp_path: Path) -> None:
    from atlas.cli.server import open_database

    assert add_user(tmp_path, "ana", PASSWORD, admin=True).exit_code == 0
    assert users(tmp_path, "set-password", "ana", "--password-stdin", input=PASSWORD)[0] == 0
    store = open_database(f"sqlite:///{tmp_path / 'atlas.db'}")
    try:
        entries = store.list_audit()
    finally:
        store.close()
    assert [(e.action, e.target) for e in entries] == [
        ("atlas users set-password", "ana"),
        ("atlas users add", "ana"),
    ]
    assert all(e.actor.startswith("cli:") for e in entries)
