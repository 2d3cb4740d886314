"""The notifier's connections (docs/notifications.md, "Where notifications may go"): an
``httpx`` transport whose every connection is opened to an address checked when the name
resolves, and whose every read and write is cut short at the send's deadline.

- **Hosts.** A rule's URL is a user's: while :func:`sending` is given ``check_hosts=True``
  the host is resolved here, and the send is refused (:class:`RefusedHostError`) when any of its
  addresses is loopback, link-local, private or otherwise not public
  (``atlas.notifications.refused_address``); the connection then goes to the address that
  was checked, so a name that resolves to another address a moment later (DNS rebinding)
  reaches nothing unchecked. TLS still verifies the certificate for the URL's name.
- **Deadline.** A receiver that answers one byte at a time never trips a per-read timeout;
  each read, write, connect and TLS handshake here waits at most what is left of the
  send's deadline, so one send never outlasts it (then ``httpx.ReadTimeout``).

Both are per thread: each send runs on one sender thread, inside ``with sending(...)``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from atlas.notifications import refused_address

__all__ = ["RefusedHostError", "guarded_transport", "past_deadline", "sending"]


class RefusedHostError(Exception):
    """The URL's host leads to an address notifications may not reach on this server."""


class _Send(threading.local):
    deadline: float | None = None
    check_hosts: bool = False


_send = _Send()


@contextmanager
def sending(*, deadline_s: float, check_hosts: bool) -> Iterator[None]:
    """Within the block, this thread's connections end ``deadline_s`` seconds from now and
    (``check_hosts``) reach only public addresses."""
    _send.deadline, _send.check_hosts = time.monotonic() + deadline_s, check_hosts
    try:
        yield
    finally:
        _send.deadline, _send.check_hosts = None, False


def past_deadline() -> bool:
    """Whether this thread's send (:func:`sending`) has run out of time (give or take the
    0.1 s by which a socket's timeout may end early)."""
    return _send.deadline is not None and time.monotonic() >= _send.deadline - 0.1


def guarded_transport(*, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An ``HTTPTransport`` (certificates verified as ``httpx`` does) over the checked
    connections of this module."""
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(  # the one pool argument HTTPTransport hides
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_Backend(),
    )
    return transport


def _left(timeout: float | None) -> float | None:
    """``timeout`` cut to what is left of this thread's deadline; ``httpcore.ReadTimeout``
    once it has passed."""
    if _send.deadline is None:
        return timeout
    left = _send.deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the send's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Backend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        address = _checked_address(host, port) if _send.check_hosts else host
        stream = super().connect_tcp(address, port, _left(timeout), local_address, socket_options)
        return _Stream(stream)


def _checked_address(host: str, port: int) -> str:
    """The first address ``host`` resolves to; :class:`RefusedHostError` when any of them is
    refused (a name with a public and a private address is refused as a whole)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc.strerror or exc}") from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        kind = refused_address(address)
        if kind is not None:
            said = f"{host} is {kind}" if host == address else f"{host} is {address}, {kind}"
            raise RefusedHostError(
                f"{said}: this server sends notifications to public addresses only "
                "(setting notify_private_hosts)"
            )
    return addresses[0]


class _Stream(httpcore.NetworkStream):
    """A connection whose every wait ends by the send's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)
