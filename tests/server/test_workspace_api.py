"""The workspace routes through the real app on SQLite (and, with authentication on, on
PostgreSQL where the suite has it): saved views with their codes and roles, values with
missing fields and NaN, groups, importances with a clearly important param, and batch series
equal to the single reads, with every limit refused as 4xx."""

from __future__ import annotations

import base64
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np

from atlas.domain import Role
from atlas.names import MAX_SERIES_PAIRS, MAX_VALUE_FIELDS, MAX_VIEW_STATE_BYTES
from atlas.server.workspace_schemas import wire_value
from tests.server.auth_fixtures import (
    add_user,
    auth_client,
    bearer,
    mint_token,
    store_of,
    team_db_url,
)
from tests.server.conftest import API, TestClient, assert_error

__all__ = ["team_db_url"]  # the fixture, imported for pytest

NewJob = Callable[..., str]


def log(client: TestClient, job_id: str, key: str, values: list[object]) -> None:
    steps = list(range(len(values)))
    batch = {"key": key, "steps": steps, "times": [1.0 + s for s in steps], "values": values}
    answer = client.post(f"{API}/jobs/{job_id}/metrics", json={"series": [batch]})
    assert answer.status_code == 200, answer.text


# -- saved views ---------------------------------------------------------------------------------
def test_views_are_created_listed_changed_and_deleted(client: TestClient, new_job: NewJob) -> None:
    new_job()  # project vision
    views = f"{API}/projects/vision/views"
    made = client.post(views, json={"name": "loss", "state": {"q": "lr > 0"}})
    assert made.status_code == 201, made.text
    view = made.json()
    assert set(view) == {"id", "project", "name", "state", "is_default", "created_by",
                         "updated_by", "created_at", "updated_at"}  # fmt: skip
    assert (view["project"], view["state"], view["is_default"]) == (
        "vision",
        {"q": "lr > 0"},
        False,
    )
    default = client.post(views, json={"name": "all", "state": {}, "is_default": True}).json()
    assert [v["name"] for v in client.get(views).json()["items"]] == ["all", "loss"]
    patched = client.patch(f"{API}/views/{view['id']}", json={"is_default": True})
    assert patched.json()["is_default"] is True
    assert client.get(f"{API}/views/{default['id']}").json()["is_default"] is False
    assert client.get(views).json()["items"][0]["name"] == "loss"
    renamed = client.patch(f"{API}/views/{view['id']}", json={"name": "losses"})
    assert (renamed.json()["name"], renamed.json()["state"]) == ("losses", {"q": "lr > 0"})
    assert client.delete(f"{API}/views/{view['id']}").status_code == 204
    assert [v["name"] for v in client.get(views).json()["items"]] == ["all"]


def test_view_errors_have_their_codes(client: TestClient, new_job: NewJob) -> None:
    new_job()
    views = f"{API}/projects/vision/views"
    first = client.post(views, json={"name": "a", "state": {}}).json()
    assert_error(client.post(views, json={"name": "a", "state": {}}), 409, "view_exists")
    client.post(views, json={"name": "b", "state": {}})
    assert_error(client.patch(f"{API}/views/{first['id']}", json={"name": "b"}), 409, "view_exists")
    big = {"x": "a" * MAX_VIEW_STATE_BYTES}
    error = assert_error(
        client.post(views, json={"name": "c", "state": big}), 413, "view_too_large"
    )
    assert error["detail"]["limit"] == MAX_VIEW_STATE_BYTES  # type: ignore[index]
    for view_id in ("0123456789abcdef", "not-an-id"):
        for method in ("GET", "PATCH", "DELETE"):
            answer = client.request(method, f"{API}/views/{view_id}", json={})
            assert_error(answer, 404, "view_not_found")
    assert_error(client.post(views, json={"name": "", "state": {}}), 422, "invalid_input")
    assert_error(client.post(views, json={"name": "d", "state": [1]}), 422, "invalid_input")
    assert_error(client.get(f"{API}/projects/nope/views"), 404, "not_found")


def test_a_viewer_reads_views_and_an_editor_writes_them(tmp_path: Path, team_db_url: str) -> None:
    with auth_client(tmp_path / "home", team_db_url) as client:
        store = store_of(client)
        for name in ("owner", "editor", "viewer"):
            add_user(store, name)
        store.create_project("vision", owner="owner")
        store.set_member("vision", "editor", Role.EDITOR)
        store.set_member("vision", "viewer", Role.VIEWER)
        editor, viewer = bearer(mint_token(store, "editor")), bearer(mint_token(store, "viewer"))
        views = f"{API}/projects/vision/views"
        made = client.post(views, json={"name": "a", "state": {}}, headers=editor)
        assert made.status_code == 201, made.text
        view = made.json()
        assert view["created_by"] == "editor"
        url = f"{API}/views/{view['id']}"
        assert client.get(views, headers=viewer).json()["items"] == [view]
        assert client.get(url, headers=viewer).json() == view
        refused = [
            client.post(views, json={"name": "b", "state": {}}, headers=viewer),
            client.patch(url, json={"name": "c"}, headers=viewer),
            client.delete(url, headers=viewer),
        ]
        for answer in refused:
            assert_error(answer, 403, "permission_denied")
        patched = client.patch(url, json={"state": {"q": "x"}}, headers=editor).json()
        assert (patched["updated_by"], patched["state"]) == ("editor", {"q": "x"})
        actions = [entry.action for entry in store.list_audit()]
        assert "POST /projects/{name}/views" in actions
        assert "PATCH /views/{view_id}" in actions


# -- values and groups --------------------------------------------------------------------------
def test_values_answer_columns_with_null_and_nan(client: TestClient, new_job: NewJob) -> None:
    a = new_job(params={"lr": 0.1}, tags={"stage": "prod"})
    b = new_job(params={"opt": "sgd"})
    log(client, a, "loss", [0.5, 0.2])
    log(client, b, "loss", ["NaN"])
    fields = "params.lr,metrics.loss.min,tags.stage,status,params.`a,b`"
    answer = client.get(f"{API}/projects/vision/jobs/values", params={"fields": fields})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["total"], body["ids"], body["statuses"]) == (2, [b, a], ["running"] * 2)
    assert body["columns"] == {
        "params.lr": [None, 0.1],
        "metrics.loss.min": ["NaN", 0.2],
        "tags.stage": [None, "prod"],
        "status": ["running", "running"],
        "params.`a,b`": [None, None],
    }
    limited = client.get(
        f"{API}/projects/vision/jobs/values",
        params={"fields": "params.lr", "filter": "params.lr exists", "limit": 1},
    ).json()
    assert (limited["total"], limited["ids"]) == (1, [a])


def unpacked(body: dict[str, object]) -> dict[str, object]:
    """The JSON form of a ``base64`` values answer (NaN and infinities as wire strings)."""
    ids = body["ids"]
    if isinstance(ids, str):
        ids = [ids[i : i + 16] for i in range(0, len(ids), 16)]
    columns: dict[str, object] = {}
    for name, column in cast(dict[str, object], body["columns"]).items():
        if isinstance(column, list):
            columns[name] = column
            continue
        packed = cast(dict[str, str | None], column)
        numbers = np.frombuffer(base64.b64decode(cast(str, packed["float64"])), dtype="<f8")
        nulls = np.zeros(len(numbers), dtype=np.bool_)
        if packed["nulls"] is not None:
            bits = np.frombuffer(base64.b64decode(packed["nulls"]), dtype=np.uint8)
            nulls = np.unpackbits(bits, bitorder="little")[: len(numbers)].astype(np.bool_)
        columns[name] = [
            None if null else wire_value(float(number))
            for number, null in zip(numbers.tolist(), nulls.tolist(), strict=True)
        ]
    return {**body, "encoding": "json", "ids": ids, "columns": columns}


def test_values_in_base64_equal_the_json_form(client: TestClient, new_job: NewJob) -> None:
    a = new_job(params={"lr": 0.1, "n": 3, "opt": "adam"}, tags={"stage": "prod"})
    b = new_job(params={"lr": 1e-300, "n": 4, "opt": 1.5})
    c = new_job(params={"n": -2})
    log(client, a, "loss", [0.5, 0.2])
    log(client, b, "loss", ["NaN"])
    log(client, c, "loss", ["-Infinity", "Infinity"])
    url = f"{API}/projects/vision/jobs/values"
    fields = "params.lr,params.n,params.opt,metrics.loss.min,metrics.loss.max,"
    fields += "tags.stage,created_at,params.none"
    plain = client.get(url, params={"fields": fields}).json()
    packed = client.get(url, params={"fields": fields, "encoding": "base64"}).json()
    assert packed["encoding"] == "base64"
    assert packed["ids"] == c + b + a
    columns = packed["columns"]
    # Numbers only (and nulls): packed; text beside numbers, times: JSON.
    assert {name for name, column in columns.items() if isinstance(column, dict)} == {
        "params.lr",
        "params.n",
        "metrics.loss.min",
        "metrics.loss.max",
        "params.none",
    }
    assert columns["params.n"]["nulls"] is None
    assert columns["params.opt"] == [None, 1.5, "adam"]
    assert unpacked(packed) == {**plain, "encoding": "json"}
    assert plain["columns"]["metrics.loss.min"] == ["-Infinity", "NaN", 0.2]
    assert plain["columns"]["params.lr"] == [None, 1e-300, 0.1]


def test_values_leave_out_names_and_statuses(client: TestClient, new_job: NewJob) -> None:
    a = new_job(name="first", params={"lr": 0.1})
    url = f"{API}/projects/vision/jobs/values"
    bare = client.get(url, params={"fields": "params.lr", "include": ""}).json()
    assert bare == {"total": 1, "encoding": "json", "ids": [a], "columns": {"params.lr": [0.1]}}
    names = client.get(url, params={"fields": "params.lr", "include": "names"}).json()
    assert (names["names"], "statuses" in names) == (["first"], False)
    for bad in ({"include": "ids"}, {"encoding": "binary"}):
        assert_error(client.get(url, params={"fields": "params.lr", **bad}), 422, "invalid_input")


def test_values_limits_and_bad_fields_are_refused(client: TestClient, new_job: NewJob) -> None:
    new_job()
    url = f"{API}/projects/vision/jobs/values"
    many = ",".join(f"params.p{i}" for i in range(MAX_VALUE_FIELDS + 1))
    assert_error(client.get(url, params={"fields": many}), 422, "invalid_input")
    assert_error(client.get(url, params={"fields": " , "}), 422, "invalid_input")
    assert_error(client.get(url, params={"fields": "x", "limit": 100_001}), 422, "invalid_input")
    assert_error(client.get(url, params={"fields": "bogus"}), 400, "invalid_query")
    assert_error(client.get(url, params={"fields": "status", "filter": "("}), 400, "invalid_query")
    assert_error(client.get(url), 422, "invalid_input")
    assert_error(client.get(f"{API}/projects/nope/jobs/values?fields=status"), 404, "not_found")


def test_groups_answer_counts_and_summaries(client: TestClient, new_job: NewJob) -> None:
    for opt, loss in (("adam", 1.0), ("adam", 3.0), ("sgd", 5.0), (None, 7.0)):
        params = {} if opt is None else {"opt": opt}
        log(client, new_job(params=params), "loss", [loss])
    url = f"{API}/projects/vision/jobs/groups"
    answer = client.get(url, params={"by": "params.opt", "metrics": "metrics.loss.min"})
    assert answer.status_code == 200, answer.text
    groups = answer.json()["groups"]
    assert answer.json()["total"] == 4
    assert [(g["values"], g["count"]) for g in groups] == [
        ({"params.opt": "adam"}, 2),
        ({"params.opt": "sgd"}, 1),
        ({"params.opt": None}, 1),
    ]
    assert groups[0]["summaries"] == {
        "metrics.loss.min": {"mean": 2.0, "min": 1.0, "max": 3.0, "count": 2}
    }
    by_mean = client.get(
        url, params={"by": "params.opt", "metrics": "metrics.loss.min", "sort": "-metrics.loss.min"}
    ).json()["groups"]
    assert [g["values"]["params.opt"] for g in by_mean] == [None, "sgd", "adam"]
    assert_error(client.get(url, params={"by": "params.opt", "sort": "-"}), 400, "invalid_query")
    four = "params.a,params.b,params.c,params.d"
    assert_error(client.get(url, params={"by": four}), 422, "invalid_input")
    # the listing finds a group's jobs with the filter the docs give
    listed = client.get(f"{API}/projects/vision/jobs", params={"filter": "params.opt = null"})
    assert listed.json()["total"] == 1


# -- importances --------------------------------------------------------------------------------
def test_importances_find_the_param_that_drives_the_metric(
    client: TestClient, new_job: NewJob
) -> None:
    rng = random.Random(7)
    for _ in range(40):
        lr, noise = rng.uniform(0.0, 1.0), rng.uniform(0.0, 1.0)
        job = new_job(params={"lr": lr, "noise": noise, "opt": rng.choice(["adam", "sgd"])})
        log(client, job, "loss", [10 * lr + 0.01 * noise])
    answer = client.get(f"{API}/projects/vision/importances", params={"metric": "metrics.loss"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["metric"], body["jobs"], body["reason"]) == ("metrics.loss", 40, None)
    items = {item["param"]: item for item in body["items"]}
    assert body["items"][0]["param"] == "lr"
    assert items["lr"]["importance"] > 0.8
    assert items["lr"]["correlation"] > 0.99
    assert abs(items["noise"]["correlation"]) < 0.5
    assert items["opt"]["correlation"] is None
    assert math.isclose(sum(item["importance"] for item in body["items"]), 1.0, abs_tol=1e-6)
    only = client.get(
        f"{API}/projects/vision/importances", params={"metric": "metrics.loss", "params": "noise"}
    ).json()
    assert [item["param"] for item in only["items"]] == ["noise"]


def test_importances_need_three_jobs_and_a_metric(client: TestClient, new_job: NewJob) -> None:
    for lr in (0.1, 0.2):
        log(client, new_job(params={"lr": lr}), "loss", [lr])
    url = f"{API}/projects/vision/importances"
    body = client.get(url, params={"metric": "metrics.loss.min"}).json()
    assert (body["jobs"], body["items"]) == (2, [])
    assert body["reason"]
    assert_error(client.get(url, params={"metric": "params.lr"}), 422, "invalid_input")


# -- batch series -------------------------------------------------------------------------------
def test_a_batch_of_series_equals_the_single_reads(client: TestClient, new_job: NewJob) -> None:
    jobs = [new_job() for _ in range(3)]
    for index, job in enumerate(jobs):
        log(client, job, "loss", [float((i * (index + 1)) % 11) for i in range(3000)])
        if index != 1:
            log(client, job, "acc", [0.5, "NaN", "Infinity"])
    options = {"max_points": 100, "min_step": 2, "max_step": 2900}
    answer = client.post(f"{API}/series", json={"jobs": jobs, "keys": ["loss", "acc"], **options})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    pairs = [(item["job_id"], item["key"]) for item in items]
    assert pairs == [(jobs[0], "loss"), (jobs[0], "acc"), (jobs[1], "loss"), (jobs[2], "loss"),
                     (jobs[2], "acc")]  # fmt: skip
    for item in items:
        single = client.get(f"{API}/jobs/{item['job_id']}/metrics/{item['key']}", params=options)
        assert {k: v for k, v in item.items() if k != "job_id"} == single.json()


def test_batch_series_limits_and_unknown_jobs(client: TestClient, new_job: NewJob) -> None:
    job = new_job()
    url = f"{API}/series"
    keys = [f"k{i}" for i in range(MAX_SERIES_PAIRS // 20 + 1)]
    too_many = {"jobs": [new_job() for _ in range(20)], "keys": keys}
    assert_error(client.post(url, json=too_many), 422, "invalid_input")
    assert_error(client.post(url, json={"jobs": [job], "keys": ["a"] * 101}), 422, "invalid_input")
    assert_error(client.post(url, json={"jobs": [], "keys": ["a"]}), 422, "invalid_input")
    bad_points = {"jobs": [job], "keys": ["a"], "max_points": 1}
    assert_error(client.post(url, json=bad_points), 422, "invalid_input")
    unknown = {"jobs": [job, "0123456789abcdef"], "keys": ["a"]}
    assert_error(client.post(url, json=unknown), 404, "not_found")
    assert client.post(url, json={"jobs": [job], "keys": ["a"]}).json() == {"items": []}


def test_batch_series_refuse_jobs_the_caller_may_not_read(tmp_path: Path, team_db_url: str) -> None:
    with auth_client(tmp_path / "home", team_db_url) as client:
        store = store_of(client)
        for name in ("ada", "bob"):
            add_user(store, name)
        store.create_project("vision", owner="ada")
        store.create_project("audio", owner="bob")
        ada, bob = bearer(mint_token(store, "ada")), bearer(mint_token(store, "bob"))
        mine = client.post(f"{API}/jobs", json={"project": "vision"}, headers=ada).json()["id"]
        theirs = client.post(f"{API}/jobs", json={"project": "audio"}, headers=bob).json()["id"]
        body = {"jobs": [mine, theirs], "keys": ["loss"]}
        assert_error(client.post(f"{API}/series", json=body, headers=ada), 403, "permission_denied")
        alone = client.post(f"{API}/series", json={"jobs": [mine], "keys": ["loss"]}, headers=ada)
        assert alone.status_code == 200, alone.text
        assert not any("series" in entry.action for entry in store.list_audit())
