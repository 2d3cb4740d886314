"""The host and origin guard of a real `atlas server` subprocess, probed over raw sockets the
way a rebound web page's browser would reach it."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

from tests.cli.conftest import running_server


def raw_request(
    url: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, object]]:
    """Send one HTTP/1.1 request over a plain socket; return the status and the JSON body."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(content) if content else {}


def test_a_real_server_refuses_rebound_and_cross_site_requests(tmp_path: Path) -> None:
    with running_server(tmp_path / "home") as server:
        port = urlsplit(server.url).port
        status, body = raw_request(server.url, "GET", "/healthz", {"Host": f"evil.example:{port}"})
        assert status == 421, body
        assert body["error"]["code"] == "host_not_allowed"  # type: ignore[index]

        submission = json.dumps({"project": "pwn", "command": ["sh", "-c", "exit 0"]}).encode()
        json_type = {"Content-Type": "application/json"}
        rebound = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
        status, body = raw_request(
            server.url, "POST", "/api/v1/submissions", {**rebound, **json_type}, submission
        )
        assert status == 421, body

        local = {"Host": f"127.0.0.1:{port}"}
        cross = {**local, "Origin": "http://evil.example", **json_type}
        status, body = raw_request(server.url, "POST", "/api/v1/submissions", cross, submission)
        assert status == 403, body
        assert body["error"]["code"] == "cross_site_request"  # type: ignore[index]

        status, body = raw_request(server.url, "GET", "/api/v1/projects", local)
        assert status == 200, body
        assert body["items"] == [], body  # nothing was submitted

        own = {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}", **json_type}
        status, body = raw_request(server.url, "POST", "/api/v1/projects", own, b'{"name": "gui"}')
        assert status == 201, body
