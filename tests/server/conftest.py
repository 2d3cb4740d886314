"""Fixtures for the server tests: the real app on a real SQLite file in ``tmp_path``.

``client`` is a ``TestClient`` inside its ``with`` block, so the app's lifespan runs: the
store is created from the settings and migrated, as ``atlas server`` does.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atlas.server import create_app
from atlas.settings import Settings
from tests.conftest import pg_admin, pg_database

with warnings.catch_warnings():
    # Starlette warns that it prefers httpx2; the SDK and these tests use httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API = "/api/v1"
BASE_URL = "http://localhost"
"""Where test clients send requests: a loopback name the server's host guard accepts
(``TestClient``'s own ``http://testserver`` is a foreign host to it)."""
UPLOAD_LIMIT_MB = 1


def settings_for(home: Path, **values: object) -> Settings:
    """Settings with everything under ``home`` and a small upload limit."""
    options: dict[str, object] = {"home": str(home), "max_upload_mb": UPLOAD_LIMIT_MB}
    options.update(values)
    return Settings(**options)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, migrated_db: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    return settings_for(home)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE_URL) as test_client:
        yield test_client


def assert_error(response: object, status: int, code: str) -> dict[str, object]:
    """Assert ``response`` is the error ``status``/``code`` in the one error shape; return
    its ``error`` object."""
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "detail"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["detail"], dict)
    if code == "invalid_input":  # the documented promise: the problems are listed
        problems = error["detail"]["errors"]
        assert problems, error
        assert all(set(p) == {"field", "message"} for p in problems), error
    return dict(error)


def make_client(settings: Settings, **options: bool) -> TestClient:
    """A client of a fresh app for ``settings`` (use it in a ``with`` block)."""
    return TestClient(create_app(settings), base_url=BASE_URL, **options)


PG_URL = os.environ.get("ATLAS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty PostgreSQL database, dropped afterwards. Skips
    when no server answers, unless ``ATLAS_TEST_REQUIRE_POSTGRES`` is set (CI)."""
    with pg_database(pg_admin(), "atlas_server_test") as name:
        yield pg_database_url(name)


def pg_database_url(name: str) -> str:
    """The SQLAlchemy URL (psycopg 3) of the database ``name`` on the tests' server."""
    base = PG_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@pytest.fixture
def new_job(client: TestClient) -> Callable[..., str]:
    """Create a job through the API and return its id."""

    def create(project: str = "vision", **fields: object) -> str:
        response = client.post(f"{API}/jobs", json={"project": project, **fields})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    return create


@pytest.fixture
def job_id(new_job: Callable[..., str]) -> str:
    return new_job()
