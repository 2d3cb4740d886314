"""How errors reach a client: one table from each ``AtlasError`` class to an HTTP status.

Every error answer has the body ``{"error": {"code", "message", "detail"}}`` (see
docs/rest-api.md#errors). The code of an ``AtlasError`` is its class's ``code``, so the SDK
maps it back to the same class. Framework errors (validation, unknown routes, wrong methods,
bodies too large or unreadable) get the same shape; anything unexpected is logged with its
traceback and answered 500 ``internal`` without leaking details. A full disk or quota
(``ENOSPC``/``EDQUOT`` from a file, "disk full" from the database) anywhere in a request
answers 507 ``insufficient_storage``.
"""

from __future__ import annotations

import errno
import logging
import math
from collections.abc import Mapping, Sequence
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from atlas.errors import (
    AtCapacityError,
    AtlasError,
    ConflictError,
    CrossSiteRequestError,
    CsrfError,
    HostNotAllowedError,
    InsufficientStorageError,
    InvalidInputError,
    InvalidTransitionError,
    MissingExtraError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QuerySyntaxError,
    QueryTooExpensiveError,
    RangeNotSatisfiableError,
    ResourceUnavailableError,
    SchedulerOwnsStatusError,
    ServerUnavailableError,
    TooManyAttemptsError,
    UnauthenticatedError,
    ViewExistsError,
    ViewNotFoundError,
    ViewTooLargeError,
)

__all__ = [
    "ERROR_STATUS",
    "HTTP_CODES",
    "error_body",
    "error_response",
    "install_error_handlers",
    "storage_full",
    "status_for",
    "validation_errors",
]

logger = logging.getLogger(__name__)

ERROR_STATUS: dict[type[AtlasError], int] = {
    AtlasError: 500,
    QuerySyntaxError: 400,
    UnauthenticatedError: 401,
    PermissionDeniedError: 403,
    CrossSiteRequestError: 403,
    CsrfError: 403,
    TooManyAttemptsError: 429,
    HostNotAllowedError: 421,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidTransitionError: 409,
    SchedulerOwnsStatusError: 409,
    PayloadTooLargeError: 413,
    RangeNotSatisfiableError: 416,
    InvalidInputError: 422,
    QueryTooExpensiveError: 422,
    ResourceUnavailableError: 422,
    MissingExtraError: 422,
    AtCapacityError: 409,
    ServerUnavailableError: 503,
    InsufficientStorageError: 507,
    ViewNotFoundError: 404,
    ViewExistsError: 409,
    ViewTooLargeError: 413,
}
"""The one table: each AtlasError class answers with one status; its code is ``cls.code``."""

HTTP_CODES: dict[int, str] = {
    401: UnauthenticatedError.code,
    403: PermissionDeniedError.code,
    404: NotFoundError.code,
    405: "method_not_allowed",
    409: ConflictError.code,
    413: PayloadTooLargeError.code,
    416: RangeNotSatisfiableError.code,
    422: InvalidInputError.code,
    429: TooManyAttemptsError.code,
}
"""Codes for errors raised by the framework itself (routing, body limits)."""

_MAX_DETAIL_DEPTH = 8
_MAX_FIELD_CHARS = 200
_MAX_MESSAGE_CHARS = 1000


def status_for(error: AtlasError) -> int:
    """The HTTP status of ``error``: its class's entry, else its nearest ancestor's."""
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500


def error_body(code: str, message: str, detail: Mapping[str, object] | None = None) -> object:
    """The JSON body of an error answer; ``detail`` is made JSON-safe."""
    safe = _json_safe(dict(detail or {}), 0)
    return {"error": {"code": code, "message": message, "detail": safe}}


def _json_safe(value: object, depth: int) -> object:
    """``value`` with only JSON types: floats that JSON cannot hold and unknown objects become
    strings, so an error body can always be written."""
    if depth > _MAX_DETAIL_DEPTH:
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, bytes):
        return [_json_safe(v, depth + 1) for v in value]
    return str(value)


def _field_name(loc: Sequence[object]) -> str:
    """``("body", "params", "lr")`` -> ``"params.lr"``; query, path and header fields keep
    their place as a prefix (``"query.limit"``)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return (".".join(parts) or "body")[:_MAX_FIELD_CHARS]


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """The field errors of a request that failed validation, as ``{"field", "message"}``."""
    errors = []
    for item in exc.errors():
        message = str(item.get("msg", "invalid value"))[:_MAX_MESSAGE_CHARS]
        if item.get("type") == "value_error":
            message = message.removeprefix("Value error, ")
        if item.get("type") == "json_invalid":
            reason = (item.get("ctx") or {}).get("error", "")
            message = f"the body is not valid JSON: {reason}".rstrip(": ")
        errors.append({"field": _field_name(item.get("loc", ())), "message": message})
    return errors


async def _atlas_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AtlasError)
    if status_for(exc) >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(exc)


def error_response(exc: AtlasError) -> JSONResponse:
    """The answer to ``exc``: its status (``status_for``), the error body and the headers
    its class calls for."""
    status = status_for(exc)
    headers: dict[str, str] = {}
    size = exc.detail.get("size")
    if isinstance(exc, RangeNotSatisfiableError) and isinstance(size, int):
        headers["Content-Range"] = f"bytes */{size}"
    if isinstance(exc, UnauthenticatedError):
        headers["WWW-Authenticate"] = "Bearer"
    retry_after = exc.detail.get("retry_after")
    if isinstance(exc, TooManyAttemptsError) and isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    detail = exc.detail
    if exc.code == InvalidInputError.code and "errors" not in detail:
        # The documented promise: every invalid_input lists its problems.
        detail = {**detail, "errors": [{"field": "body", "message": exc.message}]}
    body = error_body(exc.code, exc.message, detail)
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    message = f"invalid {first['field']}: {first['message']}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    body = error_body(InvalidInputError.code, message, {"errors": errors})
    return JSONResponse(body, status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 400:
        # The framework's "could not parse the body" (too deep, a number too long, ...):
        # to a client it is malformed input like any other.
        status = 422
    code = HTTP_CODES.get(status, "http_error")
    message = _http_message(request, status, str(exc.detail))
    if isinstance(exc.__cause__, UnicodeDecodeError):
        message = (
            f"the body is not UTF-8 JSON: {exc.__cause__.reason} at byte {exc.__cause__.start}"
        )
    headers = dict(exc.headers or {})
    if status == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    detail = {"errors": [{"field": "body", "message": message}]} if status == 422 else {}
    return JSONResponse(error_body(code, message, detail), status_code=status, headers=headers)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


def _http_message(request: Request, status: int, detail: str) -> str:
    if status == 404:
        return f"no route matches {request.method} {request.url.path}"
    if status == 405:
        return f"{request.method} is not allowed on {request.url.path}"
    if status == 413:
        return detail
    if status == 422:
        return "the body is not JSON this server can read (nested too deeply, a number too long)"
    return detail or HTTPStatus(status).phrase


_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) says a disk or quota is full: an
    ``OSError`` ``ENOSPC``/``EDQUOT``, SQLite's ``SQLITE_FULL`` or PostgreSQL's
    ``disk_full``, as the database driver raised it (``orig`` of SQLAlchemy's errors)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _FULL_ERRNOS:
            return True
        if getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        if getattr(error, "sqlstate", None) == _PG_DISK_FULL:
            return True
        orig = getattr(error, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None]
        pending += [error.__cause__, error.__context__]
    return False


async def _storage_error(request: Request, exc: Exception) -> JSONResponse:
    if not storage_full(exc):
        raise exc  # answered by _unexpected_error
    logger.error("%s %s failed: the disk is full (%s)", request.method, request.url.path, exc)
    return error_response(
        InsufficientStorageError(
            "the server's disk is full: nothing of this request was kept; free some space "
            "on the server (or raise its quota) and try again"
        )
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("%s %s failed unexpectedly", request.method, request.url.path)
    body = error_body("internal", "the server failed to answer; the error is in its log")
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Make every error ``app`` answers take the ``{"error": {...}}`` shape."""
    app.add_exception_handler(AtlasError, _atlas_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OSError, _storage_error)
    from sqlalchemy.exc import DBAPIError  # loaded with the app, which serves a database

    app.add_exception_handler(DBAPIError, _storage_error)
    app.add_exception_handler(Exception, _unexpected_error)
