"""Which addresses reach only this machine: the rule behind "no authentication → loopback
only" (``atlas server``'s bind check, and ``auth = auto``). Standard library only."""

from __future__ import annotations

import ipaddress
import socket

from atlas.errors import InvalidInputError

__all__ = ["WILDCARD_HOSTS", "is_loopback"]

WILDCARD_HOSTS = ("", "0.0.0.0", "::")
"""Addresses that mean "every interface"."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches this machine only.

    A name counts as loopback when every address it resolves to is a loopback address;
    ``0.0.0.0``, ``::`` and the empty string (all interfaces) never do.
    ``InvalidInputError`` for a name that does not resolve.
    """
    if host in WILDCARD_HOSTS:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InvalidInputError(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)
