"""Request body limits: JSON routes refuse big bodies, uploads count their own."""

from __future__ import annotations

import re
from collections.abc import Iterator

from atlas.server.app import _BODY_RULES, JSON_BODY_LIMIT
from atlas.server.limits import BodyLimit, BodyLimitRule
from atlas.server.metrics_codec import MAX_BATCH_BYTES
from tests.server.conftest import API, TestClient, assert_error

ID = "0123456789abcdef"


async def _noop(scope: object, receive: object, send: object) -> None:
    return None


def test_each_route_gets_its_limit() -> None:
    limits = BodyLimit(_noop, default_bytes=JSON_BODY_LIMIT, rules=_BODY_RULES)
    assert limits.limit_for("POST", f"{API}/jobs") == JSON_BODY_LIMIT
    assert limits.limit_for("POST", f"{API}/jobs/{ID}/metrics") == MAX_BATCH_BYTES
    assert limits.limit_for("GET", f"{API}/jobs/{ID}/metrics") == JSON_BODY_LIMIT
    assert limits.limit_for("PUT", f"{API}/jobs/{ID}/artifacts/a/b.png") is None
    assert limits.limit_for("POST", f"{API}/jobs/{ID}/log") is None
    assert limits.limit_for("POST", f"{API}/jobs/{ID}/log/x") == JSON_BODY_LIMIT


def test_first_matching_rule_wins() -> None:
    rules = (
        BodyLimitRule("POST", re.compile("/a/.*"), 10),
        BodyLimitRule("POST", re.compile("/a/b"), None),
    )
    assert BodyLimit(_noop, default_bytes=5, rules=rules).limit_for("POST", "/a/b") == 10


def test_a_chunked_json_body_over_the_limit_is_counted_and_refused(client: TestClient) -> None:
    def pieces() -> Iterator[bytes]:
        yield b'{"name": "p", "description": "'
        for _ in range(17):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = client.post(
        f"{API}/projects", content=pieces(), headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 413, "payload_too_large")
    assert str(JSON_BODY_LIMIT) in str(error["message"])
    assert client.get(f"{API}/projects").json()["items"] == []


def test_a_declared_metric_body_over_128_mib_is_refused_before_reading(
    client: TestClient, job_id: str
) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(MAX_BATCH_BYTES + 1)}
    request = client.build_request(
        "POST", f"{API}/jobs/{job_id}/metrics", content=b"{}", headers=headers
    )
    assert request.headers["content-length"] == str(MAX_BATCH_BYTES + 1)
    assert_error(client.send(request), 413, "payload_too_large")
