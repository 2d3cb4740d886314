"""``/api/v1/projects``: projects, descriptions, notes, job listings and keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.server.conftest import API, TestClient, assert_error


def create(client: TestClient, name: str, **fields: object) -> dict[str, object]:
    response = client.post(f"{API}/projects", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_get_and_list_projects(client: TestClient) -> None:
    made = create(client, "vision", description="# Vision")
    assert made["name"] == "vision"
    assert made["description"] == "# Vision"
    assert made["job_count"] == 0
    assert made["job_counts"] == {}
    assert str(made["created_at"]).endswith("Z")
    create(client, "speech")
    assert client.get(f"{API}/projects/vision").json() == made
    names = [p["name"] for p in client.get(f"{API}/projects").json()["items"]]
    assert sorted(names) == ["speech", "vision"]


def test_a_taken_name_is_a_conflict(client: TestClient) -> None:
    create(client, "vision")
    response = client.post(f"{API}/projects", json={"name": "vision"})
    assert_error(response, 409, "conflict")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": " lead"},
        {"name": ".hidden"},
        {"name": "a/b"},
        {"name": "x" * 201},
        {"name": 7},
        {"name": None},
        {"name": "ok", "description": 3},
        {"name": "ok", "description": "x" * 1_000_001},
        {"name": "ok", "colour": "red"},
        [],
        "vision",
    ],
)
def test_bad_project_bodies_are_invalid_input(client: TestClient, body: object) -> None:
    error = assert_error(client.post(f"{API}/projects", json=body), 422, "invalid_input")
    assert error["detail"]["errors"]  # type: ignore[index]


def test_unicode_letters_digits_spaces_dots_and_dashes_make_a_name(client: TestClient) -> None:
    made = create(client, "Équipe 2.0_test-run")
    fetched = client.get(f"{API}/projects/Équipe 2.0_test-run")
    assert fetched.json()["name"] == made["name"]


def test_unknown_projects_are_not_found(client: TestClient) -> None:
    for name in ("nope", "..", "%00", "x" * 500):
        assert_error(client.get(f"{API}/projects/{name}"), 404, "not_found")
    assert_error(client.delete(f"{API}/projects/nope"), 404, "not_found")
    assert_error(client.get(f"{API}/projects/nope/notes"), 404, "not_found")
    assert_error(client.get(f"{API}/projects/nope/jobs"), 404, "not_found")


def test_rename_keeps_the_jobs(client: TestClient, new_job: Callable[..., str]) -> None:
    job = new_job("old")
    create(client, "taken")
    assert_error(client.patch(f"{API}/projects/old", json={"name": "taken"}), 409, "conflict")
    assert_error(client.patch(f"{API}/projects/old", json={"name": ""}), 422, "invalid_input")
    renamed = client.patch(f"{API}/projects/old", json={"name": "new"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "new"
    assert renamed.json()["job_count"] == 1
    assert client.get(f"{API}/jobs/{job}").json()["project"] == "new"
    assert_error(client.get(f"{API}/projects/old"), 404, "not_found")


def test_delete_removes_the_project_its_jobs_and_their_files(
    client: TestClient, new_job: Callable[..., str]
) -> None:
    job = new_job("doomed")
    assert client.put(f"{API}/jobs/{job}/artifacts/a.txt", content=b"hi").status_code == 201
    assert client.post(f"{API}/jobs/{job}/log", content=b"line\n").status_code == 200
    settings = client.app.state.settings  # type: ignore[attr-defined]
    folder = settings.home_path / "artifacts" / "jobs" / job
    assert folder.is_dir()
    response = client.delete(f"{API}/projects/doomed")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(f"{API}/projects/doomed"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job}"), 404, "not_found")
    assert not folder.exists()


def test_description_is_rendered_and_sanitised(client: TestClient) -> None:
    create(client, "vision")
    markdown = "# Goal\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    put = client.put(f"{API}/projects/vision/description", json={"markdown": markdown})
    assert put.status_code == 200
    assert put.json()["markdown"] == markdown
    html = put.json()["html"]
    assert "<h1>Goal</h1>" in html
    assert "<script>" not in html
    assert "href" not in html
    assert client.get(f"{API}/projects/vision/description").json() == put.json()
    assert client.get(f"{API}/projects/vision").json()["description"] == markdown
    bad = client.put(f"{API}/projects/vision/description", json={"text": "x"})
    assert_error(bad, 422, "invalid_input")
    missing = client.put(f"{API}/projects/nope/description", json={"markdown": "x"})
    assert_error(missing, 404, "not_found")


def test_notes_newest_first(client: TestClient) -> None:
    create(client, "vision")
    first = client.post(f"{API}/projects/vision/notes", json={"text": "one", "author": "ana"})
    assert first.status_code == 201
    assert first.json()["author"] == "ana"
    assert first.json()["text"] == "one"
    second = client.post(f"{API}/projects/vision/notes", json={"text": "two"})
    assert second.json()["author"] == ""
    notes = client.get(f"{API}/projects/vision/notes").json()["items"]
    assert [n["text"] for n in notes] == ["two", "one"]
    for body in ({"text": ""}, {"author": "x"}, {"text": "x", "author": "a" * 201}):
        response = client.post(f"{API}/projects/vision/notes", json=body)
        assert_error(response, 422, "invalid_input")


def test_job_listing_filters_sorts_and_pages(
    client: TestClient, new_job: Callable[..., str]
) -> None:
    ids = [
        new_job("vision", name=f"run-{i}", params={"lr": lr})
        for i, lr in enumerate([0.1, 0.01, 0.001])
    ]
    page = client.get(f"{API}/projects/vision/jobs", params={"sort": "params.lr"}).json()
    assert [job["id"] for job in page["items"]] == ids[::-1]
    assert page["total"] == 3
    assert page["limit"] == 100
    assert page["offset"] == 0
    small = client.get(
        f"{API}/projects/vision/jobs", params={"filter": "params.lr < 0.05", "limit": 1}
    ).json()
    assert small["total"] == 2
    assert len(small["items"]) == 1
    assert small["items"][0]["params"] == {"lr": 0.001}
    second = client.get(f"{API}/projects/vision/jobs", params={"sort": "name", "offset": 1})
    assert [job["name"] for job in second.json()["items"]] == ["run-1", "run-2"]


@pytest.mark.parametrize(
    ("params", "position"),
    [
        ({"filter": "params.lr < "}, 12),
        ({"filter": "params.lr <<< 3"}, None),
        ({"filter": "(status = 'running'"}, None),
        ({"sort": "params.lr,,name"}, 10),
        ({"sort": "nonsense"}, 0),
    ],
)
def test_bad_queries_are_400_with_a_position(
    client: TestClient, new_job: Callable[..., str], params: dict[str, str], position: int | None
) -> None:
    new_job("vision")
    error = assert_error(
        client.get(f"{API}/projects/vision/jobs", params=params), 400, "invalid_query"
    )
    detail = error["detail"]
    assert isinstance(detail, dict)
    assert isinstance(detail["position"], int)
    if position is not None:
        assert detail["position"] == position
    assert "^" in str(error["message"])


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"offset": -1}, {"offset": 2**40}]
)
def test_bad_paging_is_invalid_input(client: TestClient, params: dict[str, object]) -> None:
    create(client, "vision")
    response = client.get(f"{API}/projects/vision/jobs", params=params)
    error = assert_error(response, 422, "invalid_input")
    assert str(error["detail"]["errors"][0]["field"]).startswith("query.")  # type: ignore[index]


def test_keys_list_params_metrics_and_tags(client: TestClient, new_job: Callable[..., str]) -> None:
    job = new_job("vision", params={"lr": 0.1, "model/depth": 3}, tags={"stage": "dev"})
    batch = {"series": [{"key": "loss", "steps": [0], "times": [1.0], "values": [0.5]}]}
    client.post(f"{API}/jobs/{job}/metrics", json=batch)
    keys = client.get(f"{API}/projects/vision/keys").json()
    assert sorted(keys["params"]) == ["lr", "model/depth"]
    assert keys["metrics"] == ["loss"]
    assert keys["tags"] == ["stage"]
