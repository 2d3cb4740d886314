"""`atlas server` and `atlas db upgrade`: real processes, real sockets, real databases."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from click.testing import CliRunner

from atlas.cli.formats import mask_password
from atlas.cli.main import cli
from atlas.cli.network import bind_unix_socket, is_loopback
from atlas.cli.server import RAY_PROBE_TIMEOUT_S
from atlas.errors import InvalidInputError
from atlas.version import __version__
from tests.cli.conftest import clean_env, running_server

PG_URL = os.environ.get("ATLAS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def test_server_says_where_it_serves_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with running_server(home) as server:
        assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
        announced = "".join(server.stdout)
    assert server.url.startswith("http://127.0.0.1:")
    assert announced.startswith(f"Atlas {__version__} serving {server.url}\n")
    assert f"  database:  sqlite:///{home}/atlas.db\n" in announced
    assert f"  artifacts: {home}/artifacts\n" in announced
    assert "".join(server.stdout).endswith("Atlas server stopped.\n")
    assert "Traceback" not in server.output()
    assert not (home / "run").exists()  # no container engine: no socket for jobs


def test_the_socket_for_jobs_is_made_fresh_and_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "run" / "atlas.sock"
    with bind_unix_socket(path):
        pass  # closed without removing it, as by a server that was killed
    with bind_unix_socket(path) as sock, socket.socket(socket.AF_UNIX) as client:
        client.connect(str(path))  # the fresh socket answers where the stale one was
        accepted, _ = sock.accept()
        accepted.close()
    assert oct(path.stat().st_mode & 0o777) == "0o666"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o755"
    path.unlink()
    path.write_text("mine")
    with pytest.raises(InvalidInputError, match="something else is there"):
        bind_unix_socket(path)
    assert path.read_text() == "mine"
    with pytest.raises(InvalidInputError, match="too long"):
        bind_unix_socket(tmp_path / ("x" * 120) / "atlas.sock")


def test_sigterm_stops_the_server_cleanly_too(tmp_path: Path) -> None:
    with running_server(tmp_path / "home", stop_signal=signal.SIGTERM) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert "Atlas server stopped." in "".join(server.stdout)


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another socket listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_port_in_use_is_a_one_line_error(taken_port: int) -> None:
    result = CliRunner().invoke(cli, ["server", "--port", str(taken_port)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: port {taken_port} on 127.0.0.1 is already in use (another Atlas server?); "
        "stop it or pick another port with --port\n"
    )


def test_a_port_in_use_gives_no_traceback_from_the_real_command(
    tmp_path: Path, taken_port: int
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "server", "--port", str(taken_port)],
        env=clean_env(tmp_path / "home"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: port {taken_port} on 127.0.0.1 is already in use")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_loopback_address_turns_authentication_on_and_needs_an_admin(
    host: str, tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    result = CliRunner().invoke(cli, ["server", "--host", host, "--port", "0", "--home", home])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: No admin user yet. Create one with: atlas users add")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_a_non_loopback_address_with_authentication_off_is_refused_without_insecure(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "off")
    result = CliRunner().invoke(cli, ["server", "--host", host, "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: refusing to listen on {host} with authentication off")
    assert "--insecure" in result.stderr


def test_a_non_loopback_address_from_the_environment_needs_authentication_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ATLAS_HOST", "0.0.0.0")
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["server"])
    assert result.exit_code == 1
    assert "No admin user yet" in result.stderr


def test_insecure_binds_everywhere_with_a_loud_warning(tmp_path: Path) -> None:
    with running_server(
        tmp_path / "home", ["--host", "0.0.0.0", "--port", "0", "--insecure"]
    ) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert "WARNING: Atlas is listening on 0.0.0.0 WITHOUT AUTHENTICATION" in "".join(server.stderr)
    assert "  listening on all interfaces\n" in "".join(server.stdout)


def test_a_bad_log_level_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOG_LEVEL", "loud")
    result = CliRunner().invoke(cli, ["server", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr == "error: log level 'loud' is not one of debug, info, warning, error\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("http://127.0.0.1:{free}", "error: no Ray dashboard answers at http://127.0.0.1:{free} ("),
        ("127.0.0.1:{free}", "error: no Ray dashboard answers at http://127.0.0.1:{free} ("),
        # TEST-NET-1: never routed, so packets vanish (or the network says unreachable)
        ("http://192.0.2.1:8265", "error: no Ray dashboard answers at http://192.0.2.1:8265 ("),
        (
            "ray://127.0.0.1:10001",
            "error: setting ray_address must be the Ray dashboard's address, such as "
            "http://10.0.0.5:8265, not 'ray://127.0.0.1:10001'",
        ),
    ],
)
def test_a_ray_address_without_a_dashboard_stops_the_start_with_one_line(
    address: str, message: str, tmp_path: Path
) -> None:
    free = _free_port()
    args = ["server", "--port", "0", "--home", str(tmp_path / "home"), "--executor", "ray"]
    start = time.monotonic()
    result = CliRunner().invoke(cli, [*args, "--ray-address", address.format(free=free)])
    took = time.monotonic() - start
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # nothing announced, nothing bound
    assert result.stderr.startswith(message.format(free=free)), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert took < RAY_PROBE_TIMEOUT_S + 5, took
    assert not (tmp_path / "home" / "atlas.db").exists()  # refused before the store opens


def test_the_ray_executor_without_an_address_is_a_clear_error(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    result = CliRunner().invoke(cli, ["server", "--port", "0", "--home", home, "--executor", "ray"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --executor ray needs --ray-address")


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("127.0.0.2")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("::")
    assert not is_loopback("")
    assert not is_loopback("10.1.2.3")


def test_passwords_never_show() -> None:
    assert mask_password("postgresql://atlas:hunter2@db:5432/atlas") == (
        "postgresql://atlas:***@db:5432/atlas"
    )
    assert mask_password("sqlite:////home/ana/.atlas/atlas.db") == (
        "sqlite:////home/ana/.atlas/atlas.db"
    )
    assert mask_password("s3://bucket/prefix") == "s3://bucket/prefix"
    assert mask_password("s3://key:secret@bucket/prefix") == "s3://key:***@bucket/prefix"
    assert (
        mask_password("postgresql://u:p@host:notaport/db") == "postgresql://u:***@host:notaport/db"
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        (
            "--db-url",
            "postgresql://atlas:hunter2@127.0.0.1:1/atlas",
            "cannot use the database postgresql://atlas:***@127.0.0.1:1/atlas: connection failed",
        ),
        ("--db-url", "mysql://atlas@db/atlas", "unsupported database URL"),
        (
            "--artifacts",
            "nosuchproto://bucket/prefix",
            "cannot use the artifact store nosuchproto://bucket/prefix: ",
        ),
    ],
)
def test_a_store_that_cannot_be_used_stops_the_start_with_one_line(
    tmp_path: Path, flag: str, value: str, message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "server", "--port", "0", flag, value],
        env=clean_env(tmp_path / "home"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith("error: ")
    assert message in error
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr


def test_db_upgrade_creates_the_database_and_prints_its_revision(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = CliRunner().invoke(cli, ["db", "upgrade", "--home", str(home)])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"sqlite:///{home}/atlas.db is at revision ")
    assert (home / "atlas.db").is_file()
    again = CliRunner().invoke(cli, ["db", "upgrade", "--home", str(home)])
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout


def test_db_upgrade_refuses_a_url_it_cannot_use() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db-url", "mysql://x@y/z"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unsupported database URL")


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database's URL (with a password, which trust auth ignores)."""
    psycopg = pytest.importorskip("psycopg")
    name = f"atlas_cli_{uuid.uuid4().hex[:12]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    netloc = f"{parts.username}:s3cret@{parts.hostname}:{parts.port or 5432}"
    yield urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_db_upgrade_on_postgresql_masks_the_password(pg_database: str) -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db-url", pg_database])
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert "postgres:***@" in result.stdout
    assert " is at revision " in result.stdout


def test_db_upgrade_says_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        url = f"postgresql://atlas:hunter2@127.0.0.1:{port}/atlas"
        result = CliRunner().invoke(cli, ["db", "upgrade", "--db-url", url])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: cannot use the database postgresql://atlas:***@127.0.0.1:{port}/atlas: "
    )
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output
