"""MLflow's error shape, ``{"error_code": "...", "message": "..."}``, on the MLflow routes.

The MLflow client reads ``error_code`` to raise its own exceptions (``RESOURCE_DOES_NOT_EXIST``
makes ``get_experiment_by_name`` answer ``None``), so every error under the MLflow prefixes
answers in that shape: Atlas's own errors (``NotFoundError`` ...), the framework's (an unknown
route is ``ENDPOINT_NOT_FOUND``) and :class:`MlflowError` raised by this package. Other paths
keep Atlas's ``{"error": {...}}`` shape: the handlers installed here hand them on.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from atlas.errors import (
    AtlasError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from atlas.server.errors import status_for

__all__ = [
    "ALREADY_EXISTS",
    "DOES_NOT_EXIST",
    "ENDPOINT_NOT_FOUND",
    "INTERNAL_ERROR",
    "INVALID_VALUE",
    "MLFLOW_PREFIXES",
    "PERMISSION_DENIED",
    "MlflowError",
    "install_mlflow_errors",
    "is_mlflow_path",
    "mlflow_error_response",
]

MLFLOW_PREFIXES: Final = ("/api/2.0/mlflow", "/ajax-api/2.0/mlflow", "/api/2.0/mlflow-artifacts")
"""The paths whose errors take MLflow's shape."""

INVALID_VALUE: Final = "INVALID_PARAMETER_VALUE"
DOES_NOT_EXIST: Final = "RESOURCE_DOES_NOT_EXIST"
ALREADY_EXISTS: Final = "RESOURCE_ALREADY_EXISTS"
ENDPOINT_NOT_FOUND: Final = "ENDPOINT_NOT_FOUND"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
PERMISSION_DENIED: Final = "PERMISSION_DENIED"

_STATUS_OF_CODE: dict[str, int] = {
    INVALID_VALUE: 400,
    DOES_NOT_EXIST: 404,
    ALREADY_EXISTS: 400,  # what MLflow's own server answers
    ENDPOINT_NOT_FOUND: 404,
    "UNAUTHENTICATED": 401,
    PERMISSION_DENIED: 403,
}

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class MlflowError(AtlasError):
    """An error an MLflow route answers with MLflow's ``error_code`` (one of the constants
    above) and a human message."""

    code = "mlflow"

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code


def mlflow_error_response(error_code: str, message: str, status: int | None = None) -> JSONResponse:
    """The answer ``{"error_code", "message"}`` with the status MLflow's server gives the code
    (``status`` overrides it)."""
    code_status = status if status is not None else _STATUS_OF_CODE.get(error_code, 400)
    return JSONResponse({"error_code": error_code, "message": message}, status_code=code_status)


def _of_atlas(exc: AtlasError) -> JSONResponse:
    if isinstance(exc, MlflowError):
        return mlflow_error_response(exc.error_code, exc.message)
    status = status_for(exc)
    if isinstance(exc, UnauthenticatedError) or status == 401:
        code = "UNAUTHENTICATED"
    elif isinstance(exc, PermissionDeniedError) or status == 403:
        code = "PERMISSION_DENIED"
    elif isinstance(exc, NotFoundError):
        code = DOES_NOT_EXIST
    elif isinstance(exc, ConflictError) and status == 409:
        code = ALREADY_EXISTS if "exists" in exc.message else INVALID_VALUE
    elif isinstance(exc, InvalidInputError) or 400 <= status < 500:
        code = INVALID_VALUE
    else:
        code = "INTERNAL_ERROR"
    return mlflow_error_response(code, exc.message, status if status != 422 else 400)


def _of_http(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code in (404, 405):
        where = f"{request.method} {request.url.path}"
        message = f"the MLflow endpoint {where} is not supported by Atlas (docs/mlflow.md)"
        return mlflow_error_response(ENDPOINT_NOT_FOUND, message, 404)
    if exc.status_code == 413:
        return mlflow_error_response(INVALID_VALUE, str(exc.detail), 413)
    return mlflow_error_response(INVALID_VALUE, str(exc.detail) or "bad request", exc.status_code)


def is_mlflow_path(path: str) -> bool:
    """Whether ``path`` is under one of the MLflow prefixes."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in MLFLOW_PREFIXES)


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    answer = handler(request, exc)
    return await answer if inspect.isawaitable(answer) else answer


def install_mlflow_errors(app: FastAPI) -> None:
    """Answer errors on the MLflow paths in MLflow's shape; hand the others to the handlers
    ``install_error_handlers`` put in place (call this after it)."""
    handlers = app.exception_handlers
    atlas_handler: Handler = handlers[AtlasError]
    http_handler: Handler = handlers[HTTPException]
    validation_handler: Handler = handlers[RequestValidationError]

    async def on_atlas(request: Request, exc: Exception) -> Response:
        if is_mlflow_path(request.url.path) and isinstance(exc, AtlasError):
            return _of_atlas(exc)
        return await _call(atlas_handler, request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        if is_mlflow_path(request.url.path) and isinstance(exc, HTTPException):
            return _of_http(request, exc)
        return await _call(http_handler, request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        if is_mlflow_path(request.url.path) and isinstance(exc, RequestValidationError):
            return mlflow_error_response(INVALID_VALUE, f"invalid request: {exc.errors()[:1]}")
        return await _call(validation_handler, request, exc)

    app.add_exception_handler(AtlasError, on_atlas)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    kinds: tuple[type[Exception], ...] = (OSError, Exception, *_database_errors())
    for kind in kinds:
        app.add_exception_handler(kind, _reshaped(handlers[kind]))


def _database_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import DBAPIError  # as install_error_handlers: the app has a database

    return (DBAPIError,)


def _reshaped(handler: Handler) -> Handler:
    """``handler`` (one of Atlas's: a full disk, or anything unexpected, logged), with its
    answer in MLflow's shape on the MLflow paths: ``INTERNAL_ERROR`` with Atlas's status and
    message, so the client shows it as its own error rather than a parse failure."""

    async def on_error(request: Request, exc: Exception) -> Response:
        answer = await _call(handler, request, exc)
        if not is_mlflow_path(request.url.path):
            return answer
        try:
            message = str(json.loads(bytes(answer.body))["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = "the server failed to answer; the error is in its log"
        return mlflow_error_response(INTERNAL_ERROR, message, answer.status_code)

    return on_error
