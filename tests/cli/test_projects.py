"""`atlas projects ...` against a real server."""

from __future__ import annotations

import json

from tests.cli.conftest import Invoke
from tests.cli.rest import job_exists, make_job


def test_create_then_list_shows_counts_by_outcome(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    result = atlas("projects", "create", project_name)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Created project {project_name!r}.\n"
    make_job(atlas_server, project_name, status="completed")
    make_job(atlas_server, project_name, status="completed")
    make_job(atlas_server, project_name, status="failed")
    make_job(atlas_server, project_name, status="running")

    result = atlas("projects", "ls")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "JOBS", "RUNNING", "COMPLETED", "FAILED", "LAST", "ACTIVITY"]
    row = next(r for r in rows if r.startswith(project_name + " "))
    assert row.split()[1:5] == ["4", "1", "2", "1"]


def test_list_as_json_follows_the_rest_api(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    make_job(atlas_server, project_name, status="completed")
    result = atlas("projects", "ls", "--json")
    assert result.exit_code == 0, result.output
    items = {p["name"]: p for p in json.loads(result.stdout)["items"]}
    project = items[project_name]
    assert project["job_count"] == 1
    assert project["job_counts"] == {"completed": 1}
    assert project["created_at"].endswith("Z")


def test_create_twice_is_a_clear_error(atlas: Invoke, project_name: str) -> None:
    assert atlas("projects", "create", project_name).exit_code == 0
    result = atlas("projects", "create", project_name)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert project_name in result.stderr
    assert "Traceback" not in result.output


def test_an_invalid_name_is_refused(atlas: Invoke) -> None:
    result = atlas("projects", "create", ".hidden")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "name" in result.stderr


def test_rename_keeps_the_jobs(atlas: Invoke, atlas_server: str, project_name: str) -> None:
    job_id = make_job(atlas_server, project_name)
    result = atlas("projects", "rename", project_name, project_name + "-v2")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Renamed project {project_name!r} to '{project_name}-v2'.\n"
    shown = atlas("jobs", "show", job_id, "--json")
    assert json.loads(shown.stdout)["project"] == project_name + "-v2"


def test_rename_of_an_unknown_project_fails(atlas: Invoke, project_name: str) -> None:
    result = atlas("projects", "rename", project_name, "whatever")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert project_name in result.stderr


def test_delete_asks_saying_how_many_jobs_and_files_go(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    first = make_job(atlas_server, project_name, artifacts={"a.txt": b"a", "b/c.txt": b"c"})
    make_job(atlas_server, project_name, artifacts={"model.bin": b"\x00" * 10})
    make_job(atlas_server, project_name, status="running")

    declined = atlas("projects", "delete", project_name, input="n\n")
    assert declined.exit_code == 1
    assert (
        f"Delete project {project_name!r}: 3 jobs, 1 of them still active, 3 artifact files "
        "and their logs? This cannot be undone."
    ) in declined.stderr
    assert job_exists(atlas_server, first)

    accepted = atlas("projects", "delete", project_name, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout == f"Deleted project {project_name!r} (3 jobs).\n"
    assert not job_exists(atlas_server, first)
    assert project_name not in atlas("projects", "ls").stdout


def test_delete_with_yes_does_not_ask(atlas: Invoke, atlas_server: str, project_name: str) -> None:
    make_job(atlas_server, project_name)
    result = atlas("projects", "delete", project_name, "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == f"Deleted project {project_name!r} (1 job).\n"


def test_delete_of_an_unknown_project_fails(atlas: Invoke, project_name: str) -> None:
    result = atlas("projects", "delete", project_name, "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert project_name in result.stderr
