"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock, started
as its own process (``python -m oidc_provider_mock``) on a free port of 127.0.0.1.

The provider accepts any client id and secret and any redirect URI, signs ID tokens with an
RSA key of its own (RS256, published at ``/jwks``), and logs a user in when its
authorization form is posted with a ``sub``; ``Provider.set_user`` gives that user the
claims its tokens carry (groups, preferred_username, ...). Missing the package fails the
test with how to install it.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

START_DEADLINE_S = 30.0


@dataclass(frozen=True)
class Provider:
    """A running provider; ``issuer`` is its URL, as its tokens name it."""

    issuer: str

    def set_user(self, sub: str, claims: dict[str, object]) -> None:
        """Make the claims ``sub``'s ID tokens carry (replacing earlier ones)."""
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Log ``sub`` in at ``authorization_url`` (the URL a relying party sent the browser
        to) as a person would by submitting the provider's form; the URL the provider sends
        the browser back to (the relying party's callback with ``code`` and ``state``)."""
        assert authorization_url.startswith(f"{self.issuer}/"), authorization_url
        response = httpx.post(authorization_url, data={"sub": sub}, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["location"]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_provider(*, token_max_age: int = 3600) -> Iterator[Provider]:
    """Start the provider; its tokens expire ``token_max_age`` seconds after they are made
    (a negative age makes it issue tokens that have already expired)."""
    # Not imported here: it imports authlib's deprecated JOSE module, and runs apart anyway.
    if importlib.util.find_spec("oidc_provider_mock") is None:  # pragma: no cover
        raise AssertionError(
            "the single sign-on tests need oidc-provider-mock: pip install -e '.[dev]'"
        )
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    command += ["--port", str(port), f"--token-max-age={token_max_age}"]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            issuer = f"http://127.0.0.1:{port}"
            _wait_ready(issuer, process, output=output)
            yield Provider(issuer)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck provider
                process.kill()
                process.wait()


def _wait_ready(issuer: str, process: subprocess.Popen[bytes], *, output: IO[bytes]) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    output.seek(0)
    shown = output.read().decode(errors="replace")
    raise AssertionError(f"the OpenID Connect provider never answered:\n{shown}")


class StaticIssuer:
    """An issuer the test serves itself: a discovery document and a JWKS over real HTTP on
    127.0.0.1, with RSA keys the test holds, so it can sign ID tokens the real provider
    would never issue (another audience, another key, a rotated key)."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.keys: list[RSAKey] = [RSAKey.generate_key(2048, {"kid": "first"})]
        self.jwks_reads = 0
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StaticIssuer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def rotate(self, kid: str) -> RSAKey:
        """Publish a new key (the old ones stay published) and return it."""
        key = RSAKey.generate_key(2048, {"kid": kid})
        self.keys.append(key)
        return key

    def sign(self, claims: dict[str, object], *, key: RSAKey | None = None) -> str:
        """An ID token with ``claims``, signed RS256 by ``key`` (default: the first key)."""
        key = key or self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": str(key.kid)}, claims, key)

    def _document(self, path: str) -> dict[str, object] | None:
        if path == "/.well-known/openid-configuration":
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if path == "/jwks":
            self.jwks_reads += 1
            return {"keys": [key.as_dict(private=False) for key in self.keys]}
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                document = issuer._document(self.path)
                body = json.dumps(document).encode()
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
