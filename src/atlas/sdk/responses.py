"""Error answers of the REST API, raised as the same ``AtlasError`` class the server raised.

The body ``{"error": {"code", "message", "detail"}}`` names the class by its ``code``
(``atlas.errors.error_class_for_code``). An answer without that body (a proxy, a crash) is
mapped from its HTTP status; every 5xx is a ``ServerUnavailableError``, which the SDK retries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas.errors import (
    AtlasError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RangeNotSatisfiableError,
    ServerUnavailableError,
    UnauthenticatedError,
    error_class_for_code,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["error_for", "raise_for_error"]

_BY_STATUS: dict[int, type[AtlasError]] = {
    400: InvalidInputError,
    401: UnauthenticatedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    416: RangeNotSatisfiableError,
    422: InvalidInputError,
}


def _error_body(response: httpx.Response) -> dict[str, object] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) and isinstance(error.get("code"), str) else None


def error_for(response: httpx.Response, method: str, path: str) -> AtlasError:
    """The ``AtlasError`` an error answer stands for."""
    status = response.status_code
    if status >= 500:
        return ServerUnavailableError(
            f"the Atlas server failed on {method} {path}: HTTP {status} "
            f"{response.text[:300].strip()}",
            detail={"status": status},
        )
    body = _error_body(response)
    if body is None:
        cls = _BY_STATUS.get(status, AtlasError)
        return cls(
            f"{method} {path}: HTTP {status} {response.text[:300].strip()}",
            detail={"status": status},
        )
    detail = body.get("detail")
    cls = error_class_for_code(str(body["code"]))
    message = str(body.get("message") or f"{method} {path}: HTTP {status}")
    error = cls(message, detail=dict(detail) if isinstance(detail, dict) else None)
    if cls is AtlasError:
        error.detail.setdefault("code", body["code"])
    return error


def raise_for_error(response: httpx.Response, method: str, path: str) -> None:
    """Raise the ``AtlasError`` of an error answer (status 400 or more); else nothing."""
    if response.status_code >= 400:
        raise error_for(response, method, path)
