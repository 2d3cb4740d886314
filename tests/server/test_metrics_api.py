"""``/api/v1/jobs/{id}/metrics``: ingest in both encodings, idempotent retries, series."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from tests.server.conftest import API, TestClient, assert_error

ID = "0123456789abcdef"


def post(client: TestClient, job_id: str, document: object) -> object:
    raw = json.dumps(document).encode()
    return client.post(
        f"{API}/jobs/{job_id}/metrics", content=raw, headers={"Content-Type": "application/json"}
    )


def b64(values: object, dtype: str) -> str:
    return base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode()


def loss(steps: list[int], values: list[object]) -> dict[str, object]:
    return {"key": "loss", "steps": steps, "times": [1.0 + s for s in steps], "values": values}


def test_json_batch_is_stored_and_read_back_with_non_finite_values(
    client: TestClient, job_id: str
) -> None:
    document = {
        "batch_id": "b1",
        "series": [loss([0, 1, 2, 3], [0.5, "NaN", "Infinity", "-Infinity"])],
    }
    response = post(client, job_id, document)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == {"stored": 4, "duplicate": False}  # type: ignore[attr-defined]
    series = client.get(f"{API}/jobs/{job_id}/metrics/loss").json()
    assert series == {
        "key": "loss",
        "steps": [0, 1, 2, 3],
        "times": [1.0, 2.0, 3.0, 4.0],
        "values": [0.5, "NaN", "Infinity", "-Infinity"],
        "total": 4,
        "downsampled": False,
    }
    (summary,) = client.get(f"{API}/jobs/{job_id}/metrics").json()["items"]
    assert summary["key"] == "loss"
    assert summary["count"] == 4
    assert summary["last_step"] == 3
    assert summary["last"] == "-Infinity"
    assert summary["max"] == "Infinity"
    job = client.get(f"{API}/jobs/{job_id}").json()
    assert job["metrics"]["loss"]["last"] == "-Infinity"


def test_a_repeated_batch_id_stores_nothing(client: TestClient, job_id: str) -> None:
    document = {"batch_id": "b1", "series": [loss([0, 1], [0.5, 0.4])]}
    assert post(client, job_id, document).json() == {"stored": 2, "duplicate": False}  # type: ignore[attr-defined]
    assert post(client, job_id, document).json() == {"stored": 0, "duplicate": True}  # type: ignore[attr-defined]
    assert client.get(f"{API}/jobs/{job_id}/metrics/loss").json()["total"] == 2


def test_base64_batch_of_many_keys(client: TestClient, job_id: str) -> None:
    n = 50_000
    series = [
        {
            "key": key,
            "steps": b64(np.arange(n), "<i8"),
            "times": b64(np.linspace(1e9, 1e9 + 10, n), "<f8"),
            "values": b64(np.sin(np.arange(n) / 100) * scale, "<f8"),
        }
        for key, scale in (("train/loss", 1.0), ("system/cpu", 100.0))
    ]
    response = post(client, job_id, {"encoding": "base64", "batch_id": "x", "series": series})
    assert response.json() == {"stored": 2 * n, "duplicate": False}  # type: ignore[attr-defined]
    full = client.get(f"{API}/jobs/{job_id}/metrics/train/loss").json()
    assert full["total"] == n
    assert full["steps"][-1] == n - 1
    assert full["values"][100] == pytest.approx(math.sin(1.0))
    small = client.get(
        f"{API}/jobs/{job_id}/metrics/system/cpu", params={"max_points": 100, "min_step": 10}
    ).json()
    assert small["downsampled"] is True
    assert len(small["steps"]) <= 100
    assert small["steps"][0] >= 10
    assert small["total"] == n - 10
    assert max(small["values"]) == pytest.approx(100.0, rel=1e-3)


def test_unknown_job_and_unknown_key(client: TestClient, job_id: str) -> None:
    assert_error(post(client, ID, {"series": [loss([0], [1.0])]}), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{ID}/metrics"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job_id}/metrics/nope"), 404, "not_found")
    assert_error(client.get(f"{API}/jobs/{job_id}/metrics/a%01b"), 404, "not_found")


@pytest.mark.parametrize(
    "document",
    [
        {"series": [loss([0, 1], [0.5])]},
        {"series": [loss([0, 1.5], [0.5, 0.5])]},
        {"series": [loss([0, 2**63], [0.5, 0.5])]},
        {"series": [loss([0], ["nan"])]},
        {"series": [loss([0], [0.5]), loss([1], [0.5])]},
        {"encoding": "base64", "series": [{"key": "a", "steps": "!!", "times": "", "values": ""}]},
        {"encoding": "base64", "series": [loss([0], [0.5])]},
        {"series": [{"key": "", "steps": [], "times": [], "values": []}]},
        {"series": "loss"},
        {"points": []},
        ["loss"],
    ],
)
def test_bad_batches_are_invalid_and_store_nothing(
    client: TestClient, job_id: str, document: object
) -> None:
    error = assert_error(post(client, job_id, document), 422, "invalid_input")  # type: ignore[arg-type]
    assert error["detail"]["errors"][0]["field"]  # type: ignore[index]
    assert client.get(f"{API}/jobs/{job_id}/metrics").json()["items"] == []


def test_malformed_json_body_is_invalid_input(client: TestClient, job_id: str) -> None:
    for raw in (b"", b"{", b"\xff", b"[" * 50_000):
        response = client.post(f"{API}/jobs/{job_id}/metrics", content=raw)
        assert_error(response, 422, "invalid_input")


def test_over_a_million_points_is_payload_too_large(client: TestClient, job_id: str) -> None:
    zeros = base64.b64encode(bytes(8 * 1_000_001)).decode()
    document = {
        "encoding": "base64",
        "series": [{"key": "a", "steps": zeros, "times": zeros, "values": zeros}],
    }
    assert_error(post(client, job_id, document), 413, "payload_too_large")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "params",
    [
        {"max_points": 1},
        {"max_points": 100_001},
        {"min_step": "x"},
        {"max_step": 2**63},
        {"min_step": -(2**63) - 1},
    ],
)
def test_bad_series_queries_are_invalid_input(
    client: TestClient, job_id: str, params: dict[str, object]
) -> None:
    post(client, job_id, {"series": [loss([0], [1.0])]})
    response = client.get(f"{API}/jobs/{job_id}/metrics/loss", params=params)
    assert_error(response, 422, "invalid_input")


def test_extreme_steps_are_kept(client: TestClient, job_id: str) -> None:
    steps = [-(2**63), 0, 2**63 - 1]
    post(
        client,
        job_id,
        {"series": [{"key": "k", "steps": steps, "times": [1.0] * 3, "values": [1, 2, 3]}]},
    )
    series = client.get(
        f"{API}/jobs/{job_id}/metrics/k", params={"min_step": -(2**63), "max_step": 2**63 - 1}
    )
    assert series.json()["steps"] == steps
