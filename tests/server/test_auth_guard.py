"""A server with authentication on keeps every protection of the open server, before anyone is
asked who they are: foreign ``Host`` names (421) and cross-site writes (403) are refused on
every route, credentials or not. A browser session adds its own: its writes carry the CSRF
token, and its cookie is HttpOnly, SameSite=Lax and, over HTTPS, Secure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.server.auth.credentials import SESSION_COOKIE
from atlas.server.auth.sessions import CSRF_COOKIE
from atlas.server.guard import STATE_CHANGING_METHODS
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
from tests.server.test_guard import EVIL_HOST, EVIL_ORIGIN, routes


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with auth_client(tmp_path / "home", sqlite_url) as test_client:
        store = store_of(test_client)
        add_user(store, "ada", admin=True)
        store.create_project("vision", owner="ada")
        yield test_client


@pytest.fixture
def token(client: TestClient) -> str:
    return mint_token(store_of(client), "ada")


@pytest.fixture
def job_id(client: TestClient, token: str) -> str:
    made = client.post(f"{API}/jobs", json={"project": "vision"}, headers=bearer(token))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def credentials(client: TestClient, token: str) -> list[dict[str, str]]:
    """No credentials, a token, and a session with its CSRF token."""
    secret, csrf = new_session(store_of(client), "ada")
    return [{}, bearer(token), session_headers(secret, csrf)]


def test_a_foreign_host_is_refused_before_anyone_is_asked_who_they_are(
    client: TestClient, token: str, job_id: str
) -> None:
    checked = 0
    for headers in credentials(client, token):
        for method, url in routes(client, job_id):
            client.cookies.clear()
            response = client.request(method, url, headers={**headers, "Host": EVIL_HOST})
            assert response.status_code == 421, (method, url, response.text)
            if method != "HEAD":
                assert_error(response, 421, "host_not_allowed")
            checked += 1
    assert checked > 150
    assert client.get(f"{API}/jobs/{job_id}", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "site", [{"Origin": EVIL_ORIGIN}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_cross_site_writes_are_refused_before_anyone_is_asked_who_they_are(
    client: TestClient, token: str, job_id: str, site: dict[str, str]
) -> None:
    changing = [(m, u) for m, u in routes(client, job_id) if m in STATE_CHANGING_METHODS]
    assert len(changing) > 25
    for headers in credentials(client, token):
        for method, url in changing:
            client.cookies.clear()
            response = client.request(
                method,
                url,
                content=b"{}",
                headers={"Content-Type": "application/json", **headers, **site},
            )
            assert_error(response, 403, "cross_site_request")
    assert client.get(f"{API}/jobs/{job_id}", headers=bearer(token)).status_code == 200


def test_a_session_write_needs_the_csrf_token(client: TestClient, job_id: str) -> None:
    secret, csrf = new_session(store_of(client), "ada")
    url = f"{API}/jobs/{job_id}/tags"
    body = {"tags": {"stage": "prod"}}
    for sent in (None, "", "wrong", csrf + "x", csrf.upper()):
        headers = session_headers(secret, sent)
        assert_error(client.put(url, json=body, headers=headers), 403, "csrf_failed")
        assert_error(client.delete(f"{API}/projects/vision", headers=headers), 403, "csrf_failed")
    assert client.get(f"{API}/jobs/{job_id}", headers=session_headers(secret)).json()["tags"] == {}
    done = client.put(url, json=body, headers=session_headers(secret, csrf))
    assert done.status_code == 200, done.text
    assert done.json()["tags"] == {"stage": "prod"}
    other, _ = new_session(store_of(client), "ada")  # another session's token does not do
    assert_error(
        client.put(url, json=body, headers=session_headers(other, csrf)), 403, "csrf_failed"
    )


def test_a_token_write_needs_no_csrf_token(client: TestClient, token: str, job_id: str) -> None:
    done = client.put(f"{API}/jobs/{job_id}/tags", json={"tags": {"a": "b"}}, headers=bearer(token))
    assert done.status_code == 200, done.text
    # The token is checked first: a session cookie sent along changes nothing.
    secret, _ = new_session(store_of(client), "ada")
    both = {**bearer(token), **session_headers(secret)}
    done = client.put(f"{API}/jobs/{job_id}/tags", json={"tags": {"c": "d"}}, headers=both)
    assert done.status_code == 200, done.text


def set_cookies(response: object) -> dict[str, str]:
    """Each cookie the answer sets: its whole ``Set-Cookie`` header, lower-cased."""
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return {h.split("=", 1)[0]: h.lower() for h in headers}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    client: TestClient, scheme: str
) -> None:
    with TestClient(client.app, base_url=f"{scheme}://localhost") as browser:
        answer = browser.post(f"{API}/auth/login", json={"name": "ada", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        cookies = set_cookies(answer)
        session, csrf = cookies[SESSION_COOKIE], cookies[CSRF_COOKIE]
        for cookie in (session, csrf):
            assert "samesite=lax" in cookie, cookie
            assert "path=/" in cookie, cookie
            assert ("; secure" in cookie) is (scheme == "https"), cookie
        assert "httponly" in session
        assert "httponly" not in csrf  # the page reads it to send X-CSRF-Token
        assert f"{CSRF_COOKIE}={answer.json()['csrf_token']}".lower() in csrf
        me = browser.get(f"{API}/auth/me").json()
        assert me["kind"] == "session"
        assert me["csrf_token"] == answer.json()["csrf_token"]
        out = browser.post(f"{API}/auth/logout", headers={"X-CSRF-Token": me["csrf_token"]})
        assert out.status_code == 204
        cleared = set_cookies(out)
        assert set(cleared) == {SESSION_COOKIE, CSRF_COOKIE}
        assert all("max-age=0" in cookie for cookie in cleared.values()), cleared
        assert browser.get(f"{API}/auth/me").json()["kind"] == "anonymous"
