"""Where ``atlas server`` listens: loopback checks and binding its socket up front.

The server binds its socket itself before anything else starts, so a port in use is a one-line
error, ``--port 0`` picks a free port (the printed URL names it), and nothing heavy is loaded
before the address is known to be usable.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

from atlas.addresses import WILDCARD_HOSTS, is_loopback
from atlas.errors import ConflictError, InvalidInputError

__all__ = ["WILDCARD_HOSTS", "bind_socket", "bind_unix_socket", "is_loopback", "server_url"]

BACKLOG = 2048
UNIX_SOCKET_MODE = 0o666
"""Who may connect to the server's Unix socket: every local user, as to its loopback port (a
job's user in a container may map to any user id on the host)."""
UNIX_FOLDER_MODE = 0o755


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (``port`` 0: any free port).

    ``ConflictError`` when the port is taken, ``InvalidInputError`` for an address this
    machine does not have or a port out of range.
    """
    if not 0 <= port <= 65535:
        raise InvalidInputError(f"port {port} is out of range (0-65535)")
    family, address = _resolve(host, port)
    # Name the protocol: asyncio sets TCP_NODELAY only on sockets whose proto is TCP, and
    # without it every request on a kept-open connection waits ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and host in WILDCARD_HOSTS:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # IPv4 too
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port) from None
    return sock


def bind_unix_socket(path: Path) -> socket.socket:
    """A listening Unix socket at ``path``, made fresh (a socket that a killed server left
    there is replaced) with :data:`UNIX_SOCKET_MODE` in a folder every user may enter.

    ``InvalidInputError`` when it cannot be made: something else at ``path``, a path longer
    than the system allows (about 100 bytes), no right to write the folder.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(UNIX_FOLDER_MODE)
        if path.is_symlink() or (path.exists() and not stat.S_ISSOCK(path.stat().st_mode)):
            raise InvalidInputError(f"cannot serve a socket at {path}: something else is there")
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"cannot serve a socket at {path}: {exc.strerror or exc}") from None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(os.fspath(path))
        path.chmod(UNIX_SOCKET_MODE)  # bind obeys the umask
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise InvalidInputError(f"cannot serve a socket at {path}: {exc.strerror or exc}") from None
    return sock


def server_url(host: str, sock: socket.socket) -> str:
    """The URL a client on this machine uses to reach a server listening on ``sock``."""
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _resolve(host: str, port: int) -> tuple[socket.AddressFamily, tuple[object, ...]]:
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError as exc:
        raise InvalidInputError(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first for "localhost"
    family, _type, _proto, _name, address = infos[0]
    return family, tuple(address)


def _bind_error(exc: OSError, host: str, port: int) -> ConflictError | InvalidInputError:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return ConflictError(
            f"port {port} on {host} is already in use (another Atlas server?); "
            f"stop it or pick another port with --port",
            detail={"host": host, "port": port},
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return InvalidInputError(f"cannot bind to {where}: this machine has no such address")
    if exc.errno == errno.EACCES:
        return InvalidInputError(f"cannot bind to {where}: permission denied (ports < 1024?)")
    return InvalidInputError(f"cannot bind to {where}: {exc.strerror or exc}")
