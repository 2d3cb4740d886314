"""Bad credentials on a server with authentication on: every failed login looks the same and
costs the same, guessing is throttled, and no broken, stale, forged or oversized token or
cookie gets further than 401 (never a 5xx) — through the app and through a real `atlas
server`, whose HTTP layer has its own header limits."""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from atlas.cli.server import MAX_HEADER_BYTES
from atlas.domain import Role
from atlas.server.auth.credentials import SESSION_COOKIE
from atlas.server.auth.throttle import LoginThrottle
from atlas.store.sql_store import SqlStore
from tests.cli.conftest import running_server
from tests.server.auth_fixtures import (
    PASSWORD,
    add_user,
    auth_client,
    bearer,
    mint_token,
    new_session,
    session_headers,
    store_of,
)
from tests.server.conftest import API, TestClient, assert_error

WRONG = "wrong user name or password"


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with auth_client(tmp_path / "home", sqlite_url) as test_client:
        store = store_of(test_client)
        add_user(store, "ada")
        add_user(store, "gone")
        store.update_user("gone", disabled=True)
        add_user(store, "sso", password=None)
        store.create_project("vision", owner="ada")
        store.create_project("other", owner="ada")
        yield test_client


def login(client: TestClient, name: str, password: str = PASSWORD) -> object:
    client.cookies.clear()
    return client.post(f"{API}/auth/login", json={"name": name, "password": password})


def reset_throttle(client: TestClient) -> None:
    client.app.state.login_throttle = LoginThrottle()  # type: ignore[attr-defined]


# -- logins -----------------------------------------------------------------------------------
def test_every_failed_login_says_the_same(client: TestClient) -> None:
    errors = [
        assert_error(login(client, name, password), 401, "unauthenticated")
        for name, password in [
            ("ada", "not the password"),
            ("nobody", PASSWORD),
            ("gone", PASSWORD),  # disabled, right password
            ("sso", PASSWORD),  # single sign-on only: no password at all
            ("sso", ""),
        ]
    ]
    assert all(error == {**errors[0]} for error in errors), errors
    assert errors[0]["message"] == WRONG
    assert errors[0]["detail"] == {}
    assert SESSION_COOKIE not in client.cookies
    good = login(client, "ada")
    assert good.status_code == 200, good.text  # type: ignore[attr-defined]


def test_an_unknown_user_costs_what_a_wrong_password_costs(client: TestClient) -> None:
    def took(name: str) -> float:
        reset_throttle(client)
        start = time.perf_counter()
        assert_error(login(client, name, "not the password"), 401, "unauthenticated")
        return time.perf_counter() - start

    took("ada")  # warm up
    wrong = [took("ada") for _ in range(5)]
    unknown = [took(f"nobody{i}") for i in range(5)]
    slow, fast = sorted([statistics.median(wrong), statistics.median(unknown)], reverse=True)
    assert slow / fast < 3, (wrong, unknown)


def test_the_sixth_failure_for_one_user_is_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert_error(login(client, "ada", "guess"), 401, "unauthenticated")
    for password in ("guess", PASSWORD):  # even the right password: no more checking
        answer = login(client, "ada", password)
        error = assert_error(answer, 429, "too_many_attempts")
        retry = int(answer.headers["Retry-After"])  # type: ignore[attr-defined]
        assert 0 < retry <= 15 * 60
        assert error["detail"] == {"retry_after": retry}
    assert_error(login(client, "ADA", "guess"), 429, "too_many_attempts")  # any case
    reset_throttle(client)
    assert login(client, "ada").status_code == 200  # type: ignore[attr-defined]


def test_one_address_is_throttled_after_twenty_failures(client: TestClient) -> None:
    for i in range(20):
        assert_error(login(client, f"guess{i}", "guess"), 401, "unauthenticated")
    assert_error(login(client, "someone-new", "guess"), 429, "too_many_attempts")
    assert_error(login(client, "ada"), 429, "too_many_attempts")


# -- tokens -----------------------------------------------------------------------------------
def test_dead_and_broken_tokens_are_refused_alike(client: TestClient) -> None:
    store = store_of(client)
    revoked = mint_token(store, "ada")
    store.revoke_token(store.list_tokens("ada")[0].id)
    expired = mint_token(store, "ada", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    of_disabled = mint_token(store, "gone")
    headers = [
        bearer(revoked),
        bearer(expired),
        bearer(of_disabled),
        bearer("atlas_" + "x" * 40),  # unknown
        {"Authorization": "Bearer x"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRhOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ=="},
        {"Authorization": "Token atlas_abc"},
        {"Authorization": "Bearer atlas_" + "a" * 10_000},
        {"Authorization": f"Bearer {revoked} extra"},
        {"Authorization": "Bearer atlas_\x00abc"},
        {"Authorization": "Bearer atlas_\x7f\x01"},
    ]
    messages = set()
    for header in headers:
        client.cookies.clear()
        error = assert_error(client.get(f"{API}/projects", headers=header), 401, "unauthenticated")
        messages.add(error["message"])
    assert messages == {"invalid or expired token"}
    for raw in ("Bearer atlas_é".encode(), b"Bearer atlas_\xff\xfe"):  # not ASCII
        response = client.get(f"{API}/projects", headers=[(b"authorization", raw)])
        assert_error(response, 401, "unauthenticated")
    good = client.get(f"{API}/projects", headers=bearer(mint_token(store, "ada")))
    assert good.status_code == 200, good.text


def test_a_token_of_another_project_is_refused(client: TestClient) -> None:
    store = store_of(client)
    scoped = bearer(mint_token(store, "ada", project="other", role=Role.OWNER))
    assert_error(client.get(f"{API}/projects/vision", headers=scoped), 403, "permission_denied")
    assert_error(
        client.put(f"{API}/projects/vision/description", json={"markdown": "x"}, headers=scoped),
        403,
        "permission_denied",
    )
    assert client.get(f"{API}/projects/other", headers=scoped).status_code == 200


def test_a_missing_project_looks_like_a_foreign_one(client: TestClient) -> None:
    """Only admins learn that a project does not exist."""
    store = store_of(client)
    add_user(store, "bob")
    add_user(store, "root", admin=True)
    bob, root = bearer(mint_token(store, "bob")), bearer(mint_token(store, "root"))
    for url in (f"{API}/projects/vision", f"{API}/projects/nothing-here"):
        for suffix in ("", "/jobs", "/members", "/description"):
            error = assert_error(client.get(url + suffix, headers=bob), 403, "permission_denied")
            assert "you have no access to project" in str(error["message"])
    assert_error(client.get(f"{API}/projects/nothing-here", headers=root), 404, "not_found")


def test_a_refused_token_creates_no_project(client: TestClient) -> None:
    """Naming a missing project creates it for a person; a token limited to another project
    is refused, and must leave nothing behind."""
    store = store_of(client)
    scoped = bearer(mint_token(store, "ada", project="vision", role=Role.EDITOR))
    for url, body in [
        (f"{API}/jobs", {"project": "made-by-jobs"}),
        (f"{API}/submissions", {"project": "made-by-submit", "command": ["true"], "env": "none"}),
    ]:
        assert_error(client.post(url, json=body, headers=scoped), 403, "permission_denied")
    assert {p.name for p in store.list_projects()} == {"vision", "other"}
    unscoped = bearer(mint_token(store, "ada"))
    made = client.post(f"{API}/jobs", json={"project": "made-by-jobs"}, headers=unscoped)
    assert made.status_code == 201, made.text
    assert store.project_role("made-by-jobs", "ada") is Role.OWNER


# -- sessions ---------------------------------------------------------------------------------
def test_forged_replayed_and_expired_sessions_are_refused(client: TestClient) -> None:
    store = store_of(client)
    forged = [
        "atlas_session_" + "A" * 43,
        "anything",
        "",
        "\x00",
        "x" * 5000,
    ]
    for cookie in forged:
        client.cookies.clear()
        response = client.get(f"{API}/projects", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert response.status_code == 401, (cookie, response.text)

    answer = login(client, "ada")
    secret = answer.cookies[SESSION_COOKIE]  # type: ignore[attr-defined]
    csrf = answer.json()["csrf_token"]  # type: ignore[attr-defined]
    client.cookies.clear()
    assert client.get(f"{API}/projects", headers=session_headers(secret)).status_code == 200
    out = client.post(f"{API}/auth/logout", headers=session_headers(secret, csrf))
    assert out.status_code == 204
    client.cookies.clear()
    replayed = client.get(f"{API}/projects", headers=session_headers(secret))
    assert_error(replayed, 401, "unauthenticated")

    stale, _ = new_session(store, "ada", lifetime_s=-1)
    client.cookies.clear()
    assert_error(
        client.get(f"{API}/projects", headers=session_headers(stale)), 401, "unauthenticated"
    )
    me = client.get(f"{API}/auth/me", headers=session_headers(stale)).json()
    assert me["kind"] == "anonymous"  # a public route takes a dead session for no one
    assert me["user"] is None


def test_huge_credentials_are_refused_not_failed(client: TestClient) -> None:
    for headers in (
        {"Cookie": f"{SESSION_COOKIE}={'a' * 65536}"},
        {"Authorization": "Bearer atlas_" + "a" * 65536},
        {"Cookie": "; ".join(f"c{i}=v" for i in range(5000))},
    ):
        client.cookies.clear()
        assert_error(client.get(f"{API}/projects", headers=headers), 401, "unauthenticated")


# -- a real server ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    seconds: float


def exchange(url: str, headers: list[tuple[str, str]]) -> Answer:
    """One GET /api/v1/projects over a plain socket with ``headers``; the server may answer
    and close before it has read them all (then the rest of the send fails: ignored)."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    lines = ["GET /api/v1/projects HTTP/1.1", f"Host: 127.0.0.1:{parts.port}"]
    lines += [f"{name}: {value}" for name, value in headers] + ["Connection: close", "", ""]
    start = time.perf_counter()
    answer = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall("\r\n".join(lines).encode())
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    fields = {name.lower(): value for name, value in fields.items()}
    status = int(head.split(b" ", 2)[1])
    kind = fields.get(b"content-type", b"").decode()
    return Answer(status, kind, body, time.perf_counter() - start)


WITHIN = MAX_HEADER_BYTES - 4096  # a header block the HTTP layer always hands to the app
MANY_HEADERS = [(f"X-Probe-{i:05d}", "v" * 8) for i in range(20_000)]  # 500 KB of them


def test_a_real_server_refuses_huge_and_broken_credentials(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = SqlStore(f"sqlite:///{home / 'atlas.db'}")
    store.upgrade()
    add_user(store, "root", admin=True)
    token = mint_token(store, "root")
    store.close()
    with running_server(home, env={"ATLAS_AUTH": "on"}) as server:
        # Up to the HTTP layer's limit: the app answers, with its error envelope.
        for headers in [
            [("Authorization", "Bearer atlas_" + "a" * WITHIN)],
            [("Cookie", f"{SESSION_COOKIE}={'a' * WITHIN}")],
            [("Authorization", "Bearer atlas_" + "a" * 10_000)],
            [("Authorization", "Basic cm9vdDpwYXNz")],
            [("Authorization", "Bearer x")],
            [("Cookie", f"{SESSION_COOKIE}=forged")],
            [],
        ]:
            answer = exchange(server.url, headers)
            assert answer.status == 401, (answer, [name for name, _ in headers])
            assert json.loads(answer.body)["error"]["code"] == "unauthenticated"
        # Past it: the HTTP layer refuses the request before the app sees it, at once.
        for headers in [
            [("Authorization", "Bearer atlas_" + "a" * 1024 * 1024)],
            MANY_HEADERS,
        ]:
            answer = exchange(server.url, headers)
            assert (answer.status, answer.body) == (400, b"Invalid HTTP request received."), answer
            assert answer.content_type.startswith("text/plain")
            assert answer.seconds < 5, answer.seconds
        answer = exchange(server.url, list(bearer(token).items()))
        assert answer.status == 200, answer
        assert "Traceback" not in server.output()


def test_many_logins_at_once_are_throttled_like_one_after_another(client: TestClient) -> None:
    # Each attempt counts from its start: 20 sent together cannot all pass the count while
    # their passwords are checked.
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> int:
        answer = client.post(f"{API}/auth/login", json={"name": "ada", "password": "wrong-one"})
        return answer.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) >= 15, statuses


def test_logging_out_with_a_session_needs_its_csrf_token(client: TestClient) -> None:
    answer = login(client, "ada")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert_error(client.post(f"{API}/auth/logout"), 403, "csrf_failed")
    csrf = client.cookies.get("atlas_csrf")
    assert client.get(f"{API}/projects").status_code == 200  # still signed in
    assert client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": str(csrf)}).status_code == 204
    assert client.get(f"{API}/projects").status_code == 401


def test_a_renamed_projects_jobs_do_not_follow_its_old_name(client: TestClient) -> None:
    store = store_of(client)
    add_user(store, "mallory")
    job = client.post(
        f"{API}/jobs", json={"project": "vision"}, headers=bearer(mint_token(store, "ada"))
    ).json()["id"]
    mallory = bearer(mint_token(store, "mallory"))
    assert_error(client.get(f"{API}/jobs/{job}", headers=mallory), 403, "permission_denied")
    ada = bearer(mint_token(store, "ada"))
    renamed = client.patch(f"{API}/projects/vision", json={"name": "vision2"}, headers=ada)
    assert renamed.status_code == 200, renamed.text
    taken = client.post(f"{API}/projects", json={"name": "vision"}, headers=mallory)
    assert taken.status_code == 201, taken.text  # Mallory owns a new "vision"...
    for method, url in (("GET", f"/jobs/{job}"), ("DELETE", f"/jobs/{job}")):
        answer = client.request(method, f"{API}{url}", headers=mallory)
        assert_error(answer, 403, "permission_denied")  # ...and none of the old one's jobs


def test_a_job_cannot_be_attached_to_another_projects_job(client: TestClient) -> None:
    store = store_of(client)
    add_user(store, "mallory")
    ada, mallory = bearer(mint_token(store, "ada")), bearer(mint_token(store, "mallory"))
    parent = client.post(f"{API}/jobs", json={"project": "vision"}, headers=ada).json()["id"]
    child = {"project": "mine", "parent_id": parent}
    assert_error(client.post(f"{API}/jobs", json=child, headers=mallory), 403, "permission_denied")
    run = {"command": ["sleep", "1"], "env": "none"}
    for link in ({"parent_id": parent}, {"rerun_of": parent}):
        answer = client.post(
            f"{API}/submissions", json={"project": "mine", **run, **link}, headers=mallory
        )
        assert_error(answer, 403, "permission_denied")
    assert client.post(f"{API}/jobs", json={"project": "vision", "parent_id": parent},
                       headers=ada).status_code == 201  # fmt: skip
