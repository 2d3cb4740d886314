"""The AtlasError tree.

Every error that Atlas raises on purpose is one of these classes. Each class has a stable
``code``; the server maps each class to one HTTP status (``atlas.server.errors``) and the SDK
maps the code back to the same class, so a caller catches the same exception whether it
talks to the store in process or to a server over HTTP.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AtCapacityError",
    "AtlasError",
    "ConflictError",
    "CrossSiteRequestError",
    "CsrfError",
    "HostNotAllowedError",
    "InsufficientStorageError",
    "InvalidInputError",
    "InvalidTransitionError",
    "MissingExtraError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QuerySyntaxError",
    "QueryTooExpensiveError",
    "RangeNotSatisfiableError",
    "ResourceUnavailableError",
    "SchedulerOwnsStatusError",
    "ServerUnavailableError",
    "TooManyAttemptsError",
    "UnauthenticatedError",
    "ViewExistsError",
    "ViewNotFoundError",
    "ViewTooLargeError",
    "error_class_for_code",
]

JsonDetail = dict[str, object]


class AtlasError(Exception):
    """Root of every error Atlas raises on purpose.

    ``message`` is a sentence a person understands; ``detail`` carries machine-readable
    context (the offending field, a position in a query, ...).
    """

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, detail: JsonDetail | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: JsonDetail = detail or {}


class NotFoundError(AtlasError):
    """The named project, job, artifact or metric does not exist."""

    code = "not_found"


class ConflictError(AtlasError):
    """The request clashes with the current state (a duplicate name, ...)."""

    code = "conflict"


class InvalidTransitionError(ConflictError):
    """A job cannot move from its current status to the one asked for."""

    code = "invalid_transition"


class SchedulerOwnsStatusError(ConflictError):
    """A client tried to set the status or exit code of a scheduled job: only the scheduler
    records how its jobs end (cancel one instead)."""

    code = "scheduler_owns_status"


class InvalidInputError(AtlasError):
    """The request is malformed: wrong type, out of range, unsafe name, ..."""

    code = "invalid_input"


class QuerySyntaxError(InvalidInputError):
    """A job filter or sort expression does not parse.

    ``detail`` holds ``position`` (0-based offset into the query) and ``query``.
    """

    code = "invalid_query"

    @classmethod
    def at(cls, message: str, *, query: str, position: int) -> QuerySyntaxError:
        """Build the error for ``query`` with a caret under ``position``."""
        pointer = f"{query}\n{' ' * position}^"
        return cls(
            f"{message} at position {position}:\n{pointer}",
            detail={"query": query, "position": position},
        )


class QueryTooExpensiveError(InvalidInputError):
    """A job listing ran past its time limit and was stopped (narrow the filter).

    ``detail`` holds ``limit_s`` (the limit in seconds), ``filter`` and ``sort``.
    """

    code = "query_too_expensive"


class PayloadTooLargeError(InvalidInputError):
    """An upload or a batch is larger than the server accepts."""

    code = "payload_too_large"


class RangeNotSatisfiableError(InvalidInputError):
    """An HTTP Range header asks for bytes outside the file."""

    code = "range_not_satisfiable"


class UnauthenticatedError(AtlasError):
    """No valid credentials were given."""

    code = "unauthenticated"


class PermissionDeniedError(AtlasError):
    """The caller is known but may not do this."""

    code = "permission_denied"


class CsrfError(PermissionDeniedError):
    """A write made with a browser session's cookie lacks the session's CSRF token (the
    ``X-CSRF-Token`` header): a page of another site cannot read it, so cannot send it."""

    code = "csrf_failed"


class TooManyAttemptsError(AtlasError):
    """Too many failed logins for this user or from this address; ``detail.retry_after``
    says in how many seconds to try again."""

    code = "too_many_attempts"


class HostNotAllowedError(PermissionDeniedError):
    """The request names a host (its ``Host`` header) this server does not answer for: the
    guard against DNS rebinding (``allowed_hosts``)."""

    code = "host_not_allowed"


class CrossSiteRequestError(PermissionDeniedError):
    """A state-changing request sent by a web page of another site (``Origin`` or
    ``Sec-Fetch-Site``)."""

    code = "cross_site_request"


class InsufficientStorageError(AtlasError):
    """The server's disk (or quota) is full: nothing of the request was kept."""

    code = "insufficient_storage"


class ResourceUnavailableError(AtlasError):
    """The request can never be met with the resources that exist."""

    code = "resource_unavailable"


class MissingExtraError(ResourceUnavailableError):
    """The server lacks an optional part the request needs (``detail.extra``: the
    ``atlas-ml[...]`` extra to install there)."""

    code = "missing_extra"


class AtCapacityError(ConflictError):
    """Every slot of a bounded resource is in use (TensorBoards: ``max_tensorboards``), none
    idle enough to be given up; try again later."""

    code = "at_capacity"


class ServerUnavailableError(AtlasError):
    """No Atlas server answered (client side only)."""

    code = "server_unavailable"


class ViewNotFoundError(NotFoundError):
    """No saved view has this id."""

    code = "view_not_found"


class ViewExistsError(ConflictError):
    """The project already has a saved view of this name."""

    code = "view_exists"


class ViewTooLargeError(PayloadTooLargeError):
    """A saved view's state is over ``atlas.names.MAX_VIEW_STATE_BYTES`` as JSON."""

    code = "view_too_large"


def _all_subclasses(cls: type[AtlasError]) -> list[type[AtlasError]]:
    found: list[type[AtlasError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def error_class_for_code(code: str) -> type[AtlasError]:
    """Return the error class whose ``code`` is ``code`` (``AtlasError`` when unknown)."""
    for cls in _all_subclasses(AtlasError):
        if cls.code == code:
            return cls
    return AtlasError
