"""`atlas jobs ...` against a real server."""

from __future__ import annotations

import json
import math

import pytest

from tests.cli.conftest import Invoke
from tests.cli.rest import job_exists, make_job


@pytest.fixture
def three_jobs(atlas_server: str, project_name: str) -> dict[str, str]:
    """Three finished jobs with params, metrics and tags; name -> id."""
    ids = {}
    for name, lr, losses in (
        ("slow", 0.001, [1.0, 0.8, 0.6]),
        ("fast", 0.1, [1.0, 0.3, 0.2]),
        ("wild", 1.0, [1.0, math.nan, math.inf]),
    ):
        ids[name] = make_job(
            atlas_server,
            project_name,
            name=name,
            params={"lr": lr, "layers": 3},
            tags={"stage": "prod" if name == "fast" else "dev"},
            metrics={"loss": losses},
        )
    return ids


def _ids(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()[1:]]


def test_ls_shows_a_table_newest_first(
    atlas: Invoke, project_name: str, three_jobs: dict[str, str]
) -> None:
    result = atlas("jobs", "ls", "--project", project_name)
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split()
    assert header[:5] == ["ID", "STATUS", "NAME", "CREATED", "DURATION"]
    assert "loss" in header
    assert "lr" in header
    assert _ids(result.stdout) == [three_jobs["wild"], three_jobs["fast"], three_jobs["slow"]]
    wild = next(line for line in result.stdout.splitlines() if " wild " in line)
    assert " completed " in wild
    assert " inf " in wild


def test_ls_filters_and_sorts_on_the_server(
    atlas: Invoke, project_name: str, three_jobs: dict[str, str]
) -> None:
    result = atlas(
        "jobs",
        "ls",
        "-p",
        project_name,
        "--filter",
        "params.lr < 0.5",
        "--sort",
        "metrics.loss.min",
    )
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == [three_jobs["fast"], three_jobs["slow"]]


def test_ls_pages_and_says_so(atlas: Invoke, project_name: str, three_jobs: dict[str, str]) -> None:
    result = atlas("jobs", "ls", "-p", project_name, "--sort", "name", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == [three_jobs["fast"], three_jobs["slow"]]
    assert result.stderr == "(jobs 1-2 of 3)\n"


def test_ls_as_json_follows_the_rest_api(
    atlas: Invoke, project_name: str, three_jobs: dict[str, str]
) -> None:
    result = atlas("jobs", "ls", "-p", project_name, "--filter", 'name = "wild"', "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert (page["total"], page["limit"], page["offset"]) == (1, 100, 0)
    (job,) = page["items"]
    assert job["id"] == three_jobs["wild"]
    assert job["params"] == {"lr": 1.0, "layers": 3}
    assert job["metrics"]["loss"]["last"] == "Infinity"
    assert job["metrics"]["loss"]["count"] == 3
    assert job["status"] == "completed"


def test_a_bad_filter_points_at_the_position(atlas: Invoke, project_name: str) -> None:
    make_job_result = atlas("projects", "create", project_name)
    assert make_job_result.exit_code == 0
    result = atlas("jobs", "ls", "-p", project_name, "--filter", "params.lr < ")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "position 12" in result.stderr
    assert "params.lr < \n            ^" in result.stderr
    assert "Traceback" not in result.output


def test_ls_without_a_project_asks_which(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    make_job(atlas_server, project_name)
    make_job(atlas_server, project_name + "-other")
    result = atlas("jobs", "ls")
    assert result.exit_code == 1
    assert "which project? pass --project" in result.stderr


def test_ls_of_an_empty_project_says_so(atlas: Invoke, project_name: str) -> None:
    atlas("projects", "create", project_name)
    result = atlas("jobs", "ls", "-p", project_name)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"No jobs in project {project_name!r}.\n"


def test_show_describes_the_job(atlas: Invoke, atlas_server: str, project_name: str) -> None:
    job_id = make_job(
        atlas_server,
        project_name,
        name="resnet",
        params={"lr": 0.01, "optimizer": "adam"},
        tags={"stage": "prod"},
        metrics={"loss": [0.9, 0.5, 0.25], "acc": [0.5, 0.75, 0.875]},
        artifacts={"model/weights.bin": b"\x01" * 2048},
    )
    result = atlas("jobs", "show", job_id)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"Job {job_id} in project {project_name!r}\n")
    assert "  status:    completed (exit code 0)\n" in text
    assert "  duration:  " in text
    assert "Params\n  KEY        VALUE\n  lr         0.01\n  optimizer  adam\n" in text
    assert "Tags\n  KEY    VALUE\n  stage  prod\n" in text
    assert (
        "Metrics\n"
        "  KEY    LAST  STEP   MIN    MAX  COUNT\n"
        "  acc   0.875     2   0.5  0.875      3\n"
        "  loss   0.25     2  0.25    0.9      3\n"
    ) in text
    assert text.endswith(
        "Artifacts\n"
        "  PATH               KIND     SIZE  STEP\n"
        "  model/weights.bin  file  2.0 KiB     -\n"
    )


def test_show_as_json_includes_the_artifacts(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    job_id = make_job(atlas_server, project_name, artifacts={"notes.txt": b"hello"})
    result = atlas("jobs", "show", job_id, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == job_id
    assert [(a["path"], a["size"]) for a in data["artifacts"]] == [("notes.txt", 5)]


def test_show_of_an_unknown_job_fails_clearly(atlas: Invoke) -> None:
    result = atlas("jobs", "show", "0000000000000000")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "0000000000000000" in result.stderr
    assert "not found" in result.stderr
    assert "Traceback" not in result.output


def test_delete_lists_the_jobs_and_asks(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    keep = make_job(atlas_server, project_name, name="keep")
    first = make_job(atlas_server, project_name, name="first")
    second = make_job(atlas_server, project_name, name="second")

    declined = atlas("jobs", "delete", first, second, input="n\n")
    assert declined.exit_code == 1
    assert "Delete these 2 jobs with their metrics, artifacts and logs?" in declined.stderr
    assert first in declined.stderr
    assert second in declined.stderr
    assert job_exists(atlas_server, first)

    accepted = atlas("jobs", "delete", first, second, first, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout == f"Deleted job {first}.\nDeleted job {second}.\n"
    assert not job_exists(atlas_server, first)
    assert not job_exists(atlas_server, second)
    assert job_exists(atlas_server, keep)


def test_delete_checks_every_id_before_deleting_any(
    atlas: Invoke, atlas_server: str, project_name: str
) -> None:
    job_id = make_job(atlas_server, project_name)
    result = atlas("jobs", "delete", job_id, "zzzzzzzzzzzzzzzz", "--yes")
    assert result.exit_code == 1
    assert "zzzzzzzzzzzzzzzz" in result.stderr
    assert job_exists(atlas_server, job_id)


def test_delete_needs_an_id(atlas: Invoke) -> None:
    result = atlas("jobs", "delete")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_ls_of_an_unknown_project_fails(atlas: Invoke, project_name: str) -> None:
    result = atlas("jobs", "ls", "-p", project_name)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert project_name in result.stderr


@pytest.mark.parametrize(
    ("sort", "message"),
    [("name,,id", "empty field in --sort 'name,,id'"), ("nonsense", "nonsense")],
)
def test_a_bad_sort_is_a_clear_error(
    atlas: Invoke, atlas_server: str, project_name: str, sort: str, message: str
) -> None:
    make_job(atlas_server, project_name)
    result = atlas("jobs", "ls", "-p", project_name, "--sort", sort)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
