"""Single sign-on (docs/auth.md, "Single sign-on"): logins through a real OpenID Connect
provider (oidc-provider-mock in its own process, ``tests/oidc_provider.py``) into the real
app, with the test client's cookie jar as the browser's.

What the provider cannot be made to send (a token for another audience, signed by another
key, by a rotated key) is tested on ``OidcClient.validate_id_token`` with tokens the test
signs and a discovery document and JWKS the test serves over HTTP (``StaticIssuer``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from atlas.domain import JobSpec, Role
from atlas.errors import InvalidInputError
from atlas.server import create_app
from atlas.server.auth.oidc import OidcClient, SsoLoginError
from atlas.server.auth.oidc_accounts import parse_role_map, user_name_of
from atlas.server.auth.sso import COOKIE
from atlas.settings import Settings
from atlas.store.sql_store import SqlStore
from tests.cli.conftest import launch_server, running_server
from tests.oidc_provider import Provider, StaticIssuer, free_port, running_provider
from tests.server.conftest import API, BASE_URL, TestClient, assert_error, settings_for

CLIENT_ID = "atlas"
ROLE_MAP = "ml-admins=admin; /vision-team=vision:editor; readers=vision:viewer"
CALLBACK = f"{BASE_URL}{API}/auth/oidc/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def sso_settings(home: Path, issuer: str, **values: object) -> Settings:
    options: dict[str, object] = {
        "auth": "on",
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": "s3cret",
        "oidc_role_map": ROLE_MAP,
    }
    options.update(values)
    return settings_for(home, **options)


@pytest.fixture
def home(tmp_path: Path, migrated_db: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "atlas.db").write_bytes(migrated_db.read_bytes())
    return home


def sso_client(home: Path, issuer: str, **values: object) -> TestClient:
    """A client (the browser) of a fresh app with single sign-on through ``issuer``."""
    app = create_app(sso_settings(home, issuer, **values))
    return TestClient(app, base_url=BASE_URL, follow_redirects=False)


@pytest.fixture
def client(home: Path, provider: Provider) -> Iterator[TestClient]:
    with sso_client(home, provider.issuer) as c:
        yield c


def store_of(client: TestClient) -> SqlStore:
    store: SqlStore = client.app.state.store  # type: ignore[attr-defined]
    return store


def begin(client: TestClient, next_path: str = "/projects") -> str:
    """Start a login; the provider URL the browser is sent to."""
    answer = client.get(f"{API}/auth/oidc/login", params={"next": next_path})
    assert answer.status_code == 302, answer.text
    assert COOKIE in answer.cookies
    return answer.headers["location"]


def sso_login(
    client: TestClient,
    provider: Provider,
    sub: str,
    claims: dict[str, Any],
    *,
    next_path: str = "/projects",
) -> str:
    """Log ``sub`` in through the provider with ``claims``; where Atlas sends the browser."""
    provider.set_user(sub, claims)
    callback = provider.authorize(begin(client, next_path), sub)
    assert callback.startswith(CALLBACK), callback
    answer = client.get(callback)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def me(client: TestClient) -> dict[str, Any]:
    answer = client.get(f"{API}/auth/me")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# -- a whole login ----------------------------------------------------------------------------
def test_a_first_login_creates_the_user_and_starts_a_session(
    client: TestClient, provider: Provider
) -> None:
    claims = {"preferred_username": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}
    assert sso_login(client, provider, "sub-ada", claims, next_path="/projects/x?tab=jobs") == (
        "/projects/x?tab=jobs"
    )
    who = me(client)
    assert who["kind"] == "session"
    assert who["csrf_token"]
    user = who["user"]
    assert (user["name"], user["display_name"], user["email"]) == (
        "ada",
        "Ada Lovelace",
        "ada@example.com",
    )
    assert user["source"] == "oidc"
    assert user["admin"] is False
    assert user["last_login_at"] is not None
    assert COOKIE not in client.cookies  # the login is over
    entries = store_of(client).list_audit(actor="ada")
    assert [entry.action for entry in entries] == ["login"]


def test_a_later_login_updates_the_name_and_email(client: TestClient, provider: Provider) -> None:
    sso_login(client, provider, "sub-bo", {"preferred_username": "bo", "email": "bo@old.example"})
    sso_login(client, provider, "sub-bo", {"preferred_username": "bo", "email": "bo@new.example"})
    user = store_of(client).get_user("bo")
    assert user.email == "bo@new.example"


def test_without_the_username_claim_the_subject_names_the_user(
    client: TestClient, provider: Provider
) -> None:
    sso_login(client, provider, "c3po", {"email": "c3po@example.com"})
    assert me(client)["user"]["name"] == "c3po"


# -- the role map -----------------------------------------------------------------------------
def test_a_group_gives_its_project_role_and_nothing_else(
    client: TestClient, provider: Provider
) -> None:
    store = store_of(client)
    for project in ("vision", "nlp"):
        store.create_project(project)
        store.create_job(JobSpec(project=project, name=f"{project} job"))
    sso_login(
        client, provider, "sub-eve", {"preferred_username": "eve", "groups": ["/vision-team"]}
    )
    assert store.project_role("vision", "eve") is Role.EDITOR
    vision = client.get(f"{API}/projects/vision/jobs")
    assert vision.status_code == 200, vision.text
    assert [job["name"] for job in vision.json()["items"]] == ["vision job"]
    assert_error(client.get(f"{API}/projects/nlp/jobs"), 403, "permission_denied")
    listed = client.get(f"{API}/projects").json()
    assert [project["name"] for project in listed["items"]] == ["vision"]


def test_the_map_raises_a_role_but_never_lowers_one(client: TestClient, provider: Provider) -> None:
    store = store_of(client)
    store.create_project("vision")
    sso_login(client, provider, "sub-fay", {"preferred_username": "fay", "groups": ["readers"]})
    assert store.project_role("vision", "fay") is Role.VIEWER
    sso_login(client, provider, "sub-fay", {"preferred_username": "fay", "groups": ["vision-team"]})
    assert store.project_role("vision", "fay") is Role.EDITOR
    store.set_member("vision", "fay", Role.OWNER)  # given by hand
    sso_login(client, provider, "sub-fay", {"preferred_username": "fay", "groups": ["readers"]})
    assert store.project_role("vision", "fay") is Role.OWNER


def test_a_project_the_map_names_is_not_created(client: TestClient, provider: Provider) -> None:
    sso_login(client, provider, "sub-gus", {"preferred_username": "gus", "groups": ["vision-team"]})
    assert me(client)["user"]["name"] == "gus"
    assert store_of(client).roles_of("gus") == {}
    assert client.get(f"{API}/projects").json()["items"] == []


def test_the_admin_group_makes_and_unmakes_admins(client: TestClient, provider: Provider) -> None:
    store = store_of(client)
    store.create_user("root", password_hash=None, admin=True)  # another admin remains
    sso_login(client, provider, "sub-hal", {"preferred_username": "hal", "groups": ["ml-admins"]})
    assert me(client)["user"]["admin"] is True
    assert client.get(f"{API}/users").status_code == 200
    sso_login(client, provider, "sub-hal", {"preferred_username": "hal", "groups": []})
    assert me(client)["user"]["admin"] is False
    assert_error(client.get(f"{API}/users"), 403, "permission_denied")


def test_the_last_admin_stays_one_after_leaving_the_group(
    client: TestClient, provider: Provider
) -> None:
    sso_login(client, provider, "sub-ivy", {"preferred_username": "ivy", "groups": ["ml-admins"]})
    sso_login(client, provider, "sub-ivy", {"preferred_username": "ivy", "groups": []})
    assert store_of(client).get_user("ivy").admin is True


# -- refusals ---------------------------------------------------------------------------------
def test_a_user_with_a_password_cannot_be_taken_over(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    store_of(client).create_user("jo", password_hash=None, source="local")
    assert sso_login(client, provider, "sub-jo", {"preferred_username": "jo"}) == (
        "/login?error=sso_failed"
    )
    assert me(client)["user"] is None
    entries = store_of(client).list_audit(actor="jo")
    assert [entry.action for entry in entries] == ["login_failed"]
    assert "logs in with a password here" in caplog.text


def test_a_name_the_provider_gives_to_someone_else_never_opens_the_first_users_account(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    sso_login(client, provider, "sub-lea", {"preferred_username": "lea"})
    client.cookies.clear()
    # lea renamed herself at the provider; then another account took the name "lea"
    sso_login(client, provider, "sub-lea", {"preferred_username": "lea-m"})
    assert me(client)["user"]["name"] == "lea"  # found by her account, not by the name
    client.cookies.clear()
    assert sso_login(client, provider, "sub-other", {"preferred_username": "lea"}) == (
        "/login?error=sso_failed"
    )
    assert me(client)["user"] is None
    assert "belongs to another account of the identity provider" in caplog.text
    assert [user.name for user in store_of(client).list_users()] == ["lea"]


def test_a_disabled_user_is_refused(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    sso_login(client, provider, "sub-kim", {"preferred_username": "kim"})
    client.cookies.clear()
    store_of(client).update_user("kim", disabled=True)
    assert sso_login(client, provider, "sub-kim", {"preferred_username": "kim"}) == (
        "/login?error=sso_failed"
    )
    assert me(client)["user"] is None
    assert "is disabled" in caplog.text


def test_a_name_that_breaks_the_user_name_rule_is_refused(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    claims = {"preferred_username": "../admin"}
    assert sso_login(client, provider, "sub-x", claims) == "/login?error=sso_failed"
    assert store_of(client).list_users() == []
    assert "cannot be an Atlas user name" in caplog.text


def test_a_tampered_state_fails(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.set_user("sub-lee", {"preferred_username": "lee"})
    callback = provider.authorize(begin(client), "sub-lee")
    forged = callback.replace("state=", "state=x")
    answer = client.get(forged)
    assert answer.headers["location"] == "/login?error=sso_failed"
    assert me(client)["user"] is None
    assert "not this browser's login" in caplog.text


def test_a_callback_without_its_cookie_fails(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.set_user("sub-lee", {"preferred_username": "lee"})
    callback = provider.authorize(begin(client), "sub-lee")
    client.cookies.clear()  # another browser: the attacker's link in the victim's browser
    assert client.get(callback).headers["location"] == "/login?error=sso_failed"
    assert me(client)["user"] is None
    assert "no login in progress" in caplog.text


def test_a_replayed_callback_fails(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.set_user("sub-max", {"preferred_username": "max"})
    callback = provider.authorize(begin(client), "sub-max")
    sealed = client.cookies[COOKIE]
    assert client.get(callback).headers["location"] == "/projects"
    client.cookies.clear()
    client.cookies.set(COOKIE, sealed, path=f"{API}/auth/oidc")  # kept by whoever replays
    assert client.get(callback).headers["location"] == "/login?error=sso_failed"
    assert me(client)["user"] is None
    assert "already used" in caplog.text


def test_a_provider_error_fails(
    client: TestClient, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    location = begin(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    answer = client.get(CALLBACK, params={"error": "access_denied", "state": state})
    assert answer.headers["location"] == "/login?error=sso_failed"
    assert "access_denied" in caplog.text


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "/a\nb"]
)
def test_next_must_be_a_path_of_this_server(client: TestClient, target: str) -> None:
    answer = client.get(f"{API}/auth/oidc/login", params={"next": target})
    assert_error(answer, 422, "invalid_input")
    assert COOKIE not in client.cookies


def test_an_expired_id_token_fails(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    # This provider issues tokens that expired 10 minutes before they were made.
    with running_provider(token_max_age=-600) as stale, sso_client(home, stale.issuer) as c:
        assert sso_login(c, stale, "sub-ned", {"preferred_username": "ned"}) == (
            "/login?error=sso_failed"
        )
        assert me(c)["user"] is None
        assert store_of(c).list_users() == []
    assert "expired" in caplog.text


# -- configuration ----------------------------------------------------------------------------
def test_a_provider_that_does_not_answer_sends_back_to_the_login_page(home: Path) -> None:
    settings = sso_settings(home, f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings), base_url=BASE_URL, follow_redirects=False) as c:
        answer = c.get(f"{API}/auth/oidc/login", params={"next": "/projects"})
        assert answer.status_code == 302
        assert answer.headers["location"] == "/login?error=sso_unavailable&next=%2Fprojects"


def test_without_single_sign_on_the_routes_are_not_found(home: Path) -> None:
    with TestClient(
        create_app(settings_for(home, auth="on")), base_url=BASE_URL, follow_redirects=False
    ) as c:
        assert_error(c.get(f"{API}/auth/oidc/login"), 404, "not_found")
        assert_error(c.get(f"{API}/auth/oidc/callback"), 404, "not_found")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"oidc_role_map": "admins=root"}, "oidc_role_map"),
        ({"oidc_role_map": "team=vision:maintainer"}, "oidc_role_map"),
        ({"oidc_client_id": None}, "oidc_client_id"),
        ({"oidc_issuer": "http://login.example.com"}, "oidc_issuer"),
    ],
)
def test_the_server_refuses_to_start_with_bad_settings(
    home: Path, values: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        create_app(sso_settings(home, "https://login.example.com", **values))
    assert refused.value.detail["errors"][0]["field"] == field


def test_the_role_map_is_parsed_with_clear_messages() -> None:
    parsed = parse_role_map("ops=admin;\n /team/ml = vision:owner ; team/ml=vision:viewer")
    assert parsed.grants_admin
    assert parsed.is_admin(["/ops"])
    assert parsed.project_roles(["/team/ml"]) == {"vision": Role.OWNER}
    assert parse_role_map(None) == parse_role_map("  ")
    with pytest.raises(InvalidInputError, match=r"entry 2 \('oops'\)"):
        parse_role_map("ops=admin; oops")
    with pytest.raises(InvalidInputError, match="viewer, editor or owner"):
        parse_role_map("ops=vision:boss")


def test_user_names_are_taken_as_they_are_or_refused() -> None:
    assert user_name_of({"preferred_username": " ada ", "sub": "1"}, "preferred_username") == (
        "ada"
    )
    assert user_name_of({"sub": "s-1"}, "preferred_username") == "s-1"
    # Names that would need changing are refused: full-width "bob" must not become bob, nor
    # "Ada Lovelace" the same user as another account's "Ada_Lovelace".
    for refused in ("-x", "\uff42\uff4f\uff42", "Ada Lovelace"):
        with pytest.raises(SsoLoginError):
            user_name_of({"preferred_username": refused, "sub": "1"}, "preferred_username")


# -- ID token validation, with tokens the test signs -------------------------------------------
@pytest.fixture
def issuer() -> Iterator[StaticIssuer]:
    with StaticIssuer() as served:
        yield served


def relying_party(issuer: StaticIssuer) -> OidcClient:
    return OidcClient(
        issuer=issuer.issuer, client_id=CLIENT_ID, client_secret=None, scopes="openid"
    )


def id_claims(issuer: StaticIssuer, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": issuer.issuer,
        "sub": "u1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def test_a_good_token_is_accepted(issuer: StaticIssuer) -> None:
    claims = relying_party(issuer).validate_id_token(issuer.sign(id_claims(issuer)), nonce="n-1")
    assert claims["sub"] == "u1"


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-client"},
        {"aud": ["another-client"]},
        {"iss": "https://login.example.com"},
        {"exp": int(time.time()) - 120},
        {"nonce": "n-2"},
        {"nonce": None},
        {"exp": None},
    ],
    ids=["audience", "audience-list", "issuer", "expired", "nonce", "no-nonce", "no-expiry"],
)
def test_a_token_with_a_wrong_claim_is_refused(
    issuer: StaticIssuer, changes: dict[str, object]
) -> None:
    token = issuer.sign(id_claims(issuer, **changes))
    with pytest.raises(SsoLoginError, match="ID token is not valid"):
        relying_party(issuer).validate_id_token(token, nonce="n-1")


def test_a_token_signed_by_another_key_is_refused(issuer: StaticIssuer) -> None:
    stranger = RSAKey.generate_key(2048, {"kid": "first"})  # same kid, other key
    token = issuer.sign(id_claims(issuer), key=stranger)
    with pytest.raises(SsoLoginError, match="ID token is not valid"):
        relying_party(issuer).validate_id_token(token, nonce="n-1")


def test_an_unsigned_token_is_refused(issuer: StaticIssuer) -> None:
    import base64
    import json

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': 'none'})}.{part(id_claims(issuer))}."
    with pytest.raises(SsoLoginError):
        relying_party(issuer).validate_id_token(token, nonce="n-1")


def test_the_jwks_is_read_again_once_for_an_unknown_key(issuer: StaticIssuer) -> None:
    party = relying_party(issuer)
    party.validate_id_token(issuer.sign(id_claims(issuer)), nonce="n-1")
    party.validate_id_token(issuer.sign(id_claims(issuer)), nonce="n-1")
    assert issuer.jwks_reads == 1  # cached
    rotated = issuer.rotate("second")
    party.validate_id_token(issuer.sign(id_claims(issuer), key=rotated), nonce="n-1")
    assert issuer.jwks_reads == 2
    unknown = RSAKey.generate_key(2048, {"kid": "third"})
    with pytest.raises(SsoLoginError):
        party.validate_id_token(issuer.sign(id_claims(issuer), key=unknown), nonce="n-1")
    assert issuer.jwks_reads == 3  # once more, not in a loop


# -- a real `atlas server` and a browser-like client that follows redirects ----------------------
def sso_env(issuer: str, role_map: str) -> dict[str, str]:
    return {
        "ATLAS_AUTH": "on",
        "ATLAS_OIDC_ISSUER": issuer,
        "ATLAS_OIDC_CLIENT_ID": CLIENT_ID,
        "ATLAS_OIDC_CLIENT_SECRET": "s3cret",  # the provider serves confidential clients only
        "ATLAS_OIDC_ROLE_MAP": role_map,
    }


def test_a_browser_logs_in_to_a_real_server(tmp_path: Path, provider: Provider) -> None:
    env = sso_env(provider.issuer, "ml-admins=admin")  # the admin comes from the provider
    provider.set_user("sub-zoe", {"preferred_username": "zoe", "groups": ["ml-admins"]})
    with (
        running_server(tmp_path / "home", env=env) as server,
        httpx.Client(follow_redirects=True, timeout=30) as browser,
    ):
        form = browser.get(f"{server.url}{API}/auth/oidc/login", params={"next": f"{API}/auth/me"})
        assert form.status_code == 200, form.text  # the provider's login form
        assert str(form.url).startswith(provider.issuer)
        landed = browser.post(str(form.url), data={"sub": "sub-zoe"})
        assert landed.status_code == 200, server.output()
        assert str(landed.url) == f"{server.url}{API}/auth/me"
        who = landed.json()
        assert (who["kind"], who["user"]["name"], who["user"]["admin"]) == ("session", "zoe", True)
        made = browser.post(
            f"{server.url}{API}/projects",
            json={"name": "zoes"},
            headers={"X-CSRF-Token": who["csrf_token"]},
        )
        assert made.status_code == 201, made.text


def test_a_real_server_refuses_to_start_with_a_bad_role_map(tmp_path: Path) -> None:
    server = launch_server(tmp_path / "home", env=sso_env("https://login.example.com", "x=boss"))
    out, err = server.process.communicate(timeout=60)
    assert server.process.returncode != 0, out
    assert "oidc_role_map entry 1" in err, err


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "x" * 5000])
def test_a_malformed_token_is_refused(issuer: StaticIssuer, token: str) -> None:
    with pytest.raises(SsoLoginError, match="ID token is not valid"):
        relying_party(issuer).validate_id_token(token, nonce="n-1")
