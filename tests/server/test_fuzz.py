"""No client input makes the server fail: a small fuzz loop over every route in the OpenAPI
schema, with garbage in each path parameter, query parameter, header and body in turn.

The client raises on any unexpected server error (the app re-raises what its last-resort
handler answered with 500), so a single 500 fails the test with its traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.server.conftest import API, TestClient

GARBAGE_TEXT = [
    "",
    " ",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
    "-Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "..",
    "%2e%2e/%2e%2e",
    "%00",
    "%ff%fe",
    "a%0Ab",
    "😀",
    "<script>",
    "x" * 3000,
    "a/b/../../../c",
    "'\"`;--",
]
GARBAGE_BODIES: list[tuple[bytes, str | None]] = [
    (b"", None),
    (b"", "application/json"),
    (b"null", "application/json"),
    (b"[]", "application/json"),
    (b"{}", "application/json"),
    (b'"text"', "application/json"),
    (b"12", "application/json"),
    (b"{", "application/json"),
    (b"\x00\xff\xfe", "application/json"),
    (b'{"a": NaN, "b": Infinity}', "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'{"x": ' + b"1" * 5000 + b"}", "application/json"),
    (b"garbage", "application/octet-stream"),
    (b'{"name": "ok"}', "text/plain"),
    (b"a=1&b=2", "application/x-www-form-urlencoded"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
]
WRONG_TYPES: list[object] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    "s",
    "",
    True,
    [],
    {},
    [1, "a"],
    {"k": None},
    {"k": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
    {"k\u0000": "v\u0000"},
]


def operations(schema: dict[str, object]) -> list[tuple[str, str, dict[str, object]]]:
    """(method, path template, operation) of every route, deletes last."""
    found = []
    for path, methods in schema["paths"].items():  # type: ignore[attr-defined]
        for method, operation in methods.items():
            if "text/event-stream" in json.dumps(operation.get("responses", {})):
                continue  # a running job's log stream never ends: see test_submissions_stream
            found.append((method.upper(), path, operation))
    return sorted(found, key=lambda item: (item[0] == "DELETE", item[1], item[0]))


def body_fields(schema: dict[str, object], operation: dict[str, object]) -> list[str]:
    """The top-level fields of the operation's JSON body model, if it has one."""
    content = operation.get("requestBody", {}).get("content", {})  # type: ignore[attr-defined]
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    if ref is None:
        return []
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]  # type: ignore[index]
    return list(model.get("properties", {}))


def fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def requests_for(
    schema: dict[str, object],
    method: str,
    template: str,
    operation: dict[str, object],
    valid: dict[str, str],
) -> Iterator[dict[str, object]]:
    params = operation.get("parameters", [])
    path_names = [p["name"] for p in params if p["in"] == "path"]  # type: ignore[index]
    for name in path_names:
        for garbage in GARBAGE_TEXT:
            yield {"url": fill(template, {**valid, name: garbage}) or "/"}
    url = fill(template, valid)
    for param in params:
        if param["in"] in ("query", "header"):  # type: ignore[index]
            where = "params" if param["in"] == "query" else "headers"  # type: ignore[index]
            for garbage in GARBAGE_TEXT:
                if where == "headers" and not garbage.isascii():
                    continue
                yield {"url": url, where: {param["name"]: garbage}}  # type: ignore[index]
    if method in ("POST", "PUT", "PATCH"):
        for raw, content_type in GARBAGE_BODIES:
            headers = {"Content-Type": content_type} if content_type else {}
            yield {"url": url, "content": raw, "headers": headers}
        for field in body_fields(schema, operation):
            for wrong in WRONG_TYPES:
                raw = json.dumps({field: wrong}).encode()
                yield {"url": url, "content": raw, "headers": {"Content-Type": "application/json"}}


def fuzz_every_route(client: TestClient) -> dict[int, int]:
    """Send garbage to every route of ``client``'s app; assert no answer is a 5xx or out of
    the error shape; return how many answers each status got."""
    job = client.post(f"{API}/jobs", json={"project": "fuzz", "params": {"lr": 1}}).json()["id"]
    client.put(f"{API}/jobs/{job}/artifacts/a.txt", content=b"abc")
    client.post(
        f"{API}/jobs/{job}/metrics",
        json={"series": [{"key": "loss", "steps": [1], "times": [1.0], "values": [1.0]}]},
    )
    client.post(f"{API}/jobs/{job}/log", content=b"log\n")
    valid = {"job_id": job, "name": "fuzz", "key": "loss", "path": "a.txt"}
    schema = client.get(f"{API}/openapi.json").json()
    seen: dict[int, int] = {}
    for method, template, operation in operations(schema):
        for request in requests_for(schema, method, template, operation, valid):
            response = client.request(method, **request)  # type: ignore[arg-type]
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (method, request, response.text)
            if response.status_code >= 400:
                error = response.json()["error"]
                if error["code"] == "invalid_input":
                    assert error["detail"]["errors"], (method, request, response.text)
    return seen


@pytest.mark.slow
def test_no_route_fails_on_garbage(client: TestClient) -> None:
    seen = fuzz_every_route(client)
    assert seen.get(422, 0) > 100
    assert seen.get(404, 0) > 50
