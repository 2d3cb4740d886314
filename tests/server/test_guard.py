"""No web page can drive the server: DNS rebinding (a foreign ``Host``) and cross-site
requests (``Origin``, ``Sec-Fetch-Site``) are refused on every route, generated from the
OpenAPI schema so that a new route is covered the day it is added."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocket, WebSocketDisconnect

from atlas.errors import InvalidInputError
from atlas.server.guard import STATE_CHANGING_METHODS, HostPolicy, split_host
from atlas.settings import Settings
from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for

EVIL_HOST = "evil.example"
EVIL_ORIGIN = "http://evil.example"
GUARD_CODES = {"host_not_allowed", "cross_site_request"}
SHA = "0" * 64

# Routes that the OpenAPI schema leaves out, answered by the same app.
UNLISTED_ROUTES = [
    ("GET", f"{API}/openapi.json"),
    ("GET", f"{API}/docs"),
    ("GET", f"{API}/docs/oauth2-redirect"),
    ("GET", f"{API}/docs/assets/swagger-ui.css"),
    ("HEAD", f"{API}/snapshots/{SHA}"),
    ("GET", "/"),
    ("GET", "/projects/vision"),
    ("GET", "/no/such/route"),
    # The MLflow API (docs/mlflow.md), left out of the schema as MLflow's, not Atlas's.
    ("POST", "/api/2.0/mlflow/runs/create"),
    ("GET", "/api/2.0/mlflow/experiments/search"),
    ("PUT", "/api/2.0/mlflow-artifacts/artifacts/0/0123456789abcdef/artifacts/a.txt"),
]


def routes(client: TestClient, job_id: str) -> list[tuple[str, str]]:
    """(method, URL) of every operation in the app's OpenAPI schema, with real values in its
    path parameters (deletes last, so the job lives until they run), plus the unlisted."""
    schema = client.get(f"{API}/openapi.json").json()
    values = {
        "job_id": job_id,
        "name": "vision",
        "key": "lr",
        "path": "a.txt",
        "sha256": SHA,
        "user": "ada",
        "token_id": "0123456789ab",
        "tensorboard_id": "0123456789abcdef",
        "sweep_id": job_id,  # a sweep's id has a job id's shape; none by this one: 404
        "view_id": job_id,  # a view's id has a job id's shape; none by this one: 404
        "schedule_id": job_id,  # a schedule's id has a job id's shape; none by it: 404
        "notification_id": job_id,  # a rule's id has a job id's shape; none by it: 404
    }
    found = []
    for template, methods in schema["paths"].items():
        url = template
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        assert "{" not in url, f"no value for a parameter of {template}"
        found += [(method.upper(), url) for method in methods]
    found += UNLISTED_ROUTES
    return sorted(found, key=lambda item: (item[0] == "DELETE", item[1], item[0]))


def is_stream(url: str) -> bool:
    return url.endswith("/log/stream")  # never ends while the job runs


@pytest.fixture
def job_id(client: TestClient) -> str:
    response = client.post(f"{API}/jobs", json={"project": "vision", "params": {"lr": 1}})
    assert response.status_code == 201, response.text
    job = str(response.json()["id"])
    client.put(f"{API}/jobs/{job}/tags", json={"tags": {"lr": "x"}})
    client.put(f"{API}/jobs/{job}/artifacts/a.txt", content=b"abc")
    return job


def test_every_route_refuses_a_foreign_host(client: TestClient, job_id: str) -> None:
    checked = 0
    for method, url in routes(client, job_id):
        response = client.request(method, url, headers={"Host": f"{EVIL_HOST}:5555"})
        assert response.status_code == 421, (method, url, response.text)
        if method != "HEAD":
            error = assert_error(response, 421, "host_not_allowed")
            assert "allowed_hosts" in str(error["message"]), error
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL_ORIGIN},
        {"Origin": "null"},
        {"Origin": "http://localhost:6666"},  # another local web app: another origin
        {"Origin": "https://localhost"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    ],
)
def test_every_state_changing_route_refuses_other_sites(
    client: TestClient, job_id: str, headers: dict[str, str]
) -> None:
    changing = [(m, u) for m, u in routes(client, job_id) if m in STATE_CHANGING_METHODS]
    assert len(changing) > 15
    for method, url in changing:
        response = client.request(
            method, url, content=b"{}", headers={"Content-Type": "application/json", **headers}
        )
        assert_error(response, 403, "cross_site_request")
    assert client.get(f"{API}/jobs/{job_id}").status_code == 200  # nothing was deleted


def test_the_same_requests_from_this_machine_reach_the_routes(
    client: TestClient, job_id: str
) -> None:
    """The SDK and the CLI (no Origin) and the GUI (its own origin) are not refused."""
    same_origin: list[dict[str, str]] = [
        {},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar
    ]
    for method, url in routes(client, job_id):
        if is_stream(url):
            continue
        for headers in same_origin if method in STATE_CHANGING_METHODS else [{}]:
            response = client.request(method, url, headers=headers)
            if response.status_code in (403, 421):
                assert response.json()["error"]["code"] not in GUARD_CODES, (method, url)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"a=1"),
        ("multipart/form-data; boundary=x", b"--x--\r\n"),
        ("text/plain", b"hello"),
        (None, b""),
    ],
)
def test_cors_simple_requests_from_another_page_change_nothing(
    client: TestClient, job_id: str, content_type: str | None, body: bytes
) -> None:
    """What a plain HTML form or a no-preflight fetch can send (defect 2)."""
    headers = {"Origin": EVIL_ORIGIN}
    if content_type:
        headers["Content-Type"] = content_type
    for action in ("rerun", "cancel", "log"):
        response = client.post(f"{API}/jobs/{job_id}/{action}", content=body, headers=headers)
        assert_error(response, 403, "cross_site_request")
    page = client.get(f"{API}/projects/vision/jobs").json()
    assert [job["id"] for job in page["items"]] == [job_id]  # no rerun
    assert client.get(f"{API}/jobs/{job_id}").json()["status"] == "running"
    assert client.get(f"{API}/jobs/{job_id}/log").content == b""


def test_a_rebound_page_cannot_submit_a_command(client: TestClient) -> None:
    """The attack of defect 1: a page whose name now resolves to 127.0.0.1."""
    submission = {"project": "pwn", "command": ["sh", "-c", "touch /tmp/pwned"]}
    headers = {"Host": "attacker.example:5555", "Origin": "http://attacker.example:5555"}
    response = client.post(f"{API}/submissions", json=submission, headers=headers)
    assert_error(response, 421, "host_not_allowed")
    assert client.get(f"{API}/projects").json()["items"] == []


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:5555",
        "LOCALHOST.:80",
        "atlas.localhost:5555",
        "127.0.0.1",
        "127.1.2.3:5555",
        "[::1]:5555",
        "[::1]",
    ],
)
def test_loopback_hosts_are_answered(client: TestClient, host: str) -> None:
    response = client.get("/healthz", headers={"Host": host})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "host",
    [
        EVIL_HOST,
        "localhost.evil.example",
        "evillocalhost",
        "127.0.0.1.nip.io",
        "10.0.0.5:5555",
        "[::2]:5555",
        "0.0.0.0",
        "",
        "localhost:99999",
        "[::1",
    ],
)
def test_other_hosts_are_refused_even_on_healthz(client: TestClient, host: str) -> None:
    response = client.get("/healthz", headers={"Host": host})
    assert_error(response, 421, "host_not_allowed")


def test_allowed_hosts_adds_names_and_wildcards(settings: Settings) -> None:
    allowed = settings_for(
        settings.home_path, allowed_hosts=" atlas.lab.example , *.corp.example,10.1.2.3"
    )
    with make_client(allowed) as client:
        for host in ["atlas.lab.example:5555", "a.corp.example", "x.y.corp.example", "10.1.2.3"]:
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        for host in ["lab.example", "corp.example", "evilcorp.example", "10.1.2.4", EVIL_HOST]:
            assert_error(client.get("/healthz", headers={"Host": host}), 421, "host_not_allowed")
        # An allowed host's own pages may write; another allowed host's may not.
        origin = "http://atlas.lab.example:5555"
        headers = {"Host": "atlas.lab.example:5555", "Origin": origin}
        response = client.post(f"{API}/projects", json={"name": "p"}, headers=headers)
        assert response.status_code == 201, response.text
        headers = {"Host": "atlas.lab.example:5555", "Origin": "http://a.corp.example"}
        response = client.post(f"{API}/projects", json={"name": "q"}, headers=headers)
        assert_error(response, 403, "cross_site_request")


@pytest.mark.parametrize(
    ("bind", "answered", "refused"),
    [
        ("192.168.7.7", ["192.168.7.7:5555", "localhost"], ["192.168.7.8", EVIL_HOST]),
        ("0.0.0.0", ["192.168.7.7:5555", "[fe80::1]:5555", "localhost"], [EVIL_HOST]),
        ("::", ["10.0.0.1"], ["atlas.lan"]),
    ],
)
def test_an_insecure_bind_allows_its_own_address(
    bind: str, answered: list[str], refused: list[str]
) -> None:
    policy = HostPolicy.build(None, bind=bind)
    for host in answered:
        assert policy.allows(split_host(host)[0]), host
    for host in refused:
        assert not policy.allows(split_host(host)[0]), host


@pytest.mark.parametrize("entry", ["http://a.example", "a.example:80", "a b", "*", "a/b"])
def test_allowed_hosts_entries_are_checked(entry: str) -> None:
    if entry == "*":  # the documented way to turn the check off
        assert HostPolicy.build(entry).allows(EVIL_HOST)
        return
    with pytest.raises(InvalidInputError, match="allowed_hosts"):
        HostPolicy.build(entry)


def test_the_spool_import_transport_is_answered(client: TestClient) -> None:
    from atlas.server.loopback import LOOPBACK_URL

    host = LOOPBACK_URL.removeprefix("http://")
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


def test_the_origin_is_compared_with_the_scheme_and_port_the_request_came_by(
    settings: Settings,
) -> None:
    """Behind a TLS proxy the request's scheme is https (uvicorn reads X-Forwarded-Proto)."""
    app = make_client(settings).app
    with TestClient(app, base_url="https://localhost") as client:
        ok = client.post(
            f"{API}/projects", json={"name": "a"}, headers={"Origin": "https://localhost"}
        )
        assert ok.status_code == 201, ok.text
        for origin in ("http://localhost", "https://localhost:8443"):
            response = client.post(
                f"{API}/projects", json={"name": "b"}, headers={"Origin": origin}
            )
            assert_error(response, 403, "cross_site_request")


def test_websockets_follow_the_same_rules(client: TestClient) -> None:
    """No route is a WebSocket today; one added later is guarded like a write."""

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    client.app.add_api_websocket_route("/ws-probe", echo)  # type: ignore[attr-defined]

    def connect(**headers: str) -> object:
        # The test client names its own host for WebSockets: say which.
        return client.websocket_connect("/ws-probe", headers={"Host": "localhost", **headers})

    for same_origin in ({}, {"Origin": "http://localhost"}):
        with connect(**same_origin) as socket:  # type: ignore[attr-defined]
            assert socket.receive_text() == "hello"
    refused = [{"Origin": EVIL_ORIGIN}, {"Host": EVIL_HOST}, {"Sec-Fetch-Site": "cross-site"}]
    for headers in refused:
        with pytest.raises(WebSocketDisconnect) as closed, connect(**headers):  # type: ignore[attr-defined]
            pass
        assert closed.value.code == 1008, headers
