"""Which web pages may talk to the server: the guard against DNS rebinding and cross-site
requests (docs/rest-api.md#security).

Atlas has no authentication: anything that can send it a request can run code through a
submitted job. Two rules keep web pages out while the SDK, the CLI, curl and the GUI work:

- **Host**: every request (the API, ``/healthz``, the GUI, the docs) must name, in its
  ``Host`` header, a loopback name or address (``localhost``, ``*.localhost``,
  ``127.0.0.0/8``, ``[::1]``, any port), an entry of the ``allowed_hosts`` setting, or the
  address the server was told to bind (``--insecure``; bound to every interface, any IP
  address, which no DNS answer can stand for). A page whose name was rebound to 127.0.0.1
  sends its own name, so it gets 421 ``host_not_allowed``.
- **Origin**: a state-changing request (``POST``, ``PUT``, ``PATCH``, ``DELETE``) that a
  browser marks as sent by another site (``Sec-Fetch-Site: cross-site`` or ``same-site``,
  or an ``Origin`` other than the server's own) gets 403 ``cross_site_request`` before any
  route runs. Clients that are not browsers send neither header and pass; browsers send
  ``Origin`` with every such request, so no form post, ``fetch`` or ``<img>`` of another
  page can change anything. A WebSocket handshake, which browsers send from any page, is
  held to the same rules and refused with close code 1008.

``Guard`` is a pure ASGI middleware (request and answer bodies stream through untouched).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from atlas.errors import AtlasError, CrossSiteRequestError, HostNotAllowedError, InvalidInputError
from atlas.server.errors import error_response

__all__ = ["STATE_CHANGING_METHODS", "Guard", "HostPolicy", "split_host"]

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods that may change something, so a page of another site may never send them."""

WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
"""Bind addresses that mean "every interface"."""

_CROSS_SITE = frozenset({"cross-site", "same-site"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_NAME = re.compile(r"(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
_SHOWN = 100  # characters of a foreign host repeated in an error
_CLOSE_REASON_CHARS = 120  # a WebSocket close reason holds at most 123 bytes


def split_host(value: str) -> tuple[str, int | None]:
    """``"Name:8080"`` -> ``("name", 8080)``, ``"[::1]"`` -> ``("::1", None)``: a ``Host``
    header (or an origin's netloc) as a lowercase name without its final dot, and its port.
    ``("", None)`` when it is not one."""
    value = value.strip().lower()
    port: int | None = None
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return "", None
        port_text = rest[1:] if rest else None
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, None
    if port_text is not None:
        if not port_text.isdigit() or int(port_text) > 65535:
            return "", None
        port = int(port_text)
    return name.removesuffix("."), port


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The host names and addresses a server answers for (see the module's docstring)."""

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    any_host: bool = False
    any_address: bool = False

    @classmethod
    def build(cls, allowed_hosts: str | None, *, bind: str = "127.0.0.1") -> HostPolicy:
        """The policy for the ``allowed_hosts`` setting (comma-separated names, addresses
        and ``*.suffix`` wildcards; ``*`` alone turns the check off) of a server bound to
        ``bind``. ``InvalidInputError`` naming the setting for an entry that is none."""
        names: set[str] = set()
        suffixes: list[str] = []
        any_host = False
        for raw in (allowed_hosts or "").split(","):
            entry = raw.strip().lower().removesuffix(".")
            if not entry:
                continue
            if entry == "*":
                any_host = True
            elif _ip(entry.strip("[]")) is not None:
                names.add(entry.strip("[]"))
            elif _NAME.fullmatch(entry):
                if entry.startswith("*."):
                    suffixes.append(entry[1:])
                else:
                    names.add(entry)
            else:
                raise InvalidInputError(
                    f"allowed_hosts: {raw.strip()!r} is not a host name, an IP address or a "
                    "*.domain wildcard (no scheme, port or path)",
                    detail={"setting": "allowed_hosts"},
                )
        bound = bind.strip().strip("[]").lower()
        if bound not in WILDCARD_ADDRESSES:
            names.add(bound)
        return cls(frozenset(names), tuple(suffixes), any_host, bound in WILDCARD_ADDRESSES)

    def allows(self, name: str) -> bool:
        """Whether a request whose ``Host`` names ``name`` (as ``split_host`` gives it) is
        answered."""
        if not name:
            return False
        if self.any_host or name in self.names:
            return True
        if name == "localhost" or name.endswith(".localhost"):
            return True
        address = _ip(name)
        if address is not None:
            return address.is_loopback or self.any_address
        return any(name.endswith(suffix) for suffix in self.suffixes)


class Guard:
    """Refuse requests for hosts ``policy`` does not allow (421) and state-changing requests
    a browser sent from another site (403), in the API's error shape."""

    def __init__(self, app: ASGIApp, *, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self.refusal(scope) if scope["type"] in ("http", "websocket") else None
        if refusal is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await error_response(refusal)(scope, receive, send)
        else:  # refuse the handshake: 1008, policy violation
            await receive()
            reason = refusal.message[:_CLOSE_REASON_CHARS]
            await send({"type": "websocket.close", "code": 1008, "reason": reason})

    def refusal(self, scope: Scope) -> AtlasError | None:
        """Why the request of ``scope`` may not reach the app, or ``None``. A WebSocket
        (which no browser keeps to its own origin) is held to the rules of a write."""
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name, port = split_host(host)
        if not self.policy.allows(name):
            shown = host[:_SHOWN]
            return HostNotAllowedError(
                f"this server does not answer for the host {shown!r}: it answers only for "
                "localhost, loopback addresses and the names of its allowed_hosts setting, "
                "to keep web pages out (DNS rebinding). To reach it under this name, add "
                "the name to allowed_hosts (ATLAS_ALLOWED_HOSTS) and restart it.",
                detail={"host": shown, "setting": "allowed_hosts"},
            )
        what = scope.get("method", "a WebSocket")
        if scope["type"] == "http" and what not in STATE_CHANGING_METHODS:
            return None
        fetch_site = headers.get("sec-fetch-site", "").lower()
        origin = headers.get("origin")
        if fetch_site in _CROSS_SITE or (
            origin is not None and not _same_origin(origin, scope["scheme"], name, port)
        ):
            return CrossSiteRequestError(
                f"{what} refused: a web page of another site "
                f"({(origin or fetch_site)[:_SHOWN]}) may not change anything on this server. "
                "Use the Atlas GUI served by this server, the CLI or the SDK.",
                detail={"origin": (origin or "")[:_SHOWN], "sec_fetch_site": fetch_site},
            )
        return None


def _same_origin(origin: str, scheme: str, host: str, port: int | None) -> bool:
    """Whether ``origin`` (scheme://host[:port], or ``null``) is the server's own origin,
    reached with ``scheme`` as ``host``:``port`` (``port`` ``None``: the scheme's default;
    behind a TLS proxy, uvicorn takes the scheme from ``X-Forwarded-Proto``)."""
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if default is None or parts.path not in ("", "/") or parts.query or parts.username:
        return False
    origin_host, origin_port = split_host(parts.netloc)
    own_port = port or _DEFAULT_PORTS.get(scheme, 80)
    return origin_host == host and (origin_port or default) == own_port
