"""`atlas projects share / unshare / members` and `atlas audit ls` against a real team
server: a shared project opens to its new member with the role given, and the admin sees who
did it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from tests.cli.team import ADMIN, ADMIN_PASSWORD, api_token, team_server

DAN_PASSWORD = "dan's long password"
EVE_PASSWORD = "eve's long password"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with team_server(tmp_path_factory, {"dan": DAN_PASSWORD, "eve": EVE_PASSWORD}) as url:
        yield url


def atlas(url: str, token: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--url", url, "--token", token, *args])


def reads(url: str, token: str, project: str) -> int:
    """The status of reading ``project`` with ``token``."""
    answer = httpx.get(
        f"{url}/api/v1/projects/{project}", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code


def test_share_gives_a_role_members_lists_it_unshare_takes_it(team: str, project_name: str) -> None:
    dan = api_token(team, "dan", DAN_PASSWORD)
    eve = api_token(team, "eve", EVE_PASSWORD)
    assert atlas(team, dan, "projects", "create", project_name).exit_code == 0
    assert reads(team, eve, project_name) == 403
    shared = atlas(team, dan, "projects", "share", project_name, "eve", "viewer")
    assert (shared.exit_code, shared.stdout) == (
        0,
        f"'eve' is now viewer of project '{project_name}'.\n",
    )
    assert reads(team, eve, project_name) == 200
    members = atlas(team, eve, "projects", "members", project_name)
    rows = [line.split()[:2] for line in members.stdout.splitlines()]
    assert rows == [["USER", "ROLE"], ["dan", "owner"], ["eve", "viewer"]]
    as_json = json.loads(atlas(team, eve, "projects", "members", project_name, "--json").stdout)
    assert [(m["user"], m["role"]) for m in as_json["items"]] == [
        ("dan", "owner"),
        ("eve", "viewer"),
    ]
    refused = atlas(team, eve, "projects", "share", project_name, "eve", "owner")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ")
    gone = atlas(team, dan, "projects", "unshare", project_name, "eve")
    assert (gone.exit_code, gone.stdout) == (
        0,
        f"'eve' no longer has a role in project '{project_name}'.\n",
    )
    assert reads(team, eve, project_name) == 403


def test_the_last_owner_stays(team: str, project_name: str) -> None:
    dan = api_token(team, "dan", DAN_PASSWORD)
    assert atlas(team, dan, "projects", "create", project_name).exit_code == 0
    result = atlas(team, dan, "projects", "unshare", project_name, "dan")
    assert result.exit_code == 1
    assert "last owner" in result.stderr
    demoted = atlas(team, dan, "projects", "share", project_name, "dan", "editor")
    assert demoted.exit_code == 1
    assert "Traceback" not in demoted.output


def test_an_unknown_role_is_a_usage_error(team: str, project_name: str) -> None:
    dan = api_token(team, "dan", DAN_PASSWORD)
    result = atlas(team, dan, "projects", "share", project_name, "eve", "boss")
    assert result.exit_code == 2
    assert "'boss' is not one of 'viewer', 'editor', 'owner'" in result.stderr


def test_audit_ls_shows_who_did_what_for_admins_only(team: str, project_name: str) -> None:
    dan = api_token(team, "dan", DAN_PASSWORD)
    assert atlas(team, dan, "projects", "create", project_name).exit_code == 0
    assert atlas(team, dan, "projects", "share", project_name, "eve", "editor").exit_code == 0
    refused = atlas(team, dan, "audit", "ls")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ")
    admin = api_token(team, ADMIN, ADMIN_PASSWORD)
    table = atlas(team, admin, "audit", "ls", "--actor", "dan", "--limit", "2")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["TIME", "ACTOR", "ACTION", "TARGET", "ADDRESS"]
    assert len(lines) == 3
    assert "PUT /projects/{name}/members/{user}" in lines[1]
    assert f"/api/v1/projects/{project_name}/members/eve" in lines[1]
    assert all(line.split()[2] == "dan" for line in lines[1:])
    entries = json.loads(atlas(team, admin, "audit", "ls", "--json").stdout)["items"]
    assert {"login", "atlas users add"} <= {e["action"] for e in entries}
