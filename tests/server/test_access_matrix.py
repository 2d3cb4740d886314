"""The role matrix: every operation of the OpenAPI schema, called by every kind of caller on
a server with authentication on, answers as its ``x-atlas-access`` declaration says.

The expected outcome is computed here from the declaration and what each principal is (the
contract in docs/auth.md), not from the server's code: allowed means neither 401 nor 403;
denied means exactly 401 (no valid credentials) or exactly 403 (known, but no right). A
denied caller that gets anything else (2xx, 3xx, 404, 409, 422, ...) learned something or
changed something: a leak. Every leak is listed before the test fails. Nothing answers 5xx.

Runs on PostgreSQL (``team_db_url``: required in CI, SQLite only where no server answers).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from atlas.domain import Role
from atlas.server.auth.access import api_routes
from atlas.server.auth.credentials import CACHE_SECONDS
from tests.server.auth_fixtures import (
    PASSWORD,
    add_user,
    auth_client,
    bearer,
    mint_token,
    new_session,
    session_headers,
    store_of,
    team_db_url,
)
from tests.server.conftest import API, TestClient

__all__ = ["team_db_url"]  # the fixture, imported for pytest

pytestmark = pytest.mark.postgres

P, Q = "vision", "rivals"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
SNAPSHOT = b"not really a tarball"
SNAPSHOT_SHA = hashlib.sha256(SNAPSHOT).hexdigest()
_unique = itertools.count()
SCHEDULE_JOB = {"project": P, "command": ["sleep", "600"], "env": "none"}
SWEEP_BODY = {
    "project": P,
    "spec": {
        "command": ["sleep", "600"],
        "objective": "loss",
        "trials": 1,
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
    },
}


def unique(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"


# -- the world ------------------------------------------------------------------------------
@dataclass
class World:
    """Project P (owner; editor and viewer members) with job J, a finished job F and a
    queued scheduled job; project Q (outsider) with job K; tokens of everyone."""

    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    job_j: str = ""
    job_k: str = ""
    finished: str = ""
    sweep: str = ""
    view: str = ""
    schedule: str = ""
    notification: str = ""

    @property
    def store(self) -> Any:
        return store_of(self.client)

    def as_admin(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.client.request(method, url, headers=bearer(self.tokens["admin"]), **kwargs)
        assert response.status_code < 300, (method, url, response.text)
        return response.json() if response.content else None

    def copy_of_p(self) -> str:
        """A new project with P's members and roles (for routes that delete or rename)."""
        name = unique("copy-")
        self.store.create_project(name, owner="owner")
        self.store.set_member(name, "editor", Role.EDITOR)
        self.store.set_member(name, "viewer", Role.VIEWER)
        return name

    def view_in_p(self) -> str:
        """A new saved view of P (for the route that deletes one)."""
        body = {"name": unique("view-"), "state": {}}
        return str(self.as_admin("POST", f"{API}/projects/{P}/views", json=body)["id"])

    def notification_in_p(self) -> str:
        """A new notification rule of P (for the route that deletes one)."""
        body = {"events": ["failed"], "kind": "webhook", "url": "http://127.0.0.1:9/hook"}
        return str(self.as_admin("POST", f"{API}/projects/{P}/notifications", json=body)["id"])

    def schedule_in_p(self) -> str:
        """A new recurring job of P (for the route that deletes one)."""
        body = {"cron": "0 3 * * *", "job": SCHEDULE_JOB}
        return str(self.as_admin("POST", f"{API}/projects/{P}/schedules", json=body)["id"])

    def job_in_p(self) -> str:
        """A new running tracked job in P (for routes that delete or end one)."""
        return str(self.as_admin("POST", f"{API}/jobs", json={"project": P})["id"])


def build_world(client: TestClient) -> World:
    world = World(client)
    store = world.store
    for name in ("admin", "owner", "editor", "viewer", "outsider", "disabled", "spare"):
        add_user(store, name, admin=name == "admin")
        world.tokens[name] = mint_token(store, name)
    store.update_user("disabled", disabled=True)
    store.create_project(P, owner="owner")
    store.set_member(P, "editor", Role.EDITOR)
    store.set_member(P, "viewer", Role.VIEWER)
    store.create_project(Q, owner="outsider")

    def job(project: str, user: str) -> str:
        headers = bearer(world.tokens[user])
        body = {"project": project, "params": {"lr": 1}, "tags": {"stage": "x"}}
        made = client.post(f"{API}/jobs", json=body, headers=headers)
        assert made.status_code == 201, made.text
        job_id = str(made.json()["id"])
        batch = {"series": [{"key": "lr", "steps": [0], "times": [1.0], "values": [0.1]}]}
        writes: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", f"{API}/jobs/{job_id}/metrics", {"json": batch}),
            ("PUT", f"{API}/jobs/{job_id}/artifacts/a.txt", {"content": b"abc"}),
            ("POST", f"{API}/jobs/{job_id}/log", {"content": b"hello\n"}),
        ]
        for method, url, kwargs in writes:
            answer = client.request(method, url, headers=headers, **kwargs)
            assert answer.status_code < 300, answer.text
        return job_id

    world.job_j, world.job_k = job(P, "owner"), job(Q, "outsider")
    world.finished = job(P, "owner")
    done = {"status": "completed", "exit_code": 0}
    world.as_admin("PATCH", f"{API}/jobs/{world.finished}", json=done)
    # The scheduler: one CPU slot, held by Q's job; P's job and another of Q's wait.
    submit = {"command": ["sleep", "600"], "env": "none"}
    for project, user in ((Q, "outsider"), (P, "owner"), (Q, "outsider")):
        answer = client.post(
            f"{API}/submissions",
            json={"project": project, **submit},
            headers=bearer(world.tokens[user]),
        )
        assert answer.status_code == 201, answer.text
    now = datetime.now(UTC)
    world.tokens |= {
        "job J": mint_token(store, None, job_id=world.job_j),
        "job K": mint_token(store, None, job_id=world.job_k),
        "revoked": mint_token(store, "editor"),
        "expired": mint_token(store, "editor", expires_at=now - timedelta(seconds=1)),
        "admin scoped to Q": mint_token(store, "admin", project=Q, role=Role.OWNER),
        "owner scoped to P as viewer": mint_token(store, "owner", project=P, role=Role.VIEWER),
    }
    revoked = next(t for t in store.list_tokens("editor"))
    store.revoke_token(revoked.id)
    world.sweep = str(world.as_admin("POST", f"{API}/sweeps", json=SWEEP_BODY)["id"])
    world.as_admin("POST", f"{API}/sweeps/{world.sweep}/stop")
    world.view = world.view_in_p()
    world.schedule = world.schedule_in_p()
    world.notification = world.notification_in_p()
    return world


# -- who calls --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Caller:
    """One principal and what the contract says it is."""

    name: str
    headers: Callable[[World], dict[str, str]]
    valid: bool = True  # credentials that prove someone
    admin: bool = False  # an instance admin, unscoped
    job: bool = False  # a job's token
    own_job: bool = False  # the token of job J (every job route's target)
    role_in_p: Role | None = None
    csrf: bool = True  # a session write carries X-CSRF-Token
    session: bool = False
    scoped: bool = False  # a user's token limited to one project


def token_of(name: str) -> Callable[[World], dict[str, str]]:
    return lambda world: bearer(world.tokens[name])


def session_of(user: str, *, csrf: bool) -> Callable[[World], dict[str, str]]:
    def headers(world: World) -> dict[str, str]:
        # A fresh session per request: logout and a password change end sessions.
        secret, token = new_session(world.store, user)
        return session_headers(secret, token if csrf else None)

    return headers


CALLERS = [
    Caller("anonymous", lambda world: {}, valid=False),
    Caller("viewer", token_of("viewer"), role_in_p=Role.VIEWER),
    Caller("editor", token_of("editor"), role_in_p=Role.EDITOR),
    Caller("owner", token_of("owner"), role_in_p=Role.OWNER),
    Caller("admin", token_of("admin"), admin=True, role_in_p=Role.OWNER),
    Caller("outsider (owner of Q)", token_of("outsider")),
    Caller("job J's token", token_of("job J"), job=True, own_job=True, role_in_p=Role.VIEWER),
    Caller("job K's token", token_of("job K"), job=True),
    Caller("revoked token", token_of("revoked"), valid=False),
    Caller("expired token", token_of("expired"), valid=False),
    Caller("disabled user's token", token_of("disabled"), valid=False),
    Caller("admin's token scoped to Q", token_of("admin scoped to Q"), scoped=True),
    Caller(
        "owner's token scoped to P as viewer",
        token_of("owner scoped to P as viewer"),
        scoped=True,
        role_in_p=Role.VIEWER,
    ),
    Caller(
        "editor's session with CSRF",
        session_of("editor", csrf=True),
        session=True,
        role_in_p=Role.EDITOR,
    ),
    Caller(
        "editor's session without CSRF",
        session_of("editor", csrf=False),
        session=True,
        csrf=False,
        role_in_p=Role.EDITOR,
    ),
]


def expected(caller: Caller, method: str, path: str, access: dict[str, Any]) -> int | None:
    """``None`` when ``caller`` may call the operation, else the status it must get."""
    need = access["need"]
    if need == "public":
        # Logging out is public (with no session it is a no-op), but a session's logout is a
        # change like any other: it needs the session's CSRF token.
        csrf_refused = caller.session and not caller.csrf and path == f"{API}/auth/logout"
        return 403 if csrf_refused else None
    if not caller.valid:
        return 401
    if caller.session and not caller.csrf and method not in SAFE:
        return 403
    if need == "signed_in":
        return None
    if need == "person":
        # A token limited to one project reaches nothing beyond it: no project creation,
        # no tokens, no password.
        return 403 if caller.job or caller.scoped else None
    if need == "admin":
        return None if caller.admin else 403
    if access["own_job"] and caller.own_job:
        return None
    role = caller.role_in_p
    return None if role is not None and role.allows(Role(need)) else 403


# -- what each operation is sent ----------------------------------------------------------------
Sample = Callable[[World], dict[str, Any]]
"""The request's ``json``/``content``/``params`` (and ``url`` values to replace)."""

BODIES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/projects"): lambda w: {"json": {"name": unique("new-")}},
    ("PATCH", "/api/v1/projects/{name}"): lambda w: {
        "json": {"name": unique("renamed-")},
        "path": {"name": w.copy_of_p()},
    },
    ("PUT", "/api/v1/projects/{name}/description"): lambda w: {"json": {"markdown": "# P"}},
    ("POST", "/api/v1/projects/{name}/notes"): lambda w: {"json": {"text": "a note"}},
    ("POST", "/api/v1/jobs"): lambda w: {"json": {"project": P}},
    ("PATCH", "/api/v1/jobs/{job_id}"): lambda w: {"json": {"name": "renamed"}},
    ("PUT", "/api/v1/jobs/{job_id}/params"): lambda w: {"json": {"params": {"lr": 2}}},
    ("PUT", "/api/v1/jobs/{job_id}/tags"): lambda w: {"json": {"tags": {"stage": "y"}}},
    ("POST", "/api/v1/jobs/{job_id}/metrics"): lambda w: {
        "json": {
            "batch_id": unique("b"),
            "series": [{"key": "loss", "steps": [1], "times": [1.0], "values": [0.5]}],
        }
    },
    ("PUT", "/api/v1/jobs/{job_id}/artifacts/{path}"): lambda w: {"content": b"abc"},
    ("POST", "/api/v1/jobs/{job_id}/artifacts/{path}"): lambda w: {
        "content": b"abc",
        "params": {"offset": 0},
    },
    ("POST", "/api/v1/jobs/{job_id}/log"): lambda w: {"content": b"more\n"},
    ("POST", "/api/v1/submissions"): lambda w: {
        "json": {"project": P, "command": ["sleep", "600"], "env": "none"}
    },
    ("PUT", "/api/v1/snapshots/{sha256}"): lambda w: {"content": SNAPSHOT},
    ("POST", "/api/v1/jobs/{job_id}/rerun"): lambda w: {"json": {}},
    ("POST", "/api/v1/auth/login"): lambda w: {"json": {"name": "viewer", "password": PASSWORD}},
    ("PUT", "/api/v1/auth/password"): lambda w: {"json": {"current": PASSWORD, "new": PASSWORD}},
    ("POST", "/api/v1/users"): lambda w: {"json": {"name": unique("user")}},
    ("PATCH", "/api/v1/users/{user}"): lambda w: {"json": {"disabled": False}},
    ("POST", "/api/v1/tokens"): lambda w: {"json": {"name": "matrix"}},
    ("PUT", "/api/v1/projects/{name}/members/{user}"): lambda w: {"json": {"role": "viewer"}},
    ("POST", "/api/v1/tensorboards"): lambda w: {"json": {"jobs": [w.job_j]}},
    ("POST", "/api/v1/sweeps"): lambda w: {"json": SWEEP_BODY},
    ("POST", "/api/v1/sweeps/{sweep_id}/trials"): lambda w: {"json": {"count": 1}},
    ("POST", "/api/v1/projects/{name}/views"): lambda w: {
        "json": {"name": unique("view-"), "state": {"q": "lr > 0"}}
    },
    ("PATCH", "/api/v1/views/{view_id}"): lambda w: {"json": {"state": {"q": "x"}}},
    ("POST", "/api/v1/projects/{name}/schedules"): lambda w: {
        "json": {"cron": "@daily", "job": SCHEDULE_JOB}
    },
    ("PATCH", "/api/v1/schedules/{schedule_id}"): lambda w: {"json": {"paused": False}},
    ("POST", "/api/v1/projects/{name}/notifications"): lambda w: {
        "json": {"events": ["failed"], "kind": "slack", "url": "http://127.0.0.1:9/hook"}
    },
    ("PATCH", "/api/v1/notifications/{notification_id}"): lambda w: {"json": {"enabled": True}},
    ("POST", "/api/v1/series"): lambda w: {"json": {"jobs": [w.job_j], "keys": ["lr"]}},
    ("GET", "/api/v1/projects/{name}/jobs/values"): lambda w: {"params": {"fields": "params.lr"}},
    ("GET", "/api/v1/projects/{name}/jobs/groups"): lambda w: {"params": {"by": "params.lr"}},
    ("GET", "/api/v1/projects/{name}/importances"): lambda w: {"params": {"metric": "metrics.lr"}},
}

# Operations that would spoil the world for the next caller get a fresh target each time.
FRESH: dict[tuple[str, str], Sample] = {
    ("DELETE", "/api/v1/projects/{name}"): lambda w: {"path": {"name": w.copy_of_p()}},
    ("DELETE", "/api/v1/projects/{name}/members/{user}"): lambda w: {
        "path": {"name": w.copy_of_p()}
    },
    ("DELETE", "/api/v1/jobs/{job_id}"): lambda w: {"path": {"job_id": w.job_in_p()}},
    ("POST", "/api/v1/jobs/{job_id}/cancel"): lambda w: {"path": {"job_id": w.job_in_p()}},
    ("GET", "/api/v1/jobs/{job_id}/log/stream"): lambda w: {"path": {"job_id": w.finished}},
    ("DELETE", "/api/v1/tokens/{token_id}"): lambda w: {"path": {"token_id": _fresh_token_id(w)}},
    ("DELETE", "/api/v1/queue"): lambda w: {"params": {"project": P}},
    ("DELETE", "/api/v1/views/{view_id}"): lambda w: {"path": {"view_id": w.view_in_p()}},
    ("DELETE", "/api/v1/schedules/{schedule_id}"): lambda w: {
        "path": {"schedule_id": w.schedule_in_p()}
    },
    ("DELETE", "/api/v1/notifications/{notification_id}"): lambda w: {
        "path": {"notification_id": w.notification_in_p()}
    },
}


def _fresh_token_id(world: World) -> str:
    mint_token(world.store, "viewer")
    return str(world.store.list_tokens("viewer")[0].id)


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(method, path template, x-atlas-access, has a body) of every operation, deletes last."""
    schema = client.get(f"{API}/openapi.json").json()
    found = []
    missing = []
    for template, methods in schema["paths"].items():
        for method, operation in methods.items():
            access = operation.get("x-atlas-access")
            if access is None:
                missing.append(f"{method.upper()} {template}")
                continue
            found.append((method.upper(), template, access, "requestBody" in operation))
    assert not missing, f"operations without x-atlas-access: {missing}"
    # API routes left out of the schema (HEAD /snapshots/{sha256}) are walked alike.
    app = client.app
    assert isinstance(app, FastAPI)
    for template, methods, declaration in api_routes(app):
        hidden = [m for m in methods if m.lower() not in schema["paths"].get(template, {})]
        if template.startswith(API) and hidden:
            assert declaration is not None, f"{hidden} {template} declares no access"
            found += [(method, template, declaration.openapi(), False) for method in hidden]
    return sorted(found, key=lambda op: (op[0] == "DELETE", op[1], op[0]))


def request_for(
    world: World, method: str, template: str, has_body: bool
) -> tuple[str, dict[str, Any]]:
    key = (method, template)
    sample = BODIES.get(key)
    if has_body and sample is None:
        pytest.fail(f"add a sample body for {method} {template} to BODIES")
    made = {**(sample(world) if sample else {}), **(FRESH[key](world) if key in FRESH else {})}
    values = {
        "name": P,
        "job_id": world.job_j,
        "key": "lr",
        "path": "a.txt",
        "sha256": SNAPSHOT_SHA,
        "user": "viewer",
        "token_id": "0123456789ab",
        "tensorboard_id": "0123456789abcdef",
        "sweep_id": world.sweep,
        "view_id": world.view,
        "schedule_id": world.schedule,
        "notification_id": world.notification,
        **made.pop("path", {}),
    }
    url = template
    for name, value in values.items():
        url = url.replace("{" + name + "}", value)
    assert "{" not in url, f"no value for a path parameter of {template}"
    return url, made


@pytest.fixture
def world(tmp_path: Path, team_db_url: str) -> Iterator[World]:
    with auth_client(tmp_path / "home", team_db_url, cpus=1) as client:
        world = build_world(client)
        yield world
        for job in world.store.list_active():
            client.post(f"{API}/jobs/{job.id}/cancel", headers=bearer(world.tokens["admin"]))


# -- the tests ----------------------------------------------------------------------------------
def test_every_operation_answers_every_principal_as_declared(world: World) -> None:
    client = world.client
    leaks: list[str] = []
    refused: list[str] = []
    failures: list[str] = []
    calls = 0
    for method, template, access, has_body in operations(client):
        for caller in CALLERS:
            url, kwargs = request_for(world, method, template, has_body)
            client.cookies.clear()  # a login answer's cookies must not follow the next caller
            response = client.request(
                method, url, headers=caller.headers(world), follow_redirects=False, **kwargs
            )
            calls += 1
            status = response.status_code
            what = f"{method} {template} as {caller.name}: {status} {response.text[:200]}"
            want = expected(caller, method, template, access)
            if status >= 500:
                failures.append(what)
            elif want is None and status in (401, 403):
                refused.append(what)
            elif want is not None and status != want:
                leaks.append(f"{what} (expected {want})")
            elif want is not None and method != "HEAD":  # a HEAD answer has no body
                code = response.json()["error"]["code"]
                codes = {"unauthenticated"} if want == 401 else {"permission_denied", "csrf_failed"}
                if code not in codes:
                    leaks.append(f"{what} (expected a {want} with one of {sorted(codes)})")
    client.cookies.clear()
    report = "\n".join(
        [f"LEAK {line}" for line in leaks]
        + [f"WRONGLY REFUSED {line}" for line in refused]
        + [f"SERVER ERROR {line}" for line in failures]
    )
    assert not report, (
        f"{len(leaks)} leaks, {len(refused)} refusals, {len(failures)} 5xx:\n{report}"
    )
    assert calls > 50 * len(CALLERS)


def test_listings_show_only_what_the_caller_may_read(world: World) -> None:
    client = world.client
    for name in ("viewer", "editor", "owner", "owner scoped to P as viewer", "job J"):
        projects = client.get(f"{API}/projects", headers=bearer(world.tokens[name]))
        assert projects.status_code == 200, projects.text
        names = {p["name"] for p in projects.json()["items"]}
        assert names == {P}, (name, names)
        state = client.get(f"{API}/scheduler", headers=bearer(world.tokens[name]))
        assert state.status_code == 200, state.text
        listed = state.json()["queue"] + state.json()["running"]
        assert listed, name  # P's queued job
        assert {job["project"] for job in listed} == {P}, (name, listed)
        # Q's jobs hold the CPU and the reservation: their ids are not shown either.
        shown_ids = {job["id"] for job in listed}
        named = set(state.json()["waiting_for"]) | {state.json()["reservation"]} - {None}
        named |= {gpu["job_id"] for gpu in state.json()["resources"]["gpus"]} - {None}
        for node in state.json()["nodes"]:
            named |= set(node["running"]) | {gpu["job_id"] for gpu in node["gpus"]} - {None}
            assert node["cpus"]["used"] == 1  # Q's job: counted, not named
        assert named <= shown_ids, (name, named - shown_ids)
    outsider = client.get(f"{API}/projects", headers=bearer(world.tokens["outsider"])).json()
    assert {p["name"] for p in outsider["items"]} == {Q}
    admin = client.get(f"{API}/projects", headers=bearer(world.tokens["admin"])).json()
    assert {P, Q} <= {p["name"] for p in admin["items"]}
    assert {p["role"] for p in admin["items"]} == {"owner"}
    roles = client.get(f"{API}/projects", headers=bearer(world.tokens["viewer"])).json()
    assert [p["role"] for p in roles["items"]] == ["viewer"]
    state = client.get(f"{API}/scheduler", headers=bearer(world.tokens["admin"])).json()
    assert {job["project"] for job in state["queue"] + state["running"]} == {P, Q}


def test_a_job_token_submits_children_into_its_own_project_only(world: World) -> None:
    client, token = world.client, bearer(world.tokens["job J"])
    run = {"command": ["sleep", "600"], "env": "none"}
    child = client.post(
        f"{API}/submissions", json={"project": P, "parent_id": world.job_j, **run}, headers=token
    )
    assert child.status_code == 201, child.text
    assert child.json()["parent_id"] == world.job_j
    for body in (
        {"project": P},  # not as its child
        {"project": Q, "parent_id": world.job_j},  # into another project
        {"project": P, "parent_id": world.finished},  # as another job's child
        {"project": "brand-new", "parent_id": world.job_j},  # nor creates a project
    ):
        answer = client.post(f"{API}/submissions", json={**body, **run}, headers=token)
        assert answer.status_code == 403, (body, answer.text)
        assert answer.json()["error"]["code"] == "permission_denied"
    assert_names = {p["name"] for p in world.as_admin("GET", f"{API}/projects")["items"]}
    assert "brand-new" not in assert_names


def test_a_job_token_dies_with_its_job(world: World) -> None:
    client, token = world.client, bearer(world.tokens["job J"])
    assert client.get(f"{API}/jobs/{world.job_j}", headers=token).status_code == 200
    done = client.patch(
        f"{API}/jobs/{world.job_j}", json={"status": "completed", "exit_code": 0}, headers=token
    )
    assert done.status_code == 200, done.text
    # The store revokes it at once; a server reuses a token it looked up for at most
    # CACHE_SECONDS (as any other server on the database does).
    deadline = time.monotonic() + CACHE_SECONDS + 1
    while client.get(f"{API}/projects", headers=token).status_code != 401:
        assert time.monotonic() < deadline, "the token of an ended job still works"
        time.sleep(0.2)
    for method, url in (
        ("GET", f"{API}/jobs/{world.job_j}"),
        ("POST", f"{API}/jobs/{world.job_j}/log"),
        ("PUT", f"{API}/jobs/{world.job_j}/tags"),
    ):
        answer = client.request(method, url, headers=token, json={"tags": {"a": "b"}})
        assert answer.status_code == 401, (method, url, answer.text)


def test_any_valid_caller_may_ask_whether_a_snapshot_exists(world: World) -> None:
    """``HEAD /snapshots/{sha256}`` (not in the schema) is ``signed_in``, as the upload is: a
    snapshot belongs to no project (one upload serves every job with that code), and only a
    caller who has the bytes knows their SHA-256. A caller with no valid credentials learns
    nothing, not even with a body-less answer."""
    client = world.client
    url = f"{API}/snapshots/{SNAPSHOT_SHA}"
    before = client.head(url, headers=bearer(world.tokens["job K"]))
    assert before.status_code == 404
    world.as_admin("PUT", url, content=SNAPSHOT)
    for name in ("job K", "admin scoped to Q", "owner scoped to P as viewer", "outsider"):
        answer = client.head(url, headers=bearer(world.tokens[name]))
        assert answer.status_code == 200, name
        assert answer.headers["Content-Length"] == str(len(SNAPSHOT)), name
    for name in ("revoked", "expired", "disabled"):
        assert client.head(url, headers=bearer(world.tokens[name])).status_code == 401, name
    assert client.head(url).status_code == 401
