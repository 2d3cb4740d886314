"""The app's OpenAPI schema, with every error answer each operation can give.

FastAPI documents a route's success answer and a 422 in its own error shape, which Atlas
does not use. Here each operation gets the statuses it can answer, each with the one error
body (``ErrorOut``) and the codes that status carries (read off ``ERROR_STATUS``):

- every operation: 421 (the host guard, ``atlas.server.guard``);
- a path parameter: 404; any parameter or a body: 422; a body: 413;
- a state-changing method: 403 (the origin guard) and 507 (a full disk);
- a route that needs credentials (its ``x-atlas-access``, ``atlas.server.auth.access``):
  401 and 403; one about a project or a job: 404;
- what a route's own errors add (``ROUTE_ERRORS``: conflicts, ranges, queries, references,
  and the account routes' 404 when authentication is off).

``MetricBatch`` is added too: metric batches are decoded by hand, so no route names it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from atlas.server.auth.access import api_routes
from atlas.server.errors import ERROR_STATUS, HTTP_CODES
from atlas.server.guard import STATE_CHANGING_METHODS
from atlas.server.schemas import ErrorOut, MetricBatch

__all__ = ["ROUTE_ERRORS", "build_openapi", "error_statuses"]

_JOB = "/api/v1/jobs/{job_id}"
ROUTE_ERRORS: dict[tuple[str, str], frozenset[int]] = {
    ("POST", "/api/v1/projects"): frozenset({409}),
    ("PATCH", "/api/v1/projects/{name}"): frozenset({409}),
    ("GET", "/api/v1/projects/{name}/jobs"): frozenset({400}),
    ("POST", "/api/v1/jobs"): frozenset({404, 409}),
    ("PATCH", _JOB): frozenset({409}),
    ("PUT", _JOB + "/artifacts/{path}"): frozenset({409}),
    ("GET", _JOB + "/artifacts/{path}"): frozenset({416}),
    ("GET", _JOB + "/log"): frozenset({416}),
    ("GET", _JOB + "/log/stream"): frozenset({416}),
    ("POST", "/api/v1/submissions"): frozenset({404}),
    ("POST", _JOB + "/cancel"): frozenset({409}),
    ("POST", _JOB + "/rerun"): frozenset({409}),
    ("DELETE", "/api/v1/queue"): frozenset({404}),
    ("POST", "/api/v1/auth/login"): frozenset({401, 404, 429}),
    ("PUT", "/api/v1/auth/password"): frozenset({401, 404}),
    ("GET", "/api/v1/auth/oidc/login"): frozenset({404}),
    ("GET", "/api/v1/auth/oidc/callback"): frozenset({404}),
    ("GET", "/api/v1/users"): frozenset({404}),
    ("POST", "/api/v1/users"): frozenset({404, 409}),
    ("PATCH", "/api/v1/users/{user}"): frozenset({409}),
    ("GET", "/api/v1/tokens"): frozenset({404}),
    ("POST", "/api/v1/tokens"): frozenset({404}),
    ("GET", "/api/v1/audit"): frozenset({404}),
    ("PUT", "/api/v1/projects/{name}/members/{user}"): frozenset({409}),
    ("DELETE", "/api/v1/projects/{name}/members/{user}"): frozenset({409}),
    ("POST", "/api/v1/projects/{name}/views"): frozenset({409}),
    ("PATCH", "/api/v1/views/{view_id}"): frozenset({409}),
    ("GET", "/api/v1/projects/{name}/jobs/values"): frozenset({400}),
    ("GET", "/api/v1/projects/{name}/jobs/groups"): frozenset({400}),
    ("GET", "/api/v1/projects/{name}/importances"): frozenset({400}),
}
"""Statuses that an operation's own errors add to those its shape implies."""

_REF = "#/components/schemas/ErrorOut"


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses the operation ``method path`` can answer."""
    statuses = {421}
    declared = operation.get("x-atlas-access", {})
    if declared.get("need", "public") != "public":
        statuses |= {401, 403}
    if declared.get("of", "nothing") != "nothing":
        statuses.add(404)
    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if parameters or body:
        statuses.add(422)
    if body:
        statuses.add(413)
    if method in STATE_CHANGING_METHODS:
        statuses |= {403, 507}
    return statuses | ROUTE_ERRORS.get((method, path), frozenset())


def _codes(status: int) -> list[str]:
    codes = {cls.code for cls, each in ERROR_STATUS.items() if each == status}
    if status in HTTP_CODES:
        codes.add(HTTP_CODES[status])
    return sorted(codes)


def _error_answer(status: int) -> dict[str, Any]:
    codes = ", ".join(f"`{code}`" for code in _codes(status))
    return {
        "description": f"{HTTPStatus(status).phrase}: {codes}",
        "content": {"application/json": {"schema": {"$ref": _REF}}},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI schema of ``app`` (built once, then cached on the app)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (MetricBatch, ErrorOut):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    for path, methods, declaration in api_routes(app):
        for method in methods:
            operation = schema.get("paths", {}).get(path, {}).get(method.lower())
            if operation is not None and declaration is not None:
                operation["x-atlas-access"] = declaration.openapi()
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method.upper(), path, operation)):
                responses[str(status)] = _error_answer(status)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
