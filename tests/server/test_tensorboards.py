"""TensorBoard over selected jobs: a real ``tensorboard`` process per selection, served by the
Atlas server under ``/tensorboard/<id>/`` with the same credentials; shared by everyone who
may read all its jobs, stopped when idle, capped in number, stopped with the server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from atlas.domain import Role
from atlas.sdk.client import Client
from atlas.server.tensorboards import TensorBoard, TensorBoards
from tests.server.auth_fixtures import (
    add_user,
    auth_client,
    bearer,
    mint_token,
    new_session,
    session_headers,
    store_of,
)
from tests.server.conftest import API, TestClient, assert_error, make_client, settings_for
from tests.tbevents.writers import simple, write_events


def log_scalars(client: TestClient, job_id: str, folder: Path, tag: str, **headers: str) -> None:
    """Write an event file with tensorboard's own writer and send it as the job's launcher
    does: appended to ``tensorboard/<run>/<file>``."""
    path = write_events(folder / job_id / "run", [(s, [simple(tag, s / 10)]) for s in range(5)])
    sdk = Client(http=client, token=headers.get("token") or None)
    data = path.read_bytes()
    sdk.append_artifact(job_id, f"tensorboard/run/{path.name}", data[:40], offset=0)
    sdk.append_artifact(job_id, f"tensorboard/run/{path.name}", data[40:], offset=40)


def tensorboards_of(client: TestClient) -> TensorBoards:
    found: TensorBoards = client.app.state.tensorboards  # type: ignore[attr-defined]
    return found


def runs_through_proxy(client: TestClient, path: str, **kwargs: object) -> dict[str, object]:
    """TensorBoard's scalar tags by run, fetched through the server (it loads the files a
    moment after it starts)."""
    deadline = time.monotonic() + 30
    while True:
        answer = client.get(f"{path}data/plugin/scalars/tags", **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text
        found: dict[str, object] = answer.json()
        if len(found) >= 2 or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def test_two_jobs_side_by_side_shared_and_stopped(home: Path, tmp_path: Path) -> None:
    with make_client(settings_for(home)) as client:
        jobs = []
        for name in ("resnet", "vit/large"):
            made = client.post(f"{API}/jobs", json={"project": "vision", "name": name})
            jobs.append(made.json()["id"])
            log_scalars(client, jobs[-1], tmp_path / "logs", "loss")

        opened = client.post(f"{API}/tensorboards", json={"jobs": jobs})
        assert opened.status_code == 200, opened.text
        body = opened.json()
        assert body["started"] is True
        assert body["path"] == f"/tensorboard/{body['id']}/"
        runs = {r["job_id"]: r["run"] for r in body["runs"]}
        assert runs == {jobs[0]: f"resnet-{jobs[0][:8]}", jobs[1]: f"vit_large-{jobs[1][:8]}"}

        page = client.get(body["path"])
        assert page.status_code == 200
        assert "<tb-webapp>" in page.text
        tags = runs_through_proxy(client, body["path"])
        assert set(tags) == {f"{runs[j]}/run" for j in jobs}

        # another process on this machine that finds the port gets nothing without the
        # instance's secret (only the server knows it)
        instance = tensorboards_of(client).instances[body["id"]]
        direct = f"http://127.0.0.1:{instance.port}"
        for guess in (body["path"], f"{body['path']}data/plugin/scalars/tags", "/", "/data/runs"):
            assert httpx.get(f"{direct}{guess}", trust_env=False).status_code == 404, guess
        assert httpx.get(f"{direct}{instance.upstream}", trust_env=False).status_code == 200
        assert all("loss" in dict(t) for t in tags.values())  # type: ignore[call-overload]

        # two jobs of the same name started together: told apart by their whole ids
        twins = [
            client.post(f"{API}/jobs", json={"project": "vision", "name": "twin"}).json()["id"]
            for _ in "ab"
        ]
        opened_twins = client.post(f"{API}/tensorboards", json={"jobs": twins}).json()
        twin_runs = {r["job_id"]: r["run"] for r in opened_twins["runs"]}
        if twins[0][:8] == twins[1][:8]:
            assert twin_runs == {t: f"twin-{t}" for t in twins}
        else:
            assert twin_runs == {t: f"twin-{t[:8]}" for t in twins}
        client.delete(f"{API}/tensorboards/{opened_twins['id']}")

        # the same selection, in another order: the same instance
        again = client.post(f"{API}/tensorboards", json={"jobs": jobs[::-1]}).json()
        assert again["id"] == body["id"]
        assert again["started"] is False
        listed = client.get(f"{API}/tensorboards").json()["items"]
        assert [t["id"] for t in listed] == [body["id"]]

        # no way out of the instance's prefix
        for sneaky in ("%2e%2e/%2e%2e/api/v1/jobs", "..%2f..%2fapi/v1/jobs", "a%5c..%5c"):
            assert client.get(f"{body['path']}{sneaky}").status_code == 404, sneaky
        assert client.get("/tensorboard/0123456789abcdef/").status_code == 404

        process = tensorboards_of(client).instances[body["id"]].process
        assert process is not None
        assert client.delete(f"{API}/tensorboards/{body['id']}").status_code == 204
        assert process.poll() is not None
        assert client.get(body["path"]).status_code == 404
        assert client.get(f"{API}/tensorboards").json() == {"items": []}


def test_event_files_grow_in_a_running_tensorboard(home: Path, tmp_path: Path) -> None:
    with make_client(settings_for(home)) as client:
        job = client.post(f"{API}/jobs", json={"project": "p", "name": "grow"}).json()["id"]
        opened = client.post(f"{API}/tensorboards", json={"jobs": [job]}).json()
        assert client.get(f"{opened['path']}data/plugin/scalars/tags").json() == {}
        log_scalars(client, job, tmp_path / "logs", "acc")
        tensorboards_of(client).tick(time.monotonic())  # what the server does every 2 s
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            tags = client.get(f"{opened['path']}data/plugin/scalars/tags").json()
            if tags:
                break
            time.sleep(0.2)
        assert list(tags) == [f"grow-{job[:8]}/run"]
        assert list(tags[f"grow-{job[:8]}/run"]) == ["acc"]


def test_idle_instances_stop_and_the_cap_holds(home: Path, tmp_path: Path) -> None:
    settings = settings_for(home, max_tensorboards=1, tensorboard_idle=60.0, tensorboard_busy=5.0)
    with make_client(settings) as client:
        manager = tensorboards_of(client)
        assert not manager.has_spare  # no TensorBoard process before one is asked for
        a, b = (client.post(f"{API}/jobs", json={"project": "p"}).json()["id"] for _ in "ab")
        first = client.post(f"{API}/tensorboards", json={"jobs": [a]}).json()
        assert manager.has_spare  # the next one starts at once
        refused = client.post(f"{API}/tensorboards", json={"jobs": [b]})
        body = assert_error(refused, 409, "at_capacity")
        assert "max_tensorboards" in json.dumps(body)

        manager.instances[first["id"]].touch(time.monotonic() - 10)  # no longer busy
        second = client.post(f"{API}/tensorboards", json={"jobs": [b]}).json()
        assert second["started"] is True
        assert client.get(first["path"]).status_code == 404  # made room

        instance = manager.instances[second["id"]]
        manager.tick(time.monotonic() + 30)
        assert instance.running  # not idle yet
        manager.tick(time.monotonic() + 61)
        assert not instance.running
        assert client.get(second["path"]).status_code == 404
        assert not (manager.folder / second["id"]).exists()
        assert manager.has_spare  # kept a while for the next one...
        manager.tick(time.monotonic() + 122)
        assert not manager.has_spare  # ...then stopped too: no TensorBoard ran lately


def test_every_tensorboard_stops_with_the_server(home: Path) -> None:
    left = home / "tensorboards" / "999999999"  # by a server that died (no such pid)
    (left / "0123456789abcdef").mkdir(parents=True)
    with make_client(settings_for(home)) as client:
        job = client.post(f"{API}/jobs", json={"project": "p"}).json()["id"]
        opened = client.post(f"{API}/tensorboards", json={"jobs": [job]}).json()
        process = tensorboards_of(client).instances[opened["id"]].process
        assert process is not None
        assert process.poll() is None
    assert process.poll() is not None
    assert not left.exists()
    assert list((home / "tensorboards").iterdir()) == []


def test_a_caller_must_read_every_job(tmp_path: Path, sqlite_url: str) -> None:
    with auth_client(tmp_path / "home", sqlite_url) as client:
        store = store_of(client)
        for name in ("alice", "bob"):
            add_user(store, name)
        store.create_project("mine", owner="alice")
        store.create_project("theirs", owner="bob")
        store.set_member("mine", "bob", Role.VIEWER)
        alice, bob = mint_token(store, "alice"), mint_token(store, "bob")
        mine = client.post(f"{API}/jobs", json={"project": "mine"}, headers=bearer(alice))
        theirs = client.post(f"{API}/jobs", json={"project": "theirs"}, headers=bearer(bob))
        both = [mine.json()["id"], theirs.json()["id"]]

        refused = client.post(f"{API}/tensorboards", json={"jobs": both}, headers=bearer(alice))
        assert_error(refused, 403, "permission_denied")
        unknown = client.post(
            f"{API}/tensorboards", json={"jobs": ["0123456789abcdef"]}, headers=bearer(alice)
        )
        assert_error(unknown, 404, "not_found")
        assert client.post(f"{API}/tensorboards", json={"jobs": both}).status_code == 401

        opened = client.post(f"{API}/tensorboards", json={"jobs": both}, headers=bearer(bob))
        assert opened.status_code == 200, opened.text
        path = opened.json()["path"]
        assert client.get(path, headers=bearer(bob)).status_code == 200
        assert client.get(path).status_code == 401
        assert_error(client.get(path, headers=bearer(alice)), 404, "not_found")
        listed = client.get(f"{API}/tensorboards", headers=bearer(alice)).json()
        assert listed == {"items": []}
        stop = client.delete(f"{API}/tensorboards/{opened.json()['id']}", headers=bearer(alice))
        assert_error(stop, 404, "not_found")

        # a browser session: TensorBoard's own pages post without Atlas's CSRF token
        cookie, _ = new_session(store, "bob")
        posted = client.post(f"{path}data/plugin/timeseries/tags", headers=session_headers(cookie))
        assert posted.status_code != 403, posted.text


class _Echo(BaseHTTPRequestHandler):
    """A stand-in upstream that answers with the request it saw."""

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "tb=1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_proxy_forwards_no_credentials_and_no_hop_by_hop_headers(home: Path, echo: int) -> None:
    with make_client(settings_for(home)) as client:
        manager = tensorboards_of(client)
        logs = manager.folder / "fake"

        class Running(TensorBoard):
            @property
            def running(self) -> bool:
                return True

        from atlas.server.tensorboard_logs import LogFolder

        instance = Running("fa4e000000000000", {}, frozenset(), LogFolder(logs, {}), port=echo)
        manager.instances[instance.id] = instance
        answer = client.get(
            f"{instance.path}data/runs?x=1&y=%2F",
            headers={
                "Cookie": "atlas_session=secret",
                "Authorization": "Bearer secret",
                "X-CSRF-Token": "secret",
                "Connection": "keep-alive, X-Private",
                "X-Private": "hop",
                "Proxy-Authorization": "Basic x",
                "Accept": "application/json",
            },
        )
        manager.instances.pop(instance.id)
        assert answer.status_code == 200
        assert "set-cookie" not in answer.headers
        seen = answer.json()
        assert seen["path"] == f"{instance.upstream}data/runs?x=1&y=%2F"
        sent = {name.lower() for name in seen["headers"]}
        assert "accept" in sent
        for private in ("cookie", "authorization", "x-csrf-token", "x-private"):
            assert private not in sent, private
        assert "proxy-authorization" not in sent


def test_a_server_without_tensorboard_says_what_to_install(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atlas.server.tensorboards as module

    monkeypatch.setattr(module, "tensorboard_installed", lambda: False)
    with make_client(settings_for(home)) as client:
        job = client.post(f"{API}/jobs", json={"project": "p"}).json()["id"]
        refused = client.post(f"{API}/tensorboards", json={"jobs": [job]})
        error = assert_error(refused, 422, "missing_extra")
        assert "atlas-ml[tensorboard]" in str(error["message"])


def test_no_tensorboard_outlives_a_killed_server(tmp_path: Path) -> None:
    """Every TensorBoard (and the spare) reads its standard input from the server: a server
    killed by SIGKILL closes it, and they exit."""
    import signal

    from tests.sdk.conftest import ServerProcess

    server = ServerProcess(tmp_path / "server")
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            job = http.post(f"{API}/jobs", json={"project": "p"}).json()["id"]
            opened = http.post(f"{API}/tensorboards", json={"jobs": [job]}).json()
            assert http.get(opened["path"]).status_code == 200
        assert server.process is not None
        children = _tensorboards_of(server.process.pid)
        assert len(children) == 2  # the one opened, and the spare started behind it
    finally:
        server.stop(signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(_gone(pid) for pid in children):
        time.sleep(0.1)
    assert all(_gone(pid) for pid in children)


def _tensorboards_of(parent: int) -> list[int]:
    """The TensorBoard processes ``parent`` started."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(") ", 1)[1].split()[1]) == parent and b"run_main" in command:
            found.append(int(proc.name))
    return found


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (OSError, IndexError):
        return True


def test_opens_at_the_same_moment_start_one_instance_per_selection(home: Path) -> None:
    """Two requests for the same jobs get one TensorBoard (the second waits for its start);
    a request for other jobs starts its own meanwhile, never waiting on another's start."""
    with make_client(settings_for(home, max_tensorboards=4)) as client:
        a, b = (client.post(f"{API}/jobs", json={"project": "p"}).json()["id"] for _ in "ab")
        answers: list[dict[str, object]] = []

        def open_one(jobs: list[str]) -> None:
            answer = client.post(f"{API}/tensorboards", json={"jobs": jobs})
            assert answer.status_code == 200, answer.text
            answers.append(answer.json())

        threads = [
            threading.Thread(target=open_one, args=(jobs,)) for jobs in ([a], [a], [b], [b, a])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        by_id: dict[object, list[object]] = {}
        for answer in answers:
            by_id.setdefault(answer["id"], []).append(answer["started"])
        assert len(answers) == 4
        assert sorted(sorted(map(str, started)) for started in by_id.values()) == [
            ["False", "True"],
            ["True"],
            ["True"],
        ]
        manager = tensorboards_of(client)
        assert sorted(manager.instances) == sorted(by_id)
        assert all(instance.running for instance in manager.instances.values())
