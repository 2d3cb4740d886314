"""Single sign-on with an OpenID Connect provider: the authorization code flow with PKCE
(S256), as a relying party (docs/auth.md, "Single sign-on").

:class:`OidcClient` reads the provider's discovery document at first use (cached for an
hour; a provider that does not answer raises :class:`SsoUnavailableError`), builds the URL the
browser is sent to, exchanges the code the browser brings back for tokens, and validates
the ID token with authlib: signature against the provider's JWKS (fetched once, fetched
again once when a token names a key it does not hold), issuer, audience, expiry (with
:data:`LEEWAY_S` of clock skew) and nonce. Every other failure raises :class:`SsoLoginError`,
whose message is for the server's log (it never holds a token).

What a login must remember between the two requests (state, nonce, PKCE verifier, where to
go next) travels in a cookie signed by :class:`LoginState`, with a key the database keeps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

__all__ = [
    "DISCOVERY_SECONDS",
    "HTTP_TIMEOUT_S",
    "LEEWAY_S",
    "LOGIN_SECONDS",
    "LoginState",
    "OidcClient",
    "SsoLoginError",
    "SsoUnavailableError",
    "check_issuer",
    "new_login",
    "same_origin_path",
]

HTTP_TIMEOUT_S = 10.0
"""How long a request to the provider may take (discovery, JWKS, code exchange)."""
DISCOVERY_SECONDS = 3600.0
"""How long the discovery document is kept before it is read again."""
LEEWAY_S = 60
"""Clock skew allowed between the provider and this server when checking a token's times."""
LOGIN_SECONDS = 600
"""How long a login may take between leaving for the provider and coming back."""
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
"""ID token signatures accepted (asymmetric only: never ``none``, never HMAC)."""


class SsoUnavailableError(Exception):
    """The provider could not be reached or described itself wrongly (its discovery)."""


class SsoLoginError(Exception):
    """A login did not succeed; the message says why, for the server's log. ``user``: the
    Atlas user it was for, once known."""

    def __init__(self, message: str, *, user: str | None = None) -> None:
        super().__init__(message)
        self.user = user


def check_issuer(issuer: str) -> str:
    """``issuer`` without a trailing ``/`` when it may name a provider: an https URL, or
    http on a loopback address (a provider on the same machine). ``ValueError`` otherwise."""
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return issuer.rstrip("/")
    if parts.scheme == "http" and parts.hostname and _loopback_literal(parts.hostname):
        return issuer.rstrip("/")
    raise ValueError(f"{issuer!r} is not an https URL (http only on a loopback address)")


def same_origin_path(target: str) -> bool:
    """Whether ``target`` is a path of this server: one leading ``/``, no scheme, no host,
    no backslash and no control character (``//evil.example`` is another origin)."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and len(target) <= 2000
    )


@dataclass(frozen=True, slots=True)
class LoginState:
    """What the callback needs from the login that sent the browser away, sealed into the
    ``atlas_oidc`` cookie: ``state`` and ``nonce`` (random), the PKCE ``verifier``, the
    ``redirect_uri`` the provider was given, ``next`` (a path here) and ``expires``."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    next: str
    expires: float

    def seal(self, key: bytes) -> str:
        """The cookie value: the fields and their HMAC-SHA256 under ``key``."""
        payload = _b64(json.dumps(asdict(self), separators=(",", ":")).encode())
        return f"{payload}.{_b64(_mac(key, payload))}"

    @classmethod
    def open(cls, sealed: str | None, key: bytes, *, now: float) -> LoginState:
        """The state sealed in ``sealed``; :class:`SsoLoginError` when it is missing, was not
        made with ``key``, or has expired."""
        if not sealed:
            raise SsoLoginError("no login in progress in this browser (no atlas_oidc cookie)")
        payload, _, mac = sealed.partition(".")
        try:
            good = hmac.compare_digest(_unb64(mac), _mac(key, payload))
            fields = json.loads(_unb64(payload)) if good else None
            state = cls(**fields) if isinstance(fields, dict) else None
        except (ValueError, TypeError) as error:
            raise SsoLoginError("the atlas_oidc cookie is malformed") from error
        if state is None:
            raise SsoLoginError("the atlas_oidc cookie was not signed by this server")
        if state.expires < now:
            raise SsoLoginError("the login took longer than 10 minutes")
        return state


def new_login(*, redirect_uri: str, next_path: str, now: float) -> LoginState:
    """A fresh login: random state, nonce and PKCE verifier, valid for LOGIN_SECONDS."""
    return LoginState(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),
        redirect_uri=redirect_uri,
        next=next_path,
        expires=now + LOGIN_SECONDS,
    )


@dataclass
class _Cached:
    value: dict[str, Any] | None = None
    at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class OidcClient:
    """The relying party of one provider (thread-safe; blocking calls)."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        scopes: str,
        timeout: float = HTTP_TIMEOUT_S,
    ) -> None:
        self.issuer = check_issuer(issuer)
        self.client_id = client_id
        self._secret = client_secret
        self.scopes = scopes
        self._timeout = timeout
        self._metadata = _Cached()
        self._jwks = _Cached()

    # -- discovery --------------------------------------------------------------------------
    def metadata(self, *, now: float | None = None) -> dict[str, Any]:
        """The provider's discovery document, read at most every DISCOVERY_SECONDS;
        :class:`SsoUnavailableError` when it cannot be read or is not this issuer's."""
        now = time.time() if now is None else now
        with self._metadata.lock:
            cached = self._metadata.value
            if cached is not None and now - self._metadata.at < DISCOVERY_SECONDS:
                return cached
            found = self._discover()
            self._metadata.value, self._metadata.at = found, now
            return found

    def _discover(self) -> dict[str, Any]:
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            document = self._get_json(url)
        except SsoLoginError as error:
            raise SsoUnavailableError(str(error)) from error
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise SsoUnavailableError(f"{url} names issuer {document.get('issuer')!r}")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            try:
                check_issuer(value if isinstance(value, str) else "")
            except ValueError as error:
                raise SsoUnavailableError(f"{url}: {name} {value!r} is unusable") from error
        return document

    # -- the flow ---------------------------------------------------------------------------
    def authorization_url(self, login: LoginState) -> str:
        """Where to send the browser to log in (SsoUnavailableError without discovery)."""
        endpoint = str(self.metadata()["authorization_endpoint"])
        challenge = _b64(hashlib.sha256(login.verifier.encode()).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": login.redirect_uri,
                "scope": self.scopes,
                "state": login.state,
                "nonce": login.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def exchange(self, code: str, login: LoginState) -> dict[str, Any]:
        """The provider's token answer for ``code`` (client secret basic, or the client id
        alone for a public client; the PKCE verifier either way)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": login.redirect_uri,
            "code_verifier": login.verifier,
        }
        url = str(self._metadata_or_fail()["token_endpoint"])
        try:
            with httpx.Client(timeout=self._timeout) as http:
                if self._secret:  # client_secret_basic: each part form-encoded (RFC 6749)
                    auth = httpx.BasicAuth(
                        quote(self.client_id, safe=""), quote(self._secret, safe="")
                    )
                    answer = http.post(url, data=form, auth=auth, headers=_JSON)
                else:  # a public client: its id in the form, PKCE proves the rest
                    answer = http.post(
                        url, data={**form, "client_id": self.client_id}, headers=_JSON
                    )
        except httpx.HTTPError as error:
            raise SsoLoginError(f"the token endpoint {url} did not answer: {error}") from error
        if answer.status_code != 200:
            reason = _oauth_error(answer)
            raise SsoLoginError(
                f"the token endpoint refused the code ({answer.status_code}: {reason})"
            )
        tokens = _json_object(answer, url)
        if not isinstance(tokens.get("id_token"), str):
            raise SsoLoginError(
                "the token endpoint's answer has no id_token (is `openid` a scope?)"
            )
        return tokens

    def validate_id_token(
        self,
        id_token: str,
        *,
        nonce: str,
        access_token: str | None = None,
        now: int | None = None,
    ) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience (this client),
        expiry, nonce and, when given, access-token hash hold (SsoLoginError otherwise)."""
        metadata = self._metadata_or_fail()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [name for name in SIGNING_ALGORITHMS if name in offered]
        registry = JWSRegistry(algorithms=algorithms)
        try:
            try:
                token = jwt.decode(id_token, self._keys(), registry=registry)
            except InvalidKeyIdError:  # the provider may have rotated its keys
                token = jwt.decode(id_token, self._keys(refresh=True), registry=registry)
            params: dict[str, Any] = {"nonce": nonce, "client_id": self.client_id}
            if access_token:
                params["access_token"] = access_token
            claims = CodeIDToken(token.claims, token.header, self._claim_options(), params)
            claims.validate(now=now, leeway=LEEWAY_S)
        except (JoseError, ValueError, TypeError, KeyError) as error:  # whatever is malformed
            raise SsoLoginError(f"the ID token is not valid: {error}") from error
        return dict(claims)

    def _claim_options(self) -> dict[str, Any]:
        return {
            "iss": {"essential": True, "values": [self.issuer, f"{self.issuer}/"]},
            "aud": {"essential": True, "value": self.client_id},
            "exp": {"essential": True},
            "nonce": {"essential": True},
        }

    def _keys(self, *, refresh: bool = False) -> KeySet:
        with self._jwks.lock:
            if self._jwks.value is None or refresh:
                url = str(self._metadata_or_fail()["jwks_uri"])
                self._jwks.value, self._jwks.at = self._get_json(url), time.time()
            try:
                return KeySet.import_key_set(self._jwks.value)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as error:
                raise SsoLoginError(f"the provider's JWKS cannot be read: {error}") from error

    def _metadata_or_fail(self) -> dict[str, Any]:
        try:
            return self.metadata()
        except SsoUnavailableError as error:
            raise SsoLoginError(str(error)) from error

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self._timeout) as http:
                answer = http.get(url, headers=_JSON)
        except httpx.HTTPError as error:
            raise SsoLoginError(f"{url} did not answer: {error}") from error
        if answer.status_code != 200:
            raise SsoLoginError(f"{url} answered {answer.status_code}")
        return _json_object(answer, url)


_JSON = {"Accept": "application/json"}


def _json_object(answer: httpx.Response, url: str) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError as error:
        raise SsoLoginError(f"{url} did not answer JSON") from error
    if not isinstance(found, dict):
        raise SsoLoginError(f"{url} did not answer a JSON object")
    return found


def _oauth_error(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return "no OAuth error given"
    if not isinstance(body, dict):
        return "no OAuth error given"
    return " ".join(str(body.get(key, "")) for key in ("error", "error_description")).strip()[:300]


def _loopback_literal(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address (no DNS asked)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, payload.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
