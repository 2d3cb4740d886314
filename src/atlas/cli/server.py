"""``atlas server``: API + GUI + scheduler in one process (``atlas db``: cli/db.py).

Start-up happens in an order that makes every likely mistake a one-line error before
anything is served: the address is checked (no non-loopback address without ``--insecure``:
Atlas has no authentication yet), the socket is bound, then the metadata store is opened and
migrated and the artifact store opened, and only then does uvicorn serve the app on the bound
socket. SIGINT and SIGTERM stop it gracefully: running requests finish, the app shuts down,
exit 0.

With a container engine, the same app is also served on a Unix socket under the home
(``Settings.socket_path``), made fresh at start and removed at stop: jobs in containers with
no network reach the server through it (docs/containers.md).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from atlas.cli.formats import mask_password
from atlas.cli.network import (
    WILDCARD_HOSTS,
    bind_socket,
    bind_unix_socket,
    is_loopback,
    server_url,
)
from atlas.errors import AtlasError, InvalidInputError, ResourceUnavailableError
from atlas.settings import Settings, load_settings
from atlas.version import __version__

if TYPE_CHECKING:
    import uvicorn

    from atlas.store.artifacts import ArtifactStore
    from atlas.store.sql_store import SqlStore

__all__ = [
    "LOG_LEVELS",
    "MAX_HEADER_BYTES",
    "RAY_PROBE_TIMEOUT_S",
    "configure_logging",
    "open_database",
    "server_command",
    "trusted_proxies",
]

logger = logging.getLogger(__name__)

LOG_LEVELS = ("debug", "info", "warning", "error")
GRACEFUL_SHUTDOWN_S = 10
# The most bytes of a request's header block the HTTP layer (h11) buffers while waiting for
# its end; past this it answers a plain-text 400 and closes, before the app or any
# authentication sees the request (docs/auth.md). h11's own default, 16 KiB, refuses a
# browser's cookies for localhost, which every local web app on any port shares.
MAX_HEADER_BYTES = 64 * 1024

INSECURE_WARNING = (
    "WARNING: Atlas is listening on {host} WITHOUT AUTHENTICATION. Anyone who can reach this "
    "address can read, change and delete every project, job and artifact, and run code on "
    "this machine through submitted jobs. Prefer the default 127.0.0.1 with an SSH tunnel "
    "(ssh -L 5555:127.0.0.1:5555 this-host)."
)


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
        # Request lines are noise at info (the SDK sends batches every second; importing the
        # spool at start sends one request per record, and httpx logs each at info: one
        # summary line says what was imported), and so is Alembic's chatter at every start
        # (open_database says what was migrated). At debug, every request is logged.
        for name in ("uvicorn.access", "httpx", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)


def open_database(url: str, *, query_timeout: float | None = None) -> SqlStore:
    """The metadata store at ``url``, migrated to the newest schema (``query_timeout``: see
    ``SqlStore``).

    ``InvalidInputError`` (password masked) when the URL is unusable or the database cannot
    be reached.
    """
    from sqlalchemy.exc import DBAPIError

    from atlas.store.schema import current_revision
    from atlas.store.sql_store import SqlStore

    try:
        store = SqlStore(url, query_timeout=query_timeout)
    except OSError as exc:
        raise _database_error(url, exc.strerror or str(exc)) from None
    try:
        before = current_revision(store.engine)
        store.upgrade()
        after = current_revision(store.engine)
    except DBAPIError as exc:
        store.close()
        lines = (line.strip() for line in str(exc.orig).splitlines())
        raise _database_error(url, " ".join(line for line in lines if line)) from None
    except BaseException:
        store.close()
        raise
    if before != after:
        logger.info("migrated %s from %s to %s", mask_password(url), before or "nothing", after)
    return store


def _database_error(url: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"cannot use the database {mask_password(url)}: {reason}")


def _open_artifacts(settings: Settings) -> ArtifactStore:
    from atlas.store.artifacts import S3Options, open_artifact_store

    location = settings.resolved_artifacts
    try:
        return open_artifact_store(location, s3=S3Options.from_settings(settings))
    except (ValueError, ImportError, OSError) as exc:
        # fsspec: ValueError for an unknown protocol, ImportError for a missing backend
        # (s3fs, gcsfs), OSError for credentials or a bucket it cannot reach.
        raise InvalidInputError(
            f"cannot use the artifact store {mask_password(location)}: {exc}"
        ) from None


def trusted_proxies(setting: str | None) -> list[str]:
    """The addresses and networks (``10.0.0.0/8``) of the ``trusted_proxies`` setting, whose
    X-Forwarded-For and X-Forwarded-Proto uvicorn believes; empty when unset.

    ``InvalidInputError`` for an entry that is neither (uvicorn would silently never match
    it, and ``*`` would let any client claim any address and https)."""
    entries = [entry.strip() for entry in (setting or "").split(",") if entry.strip()]
    for entry in entries:
        try:
            if "/" in entry:
                ipaddress.ip_network(entry, strict=False)
            else:
                ipaddress.ip_address(entry)
        except ValueError:
            raise InvalidInputError(
                f"trusted_proxies: {entry!r} is not an IP address or network (e.g. 127.0.0.1, "
                "10.0.0.0/8): list the addresses your reverse proxy connects from",
                detail={"setting": "trusted_proxies"},
            ) from None
    return entries


def _check_log_level(level: str) -> str:
    normal = level.strip().lower()
    if normal not in LOG_LEVELS:
        raise InvalidInputError(
            f"log level {level!r} is not one of {', '.join(LOG_LEVELS)}",
            detail={"setting": "log_level"},
        )
    return normal


def _check_bind(settings: Settings, *, insecure: bool) -> None:
    if settings.auth_enabled or is_loopback(settings.host):
        return
    shown = settings.host or "all interfaces"
    if not insecure:
        raise InvalidInputError(
            f"refusing to listen on {shown} with authentication off: anyone who can reach "
            "that address could read and delete all data and run code here. Leave `auth` at "
            "auto or on (docs/auth.md), bind to 127.0.0.1, or pass --insecure to accept the "
            "risk."
        )
    click.secho(INSECURE_WARNING.format(host=shown), fg="red", bold=True, err=True)


NO_ADMIN = (
    "No admin user yet. Create one with: atlas users add NAME --admin\n"
    "(on this host, with the same --home or --db-url), then start the server again."
)


def _check_admin(settings: Settings) -> None:
    """With authentication on, refuse to serve until someone can administer the server: an
    enabled admin, or single sign-on whose role map makes admins."""
    if not settings.auth_enabled:
        return
    if settings.oidc_issuer:
        from atlas.server.auth.oidc_accounts import parse_role_map

        if parse_role_map(settings.oidc_role_map).grants_admin:
            return
    store = open_database(settings.resolved_db_url, query_timeout=settings.query_timeout)
    try:
        admins = store.count_admins()
    finally:
        store.close()
    if admins == 0:
        raise AtlasError(NO_ADMIN)


RAY_PROBE_TIMEOUT_S = 5.0
"""How long the start waits for the Ray dashboard's first answer (an address where nothing
listens is refused at once; one that drops packets, after this)."""


def _check_ray(settings: Settings) -> None:
    """With ``executor = ray``, refuse to start, in one line naming the address, when no
    dashboard can be reached there: the executor would otherwise fail the app's start-up
    after the server announced its URL, with a traceback."""
    if settings.executor != "ray":
        return
    import importlib.util

    import httpx

    from atlas.executors.ray_cluster import INSTALL_HINT, dashboard_url

    if not settings.ray_address:
        raise InvalidInputError(
            "--executor ray needs --ray-address, the Ray dashboard's address such as "
            "http://10.0.0.5:8265 (docs/cluster.md)",
            detail={"setting": "ray_address"},
        )
    url = dashboard_url(settings.ray_address)  # a ray:// address is refused here
    if importlib.util.find_spec("ray") is None:
        raise ResourceUnavailableError(f"the Ray executor needs Ray on the server: {INSTALL_HINT}")
    try:
        httpx.get(f"{url}/api/version", timeout=RAY_PROBE_TIMEOUT_S)
    except httpx.TransportError as exc:
        raise ResourceUnavailableError(
            f"no Ray dashboard answers at {url} ({exc or type(exc).__name__}): start the "
            "cluster's head with `ray start --head --dashboard-host ...` or fix --ray-address "
            "(docs/cluster.md)",
            detail={"setting": "ray_address", "address": url},
        ) from None


@contextmanager
def _job_socket(settings: Settings) -> Iterator[socket.socket | None]:
    """The Unix socket through which jobs in containers reach the server, when it has a
    container engine; removed at the end unless another server has made its own there since.
    ``None`` without an engine, or (with a warning: such jobs then get the host's network)
    when it cannot be made."""
    if settings.container_engine_url is None:
        yield None
        return
    path = settings.socket_path
    try:
        sock = bind_unix_socket(path)
    except InvalidInputError as exc:
        logger.warning("%s; jobs in containers get the host's network instead", exc.message)
        yield None
        return
    made = path.stat()
    try:
        with sock:
            yield sock
    finally:
        _remove_socket(path, made)


def _remove_socket(path: Path, made: os.stat_result) -> None:
    try:
        now = path.stat()
        if (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino):
            path.unlink()
    except OSError:
        pass  # gone already


def _announce(settings: Settings, url: str, job_socket: socket.socket | None) -> None:
    click.echo(f"Atlas {__version__} serving {url}")
    if settings.host in WILDCARD_HOSTS:
        click.echo("  listening on all interfaces")
    if job_socket is not None:
        click.echo(f"  and unix://{job_socket.getsockname()} for jobs in containers")
    click.echo(f"  database:  {mask_password(settings.resolved_db_url)}")
    click.echo(f"  artifacts: {mask_password(settings.resolved_artifacts)}")
    click.echo(f"  home:      {settings.home_path}")
    click.echo("Press Ctrl-C to stop.")


def _uvicorn_server(
    settings: Settings, store: SqlStore, artifacts: ArtifactStore
) -> uvicorn.Server:
    import uvicorn

    from atlas.server.app import create_app

    proxies = trusted_proxies(settings.trusted_proxies)
    config = uvicorn.Config(
        create_app(settings, store=store, artifacts=artifacts),
        # h11 whatever else is installed: httptools has no limit on a header block.
        http="h11",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        # Without trusted proxies, X-Forwarded-* are ignored from every peer (uvicorn's own
        # default believes 127.0.0.1, so any local process could claim https).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        log_config=None,
        log_level=settings.log_level,
        access_log=settings.log_level == "debug",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        server_header=False,
    )
    return uvicorn.Server(config)


def _serve(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Before uvicorn installs its handlers, and when it re-raises the signal it caught
        # once it has shut down, a signal only asks the server to stop.
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=sockets)
    except SystemExit:
        pass  # uvicorn exits when the app fails to start; server.started tells
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise AtlasError("the server did not start; see the log above")


@click.command("server", short_help="Run the Atlas server (API, GUI, scheduler).")
@click.option("--host", metavar="ADDRESS", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, metavar="PORT", help="Port (default 5555; 0 picks a free one).")
@click.option("--db-url", metavar="URL", help="sqlite:///path or postgresql://user@host/db.")
@click.option("--artifacts", metavar="LOCATION", help="Artifact folder or fsspec URL (s3://...).")
@click.option("--home", metavar="DIR", help="Atlas home folder (default ~/.atlas).")
@click.option(
    "--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), help="Default info."
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    help="Where jobs run: local processes (default) or a Ray cluster (docs/cluster.md).",
)
@click.option(
    "--ray-address",
    metavar="URL",
    help="The Ray cluster's dashboard with --executor ray, e.g. http://10.0.0.5:8265.",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Serve a non-loopback address with authentication off (anyone may do anything).",
)
def server_command(
    host: str | None,
    port: int | None,
    db_url: str | None,
    artifacts: str | None,
    home: str | None,
    log_level: str | None,
    executor: str | None,
    ray_address: str | None,
    insecure: bool,
) -> None:
    """Run the Atlas server: REST API, web GUI and scheduler in one process.

    Binds 127.0.0.1:5555 by default and keeps its data under --home (SQLite database and
    artifact folder) unless --db-url and --artifacts say otherwise. On an address other than
    loopback, authentication is on (setting `auth`, docs/auth.md) and the server starts only
    once an admin user exists; --insecure serves such an address with authentication off.
    Stop it with Ctrl-C (or SIGTERM): it finishes what it is doing and exits 0.
    """
    overrides = {"host": host, "port": port, "db_url": db_url, "artifacts": artifacts}
    overrides |= {"executor": executor, "ray_address": ray_address}
    settings = load_settings({**overrides, "home": home, "log_level": log_level})
    settings = settings.with_overrides(log_level=_check_log_level(settings.log_level))
    if insecure and settings.auth == "auto":
        settings = settings.with_overrides(auth="off")  # the open mode, asked for by name
    _check_bind(settings, insecure=insecure)
    trusted_proxies(settings.trusted_proxies)  # a bad entry fails before anything is bound
    _check_admin(settings)
    _check_ray(settings)
    with bind_socket(settings.host, settings.port) as sock:
        # The port bound (``--port 0`` picks one): jobs reach the server through it.
        settings = settings.with_overrides(port=sock.getsockname()[1])
        configure_logging(settings.log_level)
        store = open_database(settings.resolved_db_url, query_timeout=settings.query_timeout)
        try:
            # before the app starts: the container executor looks for it as it is built
            with _job_socket(settings) as job_socket:
                server = _uvicorn_server(settings, store, _open_artifacts(settings))
                _announce(settings, server_url(settings.host, sock), job_socket)
                _serve(server, [sock] if job_socket is None else [sock, job_socket])
        finally:
            store.close()
    click.echo("Atlas server stopped.")
