"""X-Forwarded-For and X-Forwarded-Proto of a real `atlas server` subprocess: believed from
the peers of ``trusted_proxies`` only, never by default (not even from loopback).

What shows the scheme: the origin guard compares a write's ``Origin`` with the scheme the
request came in with, so ``Origin: https://localhost`` passes only when the server believes
the request came over https. What shows the client: the access log (``--log-level debug``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas.cli.server import trusted_proxies
from atlas.settings import load_settings
from tests.cli.conftest import clean_env, running_server
from tests.server.test_guard_server import raw_request

CLIENT = "203.0.113.7"  # TEST-NET-3: the browser behind the proxy

HTTPS_WRITE = {
    "Host": "localhost",  # the proxy's public name: no port, so https means 443
    "Origin": "https://localhost",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": CLIENT,
    "Content-Type": "application/json",
}


def test_a_trusted_proxy_tells_the_scheme_and_the_client(tmp_path: Path) -> None:
    env = {"ATLAS_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}
    with running_server(tmp_path / "home", ("--port", "0", "--log-level", "debug"), env=env) as (
        server
    ):
        body = json.dumps({"name": "behind-proxy"}).encode()
        status, answer = raw_request(server.url, "POST", "/api/v1/projects", HTTPS_WRITE, body)
        assert status == 201, answer  # same origin: the request came over https
        http = {**HTTPS_WRITE, "X-Forwarded-Proto": "http"}
        status, answer = raw_request(server.url, "POST", "/api/v1/projects", http, body)
        assert status == 403, answer  # over http, https://localhost is another origin
    access = [line for line in server.stderr if "uvicorn.access" in line]
    assert any(f'{CLIENT}:0 - "POST /api/v1/projects HTTP/1.1" 201' in line for line in access)
    assert not any("127.0.0.1" in line and "/api/v1/projects" in line for line in access)


@pytest.mark.parametrize("trusted", [None, "10.1.2.3"], ids=["unset", "another-address"])
def test_forwarded_headers_from_an_untrusted_peer_are_ignored(
    tmp_path: Path, trusted: str | None
) -> None:
    env = {"ATLAS_TRUSTED_PROXIES": trusted} if trusted else {}
    with running_server(tmp_path / "home", ("--port", "0", "--log-level", "debug"), env=env) as (
        server
    ):
        body = json.dumps({"name": "spoofed"}).encode()
        status, answer = raw_request(server.url, "POST", "/api/v1/projects", HTTPS_WRITE, body)
        assert status == 403, answer  # a loopback peer cannot claim https
        assert answer["error"]["code"] == "cross_site_request"  # type: ignore[index]
    access = [line for line in server.stderr if "/api/v1/projects" in line]
    assert access, server.output()
    assert all(CLIENT not in line for line in access)
    assert all("127.0.0.1:" in line for line in access)


def test_a_trusted_proxy_that_is_not_an_address_is_a_one_line_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "server", "--port", "0"],
        env=clean_env(tmp_path / "home", ATLAS_TRUSTED_PROXIES="127.0.0.1,proxy.example"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: trusted_proxies: 'proxy.example' is not an IP address or network (e.g. "
        "127.0.0.1, 10.0.0.0/8): list the addresses your reverse proxy connects from\n"
    )


DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_example_team_settings_turn_auth_on_and_trust_only_the_local_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [name for name in os.environ if name.startswith("ATLAS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_CONFIG", str(DEPLOY / "atlas.toml"))
    settings = load_settings({})
    # Behind the proxy the server binds loopback, where auth "auto" would mean off.
    assert (settings.auth, settings.host, settings.port) == ("on", "127.0.0.1", 5555)
    assert trusted_proxies(settings.trusted_proxies) == ["127.0.0.1", "::1"]
    assert settings.public_url == "https://atlas.example.com"
    assert settings.allowed_hosts == "atlas.example.com"
    unit = (DEPLOY / "atlas.service").read_text()
    assert "\nExecStart=/opt/atlas/venv/bin/atlas server --host 127.0.0.1 --port 5555\n" in unit
    assert "\nEnvironment=ATLAS_CONFIG=/etc/atlas/atlas.toml\n" in unit
