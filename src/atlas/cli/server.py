"""``atlas server`` (API + GUI + scheduler in one process) and ``atlas db upgrade``.

The server binds its socket itself before anything else starts, so a port in use is a one-line
error, and ``--port 0`` picks a free port (the printed URL names it). Without authentication
(which Atlas does not have yet) it binds only to a loopback address unless told ``--insecure``.
SIGINT and SIGTERM stop it gracefully: running requests finish, the app shuts down, exit 0.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import signal
import socket
import sys
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import click

from atlas.errors import ConflictError, InvalidInputError
from atlas.settings import Settings, load_settings
from atlas.version import __version__

if TYPE_CHECKING:
    import uvicorn

__all__ = [
    "LOG_LEVELS",
    "bind_socket",
    "configure_logging",
    "db_group",
    "is_loopback",
    "mask_password",
    "server_command",
]

LOG_LEVELS = ("debug", "info", "warning", "error")
GRACEFUL_SHUTDOWN_S = 10
WILDCARD_HOSTS = ("", "0.0.0.0", "::")

INSECURE_WARNING = (
    "WARNING: Atlas is listening on {host} WITHOUT AUTHENTICATION. Anyone who can reach this "
    "address can read, change and delete every project, job and artifact, and run code on "
    "this machine through submitted jobs. Prefer the default 127.0.0.1 with an SSH tunnel "
    "(ssh -L 5555:127.0.0.1:5555 this-host)."
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches this machine only.

    A name counts as loopback when every address it resolves to is a loopback address;
    ``0.0.0.0``, ``::`` and the empty string (all interfaces) never do.
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


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (``port`` 0: any free port).

    ``ConflictError`` when the port is taken, ``InvalidInputError`` for an address this
    machine does not have.
    """
    if not 0 <= port <= 65535:
        raise InvalidInputError(f"port {port} is out of range (0-65535)")
    family, address = _resolve(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and host in WILDCARD_HOSTS:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port) from None
    return sock


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


def mask_password(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))


def configure_logging(level: str) -> None:
    """Send every log record at ``level`` or above to stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if level != "debug":
        # Request lines are noise at info (the SDK sends batches every second), and so is
        # Alembic listing its plugins at every start.
        for name in ("uvicorn.access", "alembic.runtime.plugins"):
            logging.getLogger(name).setLevel(logging.WARNING)


def _check_log_level(level: str) -> str:
    normal = level.strip().lower()
    if normal not in LOG_LEVELS:
        raise InvalidInputError(
            f"log level {level!r} is not one of {', '.join(LOG_LEVELS)}",
            detail={"setting": "log_level"},
        )
    return normal


def _check_bind(host: str, *, insecure: bool) -> None:
    if is_loopback(host):
        return
    if not insecure:
        shown = host or "all interfaces"
        raise InvalidInputError(
            f"refusing to listen on {shown}: Atlas has no authentication yet, so anyone who "
            "can reach that address could read and delete all data and run code here. Bind to "
            "127.0.0.1 (the default), or pass --insecure to accept the risk."
        )
    click.secho(
        INSECURE_WARNING.format(host=host or "all interfaces"), fg="red", bold=True, err=True
    )


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _announce(settings: Settings, url: str) -> None:
    click.echo(f"Atlas {__version__} serving {url}")
    if settings.host in WILDCARD_HOSTS:
        click.echo("  listening on all interfaces")
    click.echo(f"  database:  {mask_password(settings.resolved_db_url)}")
    click.echo(f"  artifacts: {mask_password(settings.resolved_artifacts)}")
    click.echo(f"  home:      {settings.home_path}")
    click.echo("Press Ctrl-C to stop.")


def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Before uvicorn installs its handlers (and when it re-raises the signal it caught
        # after a graceful shutdown), a signal only asks the server to stop.
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def _uvicorn_server(settings: Settings) -> uvicorn.Server:
    import uvicorn

    from atlas.server.app import create_app

    config = uvicorn.Config(
        create_app(settings),
        log_config=None,
        log_level=settings.log_level,
        access_log=settings.log_level == "debug",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        server_header=False,
    )
    return uvicorn.Server(config)


@click.command("server")
@click.option("--host", metavar="ADDRESS", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, metavar="PORT", help="Port (default 5555; 0 picks a free one).")
@click.option("--db-url", metavar="URL", help="sqlite:///path or postgresql://user@host/db.")
@click.option("--artifacts", metavar="LOCATION", help="Artifact folder or fsspec URL (s3://...).")
@click.option("--home", metavar="DIR", help="Atlas home folder (default ~/.atlas).")
@click.option(
    "--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), help="Default info."
)
@click.option(
    "--insecure", is_flag=True, help="Allow a non-loopback address without authentication."
)
def server_command(
    host: str | None,
    port: int | None,
    db_url: str | None,
    artifacts: str | None,
    home: str | None,
    log_level: str | None,
    insecure: bool,
) -> None:
    """Run the Atlas server: REST API, web GUI and scheduler in one process.

    Binds 127.0.0.1:5555 by default; stop it with Ctrl-C.
    """
    overrides = {"host": host, "port": port, "db_url": db_url, "artifacts": artifacts}
    settings = load_settings({**overrides, "home": home, "log_level": log_level})
    settings = settings.with_overrides(log_level=_check_log_level(settings.log_level))
    _check_bind(settings.host, insecure=insecure)
    sock = bind_socket(settings.host, settings.port)
    try:
        configure_logging(settings.log_level)
        server = _uvicorn_server(settings)
    except BaseException:
        sock.close()
        raise
    _announce(settings, _url(settings.host, sock))
    _serve(server, sock)
    if not server.started:
        raise InvalidInputError("the server did not start; see the log above")
    click.echo("Atlas server stopped.")


@click.group("db")
def db_group() -> None:
    """Manage the metadata database."""


@db_group.command("upgrade")
@click.option("--db-url", metavar="URL", help="sqlite:///path or postgresql://user@host/db.")
@click.option("--home", metavar="DIR", help="Atlas home folder (default ~/.atlas).")
def db_upgrade_command(db_url: str | None, home: str | None) -> None:
    """Create the database or migrate it to the newest schema."""
    settings = load_settings({"db_url": db_url, "home": home})
    url = settings.resolved_db_url
    revision = _upgrade_database(url)
    click.echo(f"{mask_password(url)} is at revision {revision}")


def _upgrade_database(url: str) -> str | None:
    """Migrate the database at ``url``; its revision afterwards."""
    from sqlalchemy.exc import DBAPIError

    from atlas.store.schema import current_revision
    from atlas.store.sql_store import SqlStore

    try:
        store = SqlStore(url)
        try:
            store.upgrade()
            return current_revision(store.engine)
        finally:
            store.close()
    except DBAPIError as exc:
        reason = " ".join(line.strip() for line in str(exc.orig).splitlines() if line.strip())
        raise InvalidInputError(f"cannot use the database {mask_password(url)}: {reason}") from None
    except OSError as exc:
        raise InvalidInputError(
            f"cannot use the database {mask_password(url)}: {exc.strerror or exc}"
        ) from None
