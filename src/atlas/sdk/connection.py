"""HTTP to one Atlas server: the token, the timeout, and error answers raised as the same
``AtlasError`` class the server raised.

The server is an ``http://`` or ``https://`` URL, or ``unix:///path/to.sock``: a server's
Unix socket (a job in a container with no network reaches its server so), spoken to as
``http://localhost``.

The error body ``{"error": {"code", "message", "detail"}}`` names the class by its ``code``
(``atlas.errors.error_class_for_code``). An answer without that body (a proxy, a crash) is
mapped from its HTTP status; every 5xx, and every request no server answered (refused
connection, timeout), is a ``ServerUnavailableError``, which the SDK retries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

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
from atlas.names import check_artifact_path
from atlas.sdk.lean_httpx import httpx

__all__ = [
    "API_PREFIX",
    "Connection",
    "UNIX_SCHEME",
    "artifact_url",
    "error_for",
    "file_chunks",
    "http_client",
    "raise_for_error",
    "segment",
    "slashed",
]

API_PREFIX = "/api/v1"
CHUNK = 1 << 20
UNIX_SCHEME = "unix://"
"""The scheme of a server URL that names a Unix socket: ``unix:///path/to.sock``."""
_UNIX_BASE_URL = "http://localhost"
"""The base URL of requests over a Unix socket: ``Host: localhost``, which the server's host
guard answers."""


def segment(value: str) -> str:
    """One URL path segment (a project name, a job id)."""
    return quote(value, safe="")


def slashed(value: str) -> str:
    """A ``/``-separated URL path (an artifact path, a metric, param or tag key)."""
    return quote(value, safe="/")


def artifact_url(job_id: str, path: str) -> str:
    """The URL of an artifact; ``InvalidInputError`` for an unsafe path (HTTP clients would
    resolve ``..`` before the server could refuse it)."""
    return f"/jobs/{segment(job_id)}/artifacts/{slashed(check_artifact_path(path))}"


def http_client(url: str, *, timeout: float | None) -> httpx.Client:
    """An ``httpx.Client`` for the server at ``url`` (``http://``, ``https://`` or
    ``unix:///path/to.sock``); ``InvalidInputError`` for a ``unix://`` URL without a path."""
    if url.startswith(UNIX_SCHEME):
        path = url.removeprefix(UNIX_SCHEME)
        if not path:
            raise InvalidInputError(
                f"{url!r} names no socket: give a server's socket as unix:///path/to.sock"
            )
        # No TLS on a socket (loading the CA bundle would only slow every job's start), and
        # no proxy from the environment: requests go to the socket, nowhere else.
        transport = httpx.HTTPTransport(uds=path, verify=False)
        return httpx.Client(
            base_url=_UNIX_BASE_URL, transport=transport, timeout=timeout, trust_env=False
        )
    # A plain-http server never uses TLS (redirects are not followed), so skip loading the CA
    # bundle: it costs tens of milliseconds at every job's start.
    return httpx.Client(base_url=url, timeout=timeout, verify=not url.startswith("http://"))


def file_chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a file, a MiB at a time."""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class Connection:
    """Sends requests to one server (see ``Client`` for the arguments)."""

    def __init__(
        self,
        url: str | None,
        token: str | None,
        *,
        http: httpx.Client | None,
        timeout: float | None,
    ) -> None:
        # An ``http`` client given without a timeout keeps its own (a TestClient has none).
        self._timeout = timeout
        if token is None or (http is None and (url is None or timeout is None)):
            from atlas.sdk.configuration import sdk_settings_for

            # The settings' token is for the settings' server: for another URL, the token
            # resolved for that one (never a token of one server sent to another).
            settings = sdk_settings_for(url if http is None else None)
            token = settings.token if token is None else token
            timeout = settings.timeout if timeout is None else timeout
            url = settings.url if url is None else url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._socket_url: str | None = None  # a unix:// URL, which the base URL cannot say
        if http is None:
            base = str(url).rstrip("/")
            self._http = http_client(base, timeout=timeout)
            self._owns_http = True
            if base.startswith(UNIX_SCHEME):
                self._socket_url = base
        else:
            self._http = http
            self._owns_http = False

    @property
    def url(self) -> str:
        """The server's base URL (``unix:///path/to.sock`` for a socket)."""
        return self._socket_url or str(self._http.base_url).rstrip("/")

    def use_session(self, csrf_token: str | None) -> None:
        """Send ``csrf_token`` as ``X-CSRF-Token`` with every request from now on (the
        session cookie a login set is kept by the HTTP client); ``None`` stops sending it."""
        if csrf_token is None:
            self._headers.pop("X-CSRF-Token", None)
        else:
            self._headers["X-CSRF-Token"] = csrf_token

    def close(self) -> None:
        """Close the connections this opened (not an ``http`` client given to it)."""
        if self._owns_http:
            self._http.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | Iterator[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        prefix: str = API_PREFIX,
    ) -> httpx.Response:
        """Send a request (``body`` as JSON); raise the ``AtlasError`` of an error answer."""
        all_headers = dict(self._headers)
        if headers:
            all_headers.update(headers)
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json"
        options: dict[str, object] = {} if self._timeout is None else {"timeout": self._timeout}
        try:
            response = self._http.request(
                method,
                prefix + path,
                content=content,
                params=params,
                headers=all_headers,
                **options,  # type: ignore[arg-type]
            )
        except httpx.TransportError as exc:
            raise self._unavailable(method, prefix + path, exc) from exc
        except httpx.HTTPError as exc:  # too many redirects, an undecodable answer, ...
            raise AtlasError(f"{method} {prefix}{path} at {self.url} failed: {exc}") from exc
        raise_for_error(response, method, prefix + path)
        return response

    def json(self, method: str, path: str, **options: object) -> object:
        """:meth:`send`, answering the decoded JSON body."""
        response = self.send(method, path, **options)  # type: ignore[arg-type]
        try:
            return response.json()
        except ValueError as exc:
            raise AtlasError(
                f"{method} {path} at {self.url}: the answer is not JSON: {response.text[:200]!r}"
            ) from exc

    def download(self, path: str, target: Path) -> Path:
        """Stream the answer to ``GET path`` into ``target`` (whole or not at all)."""
        url = API_PREFIX + path
        partial = target.with_name(target.name + ".partial")
        try:
            with self._http.stream("GET", url, headers=self._headers) as response:
                if response.status_code >= 400:
                    response.read()
                    raise_for_error(response, "GET", url)
                with partial.open("wb") as handle:
                    for chunk in response.iter_bytes(CHUNK):
                        handle.write(chunk)
        except httpx.TransportError as exc:
            partial.unlink(missing_ok=True)
            raise self._unavailable("GET", url, exc) from exc
        partial.replace(target)
        return target

    @contextmanager
    def stream(
        self, path: str, *, params: Mapping[str, str | int] | None = None
    ) -> Iterator[httpx.Response]:
        """An open streamed answer to ``GET path`` with no read timeout (a long-lived
        stream such as server-sent events); raises the ``AtlasError`` of an error answer."""
        url = API_PREFIX + path
        timeout = httpx.Timeout(self._timeout or 10.0, read=None)
        try:
            with self._http.stream(
                "GET", url, params=params, headers=self._headers, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise_for_error(response, "GET", url)
                yield response
        except httpx.TransportError as exc:
            raise self._unavailable("GET", url, exc) from exc

    def _unavailable(self, method: str, url: str, exc: Exception) -> ServerUnavailableError:
        return ServerUnavailableError(
            f"no Atlas server answered {method} {url} at {self.url}: {exc}",
            detail={"url": self.url},
        )


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
