"""Every error a client can meet has one shape, and each AtlasError one status."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pytest
from fastapi import FastAPI

from atlas import errors
from atlas.errors import AtlasError
from atlas.server.errors import ERROR_STATUS, error_body, status_for
from tests.server.conftest import API, TestClient, assert_error, make_client


def all_error_classes() -> list[type[AtlasError]]:
    found: list[type[AtlasError]] = []
    pending: list[type[AtlasError]] = [AtlasError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__ == "atlas.errors"]


def test_every_error_class_has_its_own_status() -> None:
    assert set(all_error_classes()) == set(ERROR_STATUS)
    assert all(400 <= status <= 599 for status in ERROR_STATUS.values())


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.NotFoundError, 404),
        (errors.ConflictError, 409),
        (errors.InvalidTransitionError, 409),
        (errors.InvalidInputError, 422),
        (errors.QuerySyntaxError, 400),
        (errors.PayloadTooLargeError, 413),
        (errors.RangeNotSatisfiableError, 416),
        (errors.UnauthenticatedError, 401),
        (errors.PermissionDeniedError, 403),
    ],
)
def test_statuses_match_the_rest_api_doc(cls: type[AtlasError], status: int) -> None:
    assert status_for(cls("x")) == status


def test_a_subclass_without_an_entry_takes_its_parents_status() -> None:
    class Unlisted(errors.NotFoundError):
        code = "unlisted"

    assert status_for(Unlisted("x")) == 404


def test_error_detail_is_made_json_safe() -> None:
    body = error_body(
        "x", "m", {"nan": math.nan, "obj": object(), "nested": {"s": {1, 2}}, 3: b"b"}
    )
    detail = body["error"]["detail"]  # type: ignore[index]
    assert detail["nan"] == "nan"
    assert isinstance(detail["obj"], str)
    assert sorted(detail["nested"]["s"]) == [1, 2]
    assert detail["3"] == "b'b'"


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing/here"), 404, "not_found")
    assert_error(client.get("/nothing"), 404, "not_found")
    response = client.delete(f"{API}/projects")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_validation_errors_list_the_fields(client: TestClient) -> None:
    response = client.post(f"{API}/jobs", json={"project": 3, "priority": "x", "extra": 1})
    error = assert_error(response, 422, "invalid_input")
    fields = sorted(e["field"] for e in error["detail"]["errors"])  # type: ignore[index]
    assert fields == ["extra", "priority", "project"]
    assert "(and 2 more)" in str(error["message"])


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"project": "p",}',
        b"\xff\xfe\x00",
        b'{"project": "p", "priority": ' + b"9" * 5000 + b"}",
        b'{"project": "p", "params": {"x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}",
        b"",
        b"null",
    ],
)
def test_malformed_json_bodies_are_invalid_input(client: TestClient, raw: bytes) -> None:
    response = client.post(f"{API}/jobs", content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 422, "invalid_input")


def test_a_body_without_a_json_content_type_is_refused(client: TestClient) -> None:
    response = client.post(f"{API}/projects", content=b'{"name": "p"}')
    assert_error(response, 422, "invalid_input")


def test_json_bodies_over_16_mib_are_payload_too_large(client: TestClient) -> None:
    huge = b'{"name": "p", "description": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    response = client.post(
        f"{API}/projects", content=huge, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")


def test_an_unexpected_failure_is_logged_and_answers_internal(
    settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    with make_client(settings, raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        app = client.app
        assert isinstance(app, FastAPI)

        def broken() -> None:
            raise RuntimeError("secret internals")

        app.add_api_route("/broken", broken)
        with caplog.at_level(logging.ERROR, logger="atlas.server.errors"):
            response = client.get("/broken")
    assert_error(response, 500, "internal")
    assert "secret internals" not in response.text
    assert "GET /broken failed unexpectedly" in caplog.text
    assert "RuntimeError: secret internals" in caplog.text


def test_an_atlas_error_with_a_5xx_status_keeps_its_code(settings: Path) -> None:
    with make_client(settings, raise_server_exceptions=False) as client:  # type: ignore[arg-type]

        def unavailable() -> None:
            raise errors.ServerUnavailableError("upstream gone")

        client.app.add_api_route("/unavailable", unavailable)  # type: ignore[attr-defined]
        response = client.get("/unavailable")
    assert_error(response, 503, "server_unavailable")
