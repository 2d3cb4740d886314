"""docs/rest-api.md names every route the app serves, and the app serves every route the
doc names."""

from __future__ import annotations

import re
from pathlib import Path

from tests.server.conftest import API, TestClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "rest-api.md"
ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)`")


def normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def documented() -> set[tuple[str, str]]:
    """The routes in the doc's tables (a table row starts with ``|``)."""
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("|")]
    return {(method, normalise(path)) for row in rows for method, path in ROUTE.findall(row)}


def served(client: TestClient) -> set[tuple[str, str]]:
    schema = client.get(f"{API}/openapi.json").json()
    routes = {
        (method.upper(), normalise(path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    return routes | {("GET", f"{API}/openapi.json"), ("GET", f"{API}/docs")}


def test_every_route_is_documented(client: TestClient) -> None:
    assert served(client) - documented() == set()


def test_every_documented_route_is_served(client: TestClient) -> None:
    assert documented() - served(client) == set()
