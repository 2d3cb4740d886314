"""Single sign-on as this server runs it: one login from start to session (docs/auth.md,
"Single sign-on").

:meth:`SingleSignOn.begin` makes a login (random state, nonce and PKCE verifier, sealed in
the ``atlas_oidc`` cookie with a key the database keeps, so every server on one database
reads it and a restart does not forget it) and the provider URL to send the browser to.
:meth:`SingleSignOn.finish` checks what the browser brings back: the cookie's seal and age,
the state (once only: a second use of a state is refused), the code (exchanged for tokens),
the ID token (``atlas.server.auth.oidc``), and then signs the user in
(``atlas.server.auth.oidc_accounts``).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Mapping

from atlas.domain import User
from atlas.names import invalid
from atlas.server.auth.oidc import (
    LoginState,
    OidcClient,
    SsoLoginError,
    check_issuer,
    new_login,
)
from atlas.server.auth.oidc_accounts import RoleMap, parse_role_map, sign_in
from atlas.settings import Settings
from atlas.store.api import Store

__all__ = ["COOKIE", "KEY_NAME", "SingleSignOn"]

COOKIE = "atlas_oidc"
"""The cookie that carries a login between its two requests."""
KEY_NAME = "oidc_login"
"""The name of the database's secret that signs the ``atlas_oidc`` cookie."""
_MAX_USED = 100_000


class SingleSignOn:
    """Single sign-on through the provider the settings name (thread-safe)."""

    def __init__(
        self,
        client: OidcClient,
        *,
        role_map: RoleMap,
        username_claim: str,
        groups_claim: str,
    ) -> None:
        self.client = client
        self.role_map = role_map
        self._username_claim = username_claim
        self._groups_claim = groups_claim
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()
        self._key: bytes | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SingleSignOn | None:
        """Single sign-on as ``settings`` configure it; ``None`` without an issuer or with
        authentication off. ``InvalidInputError`` for an unusable issuer, a missing client
        id or a role map that does not parse: the server refuses to start with it."""
        role_map = parse_role_map(settings.oidc_role_map)
        if not settings.oidc_issuer or not settings.auth_enabled:
            return None
        try:
            issuer = check_issuer(settings.oidc_issuer)
        except ValueError as error:
            raise invalid("oidc_issuer", f"oidc_issuer: {error}") from None
        if not settings.oidc_client_id:
            raise invalid("oidc_client_id", "oidc_client_id is needed with oidc_issuer")
        if "openid" not in settings.oidc_scopes.split():
            raise invalid("oidc_scopes", "oidc_scopes must include `openid`")
        client = OidcClient(
            issuer=issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scopes=settings.oidc_scopes,
        )
        return cls(
            client,
            role_map=role_map,
            username_claim=settings.oidc_username_claim,
            groups_claim=settings.oidc_groups_claim,
        )

    def begin(
        self, key: Callable[[], bytes], *, redirect_uri: str, next_path: str, now: float
    ) -> tuple[str, str]:
        """Start a login that comes back to ``redirect_uri`` and then goes to ``next_path``:
        the provider URL to send the browser to, and the ``atlas_oidc`` cookie's value.
        ``SsoUnavailableError`` when the provider cannot be reached."""
        login = new_login(redirect_uri=redirect_uri, next_path=next_path, now=now)
        url = self.client.authorization_url(login)
        return url, login.seal(self._signing_key(key))

    def finish(
        self,
        store: Store,
        key: Callable[[], bytes],
        *,
        sealed: str | None,
        query: Mapping[str, str],
        now: float,
    ) -> tuple[User, str]:
        """End the login the browser comes back from with ``query`` (``code`` and
        ``state``, or the provider's ``error``) and the ``atlas_oidc`` cookie ``sealed``:
        the signed-in user and the path to go to next. :class:`SsoLoginError` with the reason
        when anything is amiss (blocking)."""
        login = LoginState.open(sealed, self._signing_key(key), now=now)
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), login.state.encode()):
            raise SsoLoginError("the state the provider sent back is not this browser's login")
        self._use_once(login, now=now)
        if "error" in query:
            reason = f"{query['error']} {query.get('error_description', '')}".strip()
            raise SsoLoginError(f"the provider refused the login: {reason[:300]}")
        code = query.get("code")
        if not code:
            raise SsoLoginError("the provider sent back no code")
        tokens = self.client.exchange(code, login)
        access_token = tokens.get("access_token")
        claims = self.client.validate_id_token(
            tokens["id_token"],
            nonce=login.nonce,
            access_token=access_token if isinstance(access_token, str) else None,
        )
        user = sign_in(
            store,
            claims,
            role_map=self.role_map,
            username_claim=self._username_claim,
            groups_claim=self._groups_claim,
        )
        return user, login.next

    def _signing_key(self, key: Callable[[], bytes]) -> bytes:
        if self._key is None:
            self._key = key()
        return self._key

    def _use_once(self, login: LoginState, *, now: float) -> None:
        """Refuse a state seen before (a replayed callback), remembering each until its
        login expires. Per process: across servers, the provider's one-use codes hold."""
        with self._lock:
            if login.state in self._used:
                raise SsoLoginError("this login was already used (a replayed callback)")
            if len(self._used) >= _MAX_USED:
                self._used = {state: end for state, end in self._used.items() if end >= now}
            self._used[login.state] = login.expires
