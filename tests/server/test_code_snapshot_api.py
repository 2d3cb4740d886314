"""``/api/v1/jobs/{id}/snapshot/files``: the files of a job's code snapshot for the Code tab."""

from __future__ import annotations

import hashlib
import io
import tarfile
import warnings

from atlas.domain import JobKind, JobSpec
from tests.server.conftest import API, assert_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        folder = tarfile.TarInfo("src/empty")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
    return buffer.getvalue()


def _job_with_snapshot(client: TestClient, files: dict[str, bytes]) -> str:
    body = _tar(files)
    sha = hashlib.sha256(body).hexdigest()
    assert client.put(f"{API}/snapshots/{sha}", content=body).status_code == 201
    store = client.app.state.store  # type: ignore[attr-defined]
    submission = JobSpec(
        kind=JobKind.SCHEDULED, project="code", command="true", env_mode="none", snapshot=sha
    )
    return str(store.submit_job(submission).id)


def test_lists_the_files_and_serves_one(client: TestClient) -> None:
    files = {"main.py": b"print('hi')\n", "src/model.py": b"LAYERS = 3\n", "./data/x.csv": b"a,b\n"}
    job_id = _job_with_snapshot(client, files)
    listing = client.get(f"{API}/jobs/{job_id}/snapshot/files")
    assert listing.status_code == 200, listing.text
    assert listing.json() == {
        "items": [
            {"path": "data/x.csv", "size": 4},
            {"path": "main.py", "size": 12},
            {"path": "src/model.py", "size": 11},
        ]
    }
    one = client.get(f"{API}/jobs/{job_id}/snapshot/files/src/model.py")
    assert one.status_code == 200
    assert one.text == "LAYERS = 3\n"
    assert one.headers["content-type"].startswith("text/plain")
    assert one.headers["content-security-policy"] == "sandbox"
    csv = client.get(f"{API}/jobs/{job_id}/snapshot/files/data/x.csv")
    assert csv.text == "a,b\n"


def test_missing_files_and_snapshots_are_not_found(client: TestClient) -> None:
    job_id = _job_with_snapshot(client, {"main.py": b"x"})
    assert_error(client.get(f"{API}/jobs/{job_id}/snapshot/files/nope.py"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job_id}/snapshot/files/src/empty"), 404, "not_found")
    local = client.post(f"{API}/jobs", json={"project": "code"}).json()["id"]
    assert_error(client.get(f"{API}/jobs/{local}/snapshot/files"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/0000000000000000/snapshot/files"), 404, "not_found")


def test_unsafe_member_names_are_left_out(client: TestClient) -> None:
    job_id = _job_with_snapshot(client, {"../escape.py": b"x", "/abs.py": b"y", "ok.py": b"z"})
    listing = client.get(f"{API}/jobs/{job_id}/snapshot/files").json()
    assert [item["path"] for item in listing["items"]] == ["ok.py"]
    assert_error(client.get(f"{API}/jobs/{job_id}/snapshot/files/../escape.py"), 404, "not_found")
