"""Every step of an artifact kept over HTTP, and the media routes the GUI reads
(docs/media.md)."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.server.conftest import API, TestClient, assert_error


def put(
    client: TestClient, job_id: str, path: str, data: bytes, **query: object
) -> dict[str, object]:
    response = client.put(f"{API}/jobs/{job_id}/artifacts/{path}", content=data, params=query)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_each_step_is_kept_and_the_plain_path_is_the_latest(
    client: TestClient, job_id: str
) -> None:
    for step in (1, 2, 3):
        put(client, job_id, "media/samples.png", b"png %d" % step, step=step, caption=f"s{step}")
    latest = client.get(f"{API}/jobs/{job_id}/artifacts/media/samples.png")
    assert latest.content == b"png 3"
    second = client.get(f"{API}/jobs/{job_id}/artifacts/media/samples.png", params={"step": 2})
    assert (second.status_code, second.content) == (200, b"png 2")
    assert second.headers["content-type"] == "image/png"
    versions = client.get(f"{API}/jobs/{job_id}/versions/media/samples.png").json()["items"]
    assert [(v["step"], v["caption"], v["size"]) for v in versions] == [
        (1, "s1", 5),
        (2, "s2", 5),
        (3, "s3", 5),
    ]
    (listed,) = client.get(f"{API}/jobs/{job_id}/artifacts").json()["items"]
    assert (listed["path"], listed["step"], listed["caption"]) == ("media/samples.png", 3, "s3")


def test_the_same_step_again_replaces_that_version(client: TestClient, job_id: str) -> None:
    put(client, job_id, "plot.png", b"first", step=4)
    put(client, job_id, "plot.png", b"second", step=4)
    assert client.get(f"{API}/jobs/{job_id}/artifacts/plot.png", params={"step": 4}).content == (
        b"second"
    )
    assert len(client.get(f"{API}/jobs/{job_id}/versions/plot.png").json()["items"]) == 1


def test_a_version_range_of_bytes(client: TestClient, job_id: str) -> None:
    put(client, job_id, "clip.wav", b"0123456789", step=0)
    put(client, job_id, "clip.wav", b"abcdefghij", step=1)
    part = client.get(
        f"{API}/jobs/{job_id}/artifacts/clip.wav",
        params={"step": 0},
        headers={"Range": "bytes=2-4"},
    )
    assert (part.status_code, part.content) == (206, b"234")


def test_media_keys_of_a_job(client: TestClient, job_id: str) -> None:
    histogram = json.dumps({"bins": 1, "edges": [0, 1], "counts": [3]}).encode()
    put(client, job_id, "media/weights/fc1.histogram.json", histogram, step=0)
    put(client, job_id, "media/weights/fc1.histogram.json", histogram, step=5)
    put(client, job_id, "media/preds.table.json", b'{"columns": [], "rows": []}', step=0)
    put(client, job_id, "media/speech.wav", b"RIFF", step=7, caption="hello")
    put(client, job_id, "model.pt", b"weights", step=1)
    items = client.get(f"{API}/jobs/{job_id}/media").json()["items"]
    assert [(m["key"], m["kind"], m["steps"], m["count"]) for m in items] == [
        ("preds", "table", [0], 1),
        ("speech", "audio", [7], 1),
        ("weights/fc1", "histogram", [0, 5], 2),
    ]
    speech = items[1]
    assert speech == {
        "key": "speech",
        "path": "media/speech.wav",
        "kind": "audio",
        "mime": "audio/x-wav",
        "steps": [7],
        "count": 1,
        "first_step": 7,
        "last_step": 7,
        "caption": "hello",
    }


def test_compare_one_path_across_jobs(client: TestClient, new_job: Callable[..., str]) -> None:
    first, second, empty = new_job(), new_job(), new_job()
    for step in (0, 10, 20):
        put(client, first, "media/x.png", b"a%d" % step, step=step)
    put(client, second, "media/x.png", b"b15", step=15)
    query = {"path": "media/x.png", "job_id": [second, first, empty]}
    items = client.get(f"{API}/projects/vision/media", params={**query, "step": 12}).json()["items"]
    assert [(c["job_id"], c["version"] and c["version"]["step"]) for c in items] == [
        (second, None),
        (first, 10),
        (empty, None),
    ]
    latest = client.get(f"{API}/projects/vision/media", params=query)
    assert [c["version"] and c["version"]["step"] for c in latest.json()["items"]] == [15, 20, None]


def test_compare_refuses_a_job_of_another_project(
    client: TestClient, new_job: Callable[..., str]
) -> None:
    other = new_job("audio")
    query = {"path": "media/x.png", "job_id": [other]}
    assert_error(client.get(f"{API}/projects/vision/media", params=query), 404, "not_found")
    assert_error(
        client.get(f"{API}/projects/vision/media", params={"path": "media/x.png"}),
        422,
        "invalid_input",
    )


def test_unknown_versions_and_bad_input(client: TestClient, job_id: str) -> None:
    put(client, job_id, "a.png", b"x", step=1)
    missing = client.get(f"{API}/jobs/{job_id}/artifacts/a.png", params={"step": 2})
    assert_error(missing, 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job_id}/versions/b.png"), 404, "not_found")
    long_caption = {"step": 1, "caption": "x" * 1001}
    response = client.put(f"{API}/jobs/{job_id}/artifacts/a.png", content=b"y", params=long_caption)
    assert_error(response, 422, "invalid_input")
    assert client.get(f"{API}/jobs/{job_id}/artifacts/a.png").content == b"x"
    assert_error(
        client.get(f"{API}/jobs/{job_id}/versions/a.png", params={"limit": 0}), 422, "invalid_input"
    )


def test_a_version_from_before_versions_had_files_reads_the_latest(
    client: TestClient, job_id: str
) -> None:
    # Migration 0007 made each artifact saved at a step that step's version, with no file of
    # its own: the latest copy serves it while it is the same file.
    put(client, job_id, "plot.png", b"old", step=3)
    home = client.app.state.settings.home_path  # type: ignore[attr-defined]
    files = home / "artifacts" / "jobs" / job_id
    (files / "artifacts").mkdir()
    (files / "steps" / "3" / "plot.png").rename(files / "artifacts" / "plot.png")
    old = client.get(f"{API}/jobs/{job_id}/artifacts/plot.png", params={"step": 3})
    assert (old.status_code, old.content) == (200, b"old")
    assert client.get(f"{API}/jobs/{job_id}/artifacts/plot.png").content == b"old"
    put(client, job_id, "plot.png", b"newer")  # no step: the latest changes
    gone = client.get(f"{API}/jobs/{job_id}/artifacts/plot.png", params={"step": 3})
    assert_error(gone, 404, "not_found")


def test_a_stepped_save_is_written_once(client: TestClient, job_id: str) -> None:
    put(client, job_id, "model.pt", b"no step")
    put(client, job_id, "model.pt", b"step 1", step=1)
    home = client.app.state.settings.home_path  # type: ignore[attr-defined]
    files = home / "artifacts" / "jobs" / job_id
    assert sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()) == [
        "steps/1/model.pt"
    ]
    assert client.get(f"{API}/jobs/{job_id}/artifacts/model.pt").content == b"step 1"
    put(client, job_id, "model.pt", b"no step again")
    assert client.get(f"{API}/jobs/{job_id}/artifacts/model.pt").content == b"no step again"
    assert client.get(f"{API}/jobs/{job_id}/artifacts/model.pt?step=1").content == b"step 1"
