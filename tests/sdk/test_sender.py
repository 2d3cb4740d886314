"""The sender's retries, splitting and error mapping, against a scripted HTTP server.

The scripted server is an ``httpx.MockTransport`` handed to ``Client(http=...)``: it answers
as the REST API does, and can fail on purpose (5xx, 413, non-JSON errors) in ways the real
server does only under load or behind a proxy.
"""

from __future__ import annotations

import base64
import json
from array import array
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

import atlas
from atlas.errors import (
    AtlasError,
    NotFoundError,
    PayloadTooLargeError,
    ServerUnavailableError,
)
from atlas.sdk.client import Client
from atlas.settings import Settings

from .conftest import reset_tracking


class ScriptedServer:
    """Just enough of the REST API for a job's sender, with failures on demand."""

    def __init__(self, *, failures: int = 0, max_points: int | None = None) -> None:
        self.failures = failures
        self.max_points = max_points
        self.batches: dict[str, int] = {}
        self.steps: list[int] = []
        self.requests: list[httpx.Request] = []
        self.status = "running"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path.endswith("/metrics"):
            return self._metrics(json.loads(request.content))
        if request.method == "POST" and path == "/api/v1/jobs":
            return httpx.Response(201, json=self._job(json.loads(request.content)["id"]))
        if request.method == "PATCH":
            self.status = json.loads(request.content).get("status", self.status)
            return httpx.Response(200, json=self._job(path.rsplit("/", 1)[1]))
        return httpx.Response(200, json={})

    def _metrics(self, batch: dict[str, object]) -> httpx.Response:
        if self.failures:
            self.failures -= 1
            return httpx.Response(503, text="busy")
        series = batch["series"]
        assert isinstance(series, list)
        steps = [step for entry in series for step in array("q", base64.b64decode(entry["steps"]))]
        if self.max_points is not None and len(steps) > self.max_points:
            error = {"code": "payload_too_large", "message": "too many points", "detail": {}}
            return httpx.Response(413, json={"error": error})
        batch_id = str(batch["batch_id"])
        if batch_id in self.batches:
            return httpx.Response(200, json={"stored": 0, "duplicate": True})
        self.batches[batch_id] = len(steps)
        self.steps += steps
        return httpx.Response(200, json={"stored": len(steps), "duplicate": False})

    def _job(self, job_id: str) -> dict[str, object]:
        return {
            "id": job_id,
            "project": "p",
            "name": "",
            "user": "",
            "kind": "local",
            "status": self.status,
            "created_at": "2026-11-25T14:55:34.123456Z",
        }


@pytest.fixture
def tracked(settings: Settings) -> Iterator[tuple[ScriptedServer, Settings]]:
    server = ScriptedServer()
    http = httpx.Client(base_url="http://atlas.test", transport=httpx.MockTransport(server))
    client = Client(http=http, token="secret")
    atlas.configure(settings=settings, client=client)
    try:
        yield server, settings
    finally:
        reset_tracking()
        http.close()


def test_a_5xx_is_retried_and_the_points_stored_once(
    tracked: tuple[ScriptedServer, Settings],
) -> None:
    server, settings = tracked
    server.failures = 2
    run = atlas.init(project="p")
    for step in range(100):
        atlas.log_metric("x", float(step))
    run.finish()
    assert sorted(server.steps) == list(range(100))
    assert server.status == "completed"
    assert not list(settings.spool_path.glob("*.spool"))


def test_a_batch_too_large_for_the_server_is_split(
    tracked: tuple[ScriptedServer, Settings],
) -> None:
    server, settings = tracked
    server.max_points = 30
    atlas.configure(settings=replace(settings, batch_points=100, flush_interval=60.0))
    run = atlas.init(project="p")
    for step in range(100):
        atlas.log_metric("x", float(step))
    run.finish()
    assert sorted(server.steps) == list(range(100))
    assert all(points <= 30 for points in server.batches.values())


def test_a_batch_of_several_keys_too_large_is_split_not_sent_key_by_key(
    tracked: tuple[ScriptedServer, Settings],
) -> None:
    server, settings = tracked
    server.max_points = 30
    atlas.configure(settings=replace(settings, batch_points=100, flush_interval=60.0))
    run = atlas.init(project="p")
    for step in range(50):
        atlas.log_metrics({"x": float(step), "y": float(step)})
    assert run.finish() is True
    assert sorted(server.steps) == sorted([*range(50), *range(50)])
    assert all(points <= 30 for points in server.batches.values())
    assert not [batch_id for batch_id in server.batches if "k" in batch_id.split("-")[-1]]


def test_the_token_is_sent_as_a_bearer_token(tracked: tuple[ScriptedServer, Settings]) -> None:
    server, _ = tracked
    with atlas.init(project="p"):
        atlas.log_metric("x", 1.0)
    assert server.requests
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer secret"}


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (httpx.Response(404, text="<html>nope</html>"), NotFoundError, "HTTP 404"),
        (httpx.Response(502, text="bad gateway"), ServerUnavailableError, "HTTP 502"),
        (httpx.Response(413, text="too big"), PayloadTooLargeError, "HTTP 413"),
        (
            httpx.Response(418, json={"error": {"code": "teapot", "message": "short and stout"}}),
            AtlasError,
            "short and stout",
        ),
    ],
)
def test_answers_without_the_error_body_map_by_status(
    response: httpx.Response, error: type[AtlasError], message: str
) -> None:
    transport = httpx.MockTransport(lambda request: response)
    with httpx.Client(base_url="http://atlas.test", transport=transport) as http:
        client = Client(http=http, token="")
        with pytest.raises(error, match=message) as caught:
            client.list_projects()
    assert type(caught.value) is error
