"""The built web GUI served at ``/`` with a fallback for client routes, never over the API."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.server import create_app
from atlas.settings import Settings
from tests.server.conftest import API, BASE_URL, assert_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'


@pytest.fixture
def gui(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-abc123.js").write_text("console.log('atlas')")
    (folder / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the GUI")
    return folder


@pytest.fixture
def gui_client(settings: Settings, gui: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings, gui=gui), base_url=BASE_URL) as client:
        yield client


def test_index_and_client_routes_answer_the_gui(gui_client: TestClient) -> None:
    for path in ("/", "/projects/mnist", "/jobs/01m89kc979fzfy96/metrics", "/compare?jobs=a,b"):
        response = gui_client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_assets_are_served_and_cached(gui_client: TestClient) -> None:
    response = gui_client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log('atlas')"
    assert "immutable" in response.headers["cache-control"]
    assert gui_client.get("/favicon.svg").text == "<svg/>"
    assert gui_client.head("/favicon.svg").status_code == 200


def test_paths_outside_the_folder_fall_back_to_the_index(gui_client: TestClient) -> None:
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        response = gui_client.get(path)
        assert "outside the GUI" not in response.text, path
        assert response.status_code in (200, 404), path


def test_the_api_keeps_its_own_errors(gui_client: TestClient) -> None:
    assert_error(gui_client.get(f"{API}/nothing-here"), 404, "not_found")
    assert_error(gui_client.get("/api/else"), 404, "not_found")
    assert_error(gui_client.get("/healthz/more"), 404, "not_found")
    assert_error(gui_client.get("/docs"), 404, "not_found")
    assert_error(gui_client.get("/nothing"), 404, "not_found")
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    assert_error(gui_client.get(f"{API}/nothing", headers=html), 404, "not_found")
    assert_error(gui_client.get("/docs/x", headers=html), 404, "not_found")
    assert_error(gui_client.get("/assets/missing.js"), 404, "not_found")
    assert_error(gui_client.post("/projects/x"), 404, "not_found")
    assert_error(gui_client.delete(f"{API}/info"), 405, "method_not_allowed")
    assert gui_client.get("/healthz").json()["status"] == "ok"
    assert gui_client.get(f"{API}/projects").json() == {"items": []}


def test_a_missing_build_says_how_to_make_it(settings: Settings, tmp_path: Path) -> None:
    with TestClient(create_app(settings, gui=tmp_path / "not-built"), base_url=BASE_URL) as client:
        response = client.get("/projects/x")
    assert response.status_code == 503
    assert "make setup" in response.text
    assert "not built" in response.text


def test_a_browser_gets_the_gui_for_any_other_address(gui_client: TestClient) -> None:
    response = gui_client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.text == INDEX
