"""The credentials file `atlas login` writes, and how the SDK and the CLI use it: the current
server and its token, below the settings file, ATLAS_* variables and flags, and a token only
ever sent to its own server."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from atlas.credentials import (
    Credentials,
    credentials_path,
    read_credentials,
    server_key,
    write_credentials,
)
from atlas.errors import InvalidInputError
from atlas.sdk import configuration
from atlas.sdk.client import Client
from atlas.settings import load_settings

A = "http://server-a.example:5555"
B = "http://server-b.example:5555"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An Atlas home with no ATLAS_* variable and no atlas.toml around."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    monkeypatch.setenv("ATLAS_HOME", str(home))
    configuration.reset()
    yield home
    configuration.reset()


def login(home: Path, url: str, token: str) -> None:
    path = credentials_path(home)
    write_credentials(path, read_credentials(path).with_login(url, token))


def test_the_file_is_toml_for_its_owner_only_and_round_trips(home: Path) -> None:
    path = credentials_path(home)
    write_credentials(path, Credentials().with_login(A, "atlas_a", token_id="id-a"))
    write_credentials(path, read_credentials(path).with_login(B + "/", 'atlas_"b"'))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["credentials"]  # no partial file left
    import tomllib

    raw = tomllib.loads(path.read_text())
    assert raw["current"] == B
    assert raw["servers"][A] == {"token": "atlas_a", "token_id": "id-a"}
    stored = read_credentials(path)
    assert stored.token_for(B) == 'atlas_"b"'
    assert stored.stored_for(A.upper().replace("HTTP", "http")) is not None  # one server
    forgotten = stored.without(B)
    assert (forgotten.current, forgotten.token_for(B), forgotten.token_for(A)) == (
        None,
        None,
        "atlas_a",
    )


def test_a_file_others_may_read_is_refused_with_the_fix(home: Path) -> None:
    login(home, A, "atlas_a")
    path = credentials_path(home)
    os.chmod(path, 0o640)
    with pytest.raises(InvalidInputError, match=f"Run: chmod 600 {path}"):
        read_credentials(path)
    with pytest.raises(InvalidInputError, match="chmod 600"):
        load_settings()


def test_a_rewrite_keeps_mode_0600_even_over_a_loose_leftover(home: Path) -> None:
    path = credentials_path(home)
    path.parent.mkdir(parents=True)
    leftover = path.with_name(f".credentials.{os.getpid()}.partial")
    leftover.write_text("junk")
    os.chmod(leftover, 0o666)
    write_credentials(path, Credentials().with_login(A, "atlas_a"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not leftover.exists()


def test_no_file_means_the_defaults(home: Path) -> None:
    settings = load_settings()
    assert (settings.url, settings.token) == ("http://127.0.0.1:5555", None)


def test_the_current_server_and_its_token_are_the_defaults(home: Path) -> None:
    login(home, A, "atlas_a")
    settings = load_settings()
    assert (settings.url, settings.token) == (A, "atlas_a")


def test_a_token_is_never_used_for_another_server(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(home, A, "atlas_a")
    login(home, B, "atlas_b")  # B is current now
    assert load_settings({"url": A}).token == "atlas_a"
    monkeypatch.setenv("ATLAS_URL", "http://elsewhere.example")
    assert load_settings().token is None
    assert load_settings({"url": B}).token == "atlas_b"


def test_toml_environment_and_flags_override_the_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(home, A, "atlas_a")
    (tmp_path / "atlas.toml").write_text('url = "http://from-toml.example"\n')
    assert (load_settings().url, load_settings().token) == ("http://from-toml.example", None)
    monkeypatch.setenv("ATLAS_URL", A)
    assert load_settings().token == "atlas_a"
    monkeypatch.setenv("ATLAS_TOKEN", "atlas_env")
    assert load_settings().token == "atlas_env"
    assert load_settings({"token": "atlas_flag"}).token == "atlas_flag"


def test_server_key_names_one_server_one_way() -> None:
    assert server_key("HTTPS://Atlas.Example.com/") == "https://atlas.example.com"
    assert server_key("http://box:5555") == server_key("http://BOX:5555/")


class _Recorder(BaseHTTPRequestHandler):
    """Answers GET /api/v1/auth/me and remembers the Authorization header it got."""

    seen: list[str | None]

    def do_GET(self) -> None:
        self.server.seen.append(self.headers.get("Authorization"))  # type: ignore[attr-defined]
        body = json.dumps(
            {"auth": True, "kind": "anonymous", "user": None, "csrf_token": None, "sso": None}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str | None]]]:
    """A real HTTP server on a free port that records the Authorization headers it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    seen: list[str | None] = []
    server.seen = seen  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_sdk_sends_the_current_servers_token_to_it_and_to_no_other(
    home: Path, recorder: tuple[str, list[str | None]]
) -> None:
    url, seen = recorder
    login(home, url, "atlas_for_the_recorder")
    with Client() as client:
        assert client.url == url
        client.me()
    login(home, A, "atlas_a")  # A is current now; the recorder is another server
    with Client(url) as client:
        client.me()
    login(home, url, "atlas_for_the_recorder")
    login(home, B, "atlas_b")
    configuration.configure(url=url)
    with Client() as client:
        client.me()
    assert seen == ["Bearer atlas_for_the_recorder"] * 3
    configuration.reset()
    credentials_path(home).unlink()
    login(home, A, "atlas_a")
    with Client(url) as client:
        client.me()
    configuration.reset()
    configuration.configure(url=url)
    with Client() as client:
        client.me()
    assert seen[3:] == [None, None]
