"""``/healthz``, ``/api/v1/info`` and the OpenAPI documents."""

from __future__ import annotations

import shutil
from pathlib import Path

from atlas.server import create_app
from atlas.server.redaction import db_kind, public_location
from atlas.store.artifacts import open_artifact_store
from atlas.store.sql_store import SqlStore
from atlas.version import __version__
from tests.server.conftest import API, BASE_URL, TestClient, settings_for


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": __version__}


def test_info_names_the_database_kind_and_artifact_folder(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    info = client.get(f"{API}/info").json()
    assert info == {
        "version": __version__,
        "db": "sqlite",
        "artifacts": str(settings.home_path / "artifacts"),
        "max_upload_mb": 1,
        "max_metric_points": 1_000_000,
        "scheduler": "active",
    }


def test_info_never_shows_credentials(tmp_path: Path, migrated_db: Path) -> None:
    settings = settings_for(
        tmp_path,
        db_url="postgresql+psycopg://atlas:s3cret@db.example.com/atlas",
        artifacts="s3://KEY:SECRET@bucket/prefix",
    )
    # The settings name servers that do not exist: serve a real SQLite file and folder.
    shutil.copyfile(migrated_db, tmp_path / "atlas.db")
    store = SqlStore(f"sqlite:///{tmp_path / 'atlas.db'}")
    artifacts = open_artifact_store(str(tmp_path / "files"))
    try:
        with TestClient(
            create_app(settings, store=store, artifacts=artifacts), base_url=BASE_URL
        ) as client:
            answer = client.get(f"{API}/info")
    finally:
        store.close()
    assert answer.json()["db"] == "postgresql"
    assert answer.json()["artifacts"] == "s3://bucket/prefix"
    assert "SECRET" not in answer.text
    assert "s3cret" not in answer.text


def test_redaction_helpers() -> None:
    assert db_kind("sqlite:////tmp/a.db") == "sqlite"
    assert db_kind("postgres://u@h/db") == "postgresql"
    assert public_location("/data/artifacts") == "/data/artifacts"
    assert public_location("gs://bucket/x") == "gs://bucket/x"
    assert public_location("s3://user@bucket/x?region=eu") == "s3://bucket/x?region=eu"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["info"]["version"] == __version__
    assert "MetricBatch" in schema["components"]["schemas"]
    batch_body = schema["paths"][f"{API}/jobs/{{job_id}}/metrics"]["post"]["requestBody"]
    assert batch_body["content"]["application/json"]["schema"]["$ref"].endswith("/MetricBatch")
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
