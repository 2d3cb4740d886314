"""The OpenAPI schema names every error status each route can answer, with the one error
body: the guards' 421 and 403, 422 for input, 413 for bodies, 507 where it writes, and the
route's own (409, 416, 400, 404)."""

from __future__ import annotations

from typing import Any

from atlas.server.errors import ERROR_STATUS
from atlas.server.guard import STATE_CHANGING_METHODS
from atlas.server.openapi import ROUTE_ERRORS
from tests.server.conftest import API, TestClient

ERROR_REF = "#/components/schemas/ErrorOut"


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    schema = client.get(f"{API}/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_route_declares_the_statuses_the_guards_and_its_input_give(
    client: TestClient,
) -> None:
    missing = []
    for method, path, operation in operations(client):
        declared = {int(status) for status in operation["responses"] if status.isdigit()}
        expected = {421}
        if operation.get("parameters") or "requestBody" in operation:
            expected.add(422)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add(404)
        if method in STATE_CHANGING_METHODS:
            expected |= {403, 507}
        if "requestBody" in operation:
            expected.add(413)
        if expected - declared:
            missing.append((method, path, sorted(expected - declared)))
    assert missing == []


def test_every_error_answer_is_the_error_body(client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for method, path, operation in operations(client):
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (
                    method,
                    path,
                    status,
                )
                assert "`" in answer["description"], answer  # names its codes


def test_route_specific_errors_name_real_routes(client: TestClient) -> None:
    served = {(method, path) for method, path, _ in operations(client)}
    assert set(ROUTE_ERRORS) <= served
    every_status = {s for ops in ROUTE_ERRORS.values() for s in ops}
    assert every_status <= set(ERROR_STATUS.values())


def test_an_actual_error_matches_the_documented_body(client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    info = schema["components"]["schemas"]["ErrorInfoOut"]
    body = client.get(f"{API}/jobs/0123456789abcdef").json()
    assert set(body["error"]) == set(info["properties"]) == set(info["required"])
