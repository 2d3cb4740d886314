"""The SDK's settings and client: one owner for how the SDK reaches a server.

``atlas.configure(...)`` sets them for the process (through :func:`configure`); everything
else in the SDK asks here: tracking (``atlas.init`` and the first tracking call),
``atlas.submit``, ``atlas.Job`` and ``atlas.Client()`` built without a URL, token or timeout
(``atlas.sdk.client.sdk_client`` gives the configured client or a new one). Without
``configure`` the settings are resolved at each use by ``atlas.settings.load_settings()``
(defaults, the settings file, ``ATLAS_*`` variables), so a changed environment is seen;
``atlas.settings`` is the only reader of the environment.

This module sits below ``atlas.sdk.client`` (which reads its defaults here), so it holds the
configured client without importing its class.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlas.settings import Settings

__all__ = ["configure", "configured_client", "reset", "sdk_settings", "sdk_settings_for"]


class _Configured:
    """What ``configure`` set."""

    settings: Settings | None = None
    client: object | None = None  # an atlas.Client
    lock = threading.Lock()


def configure(
    *,
    url: str | None = None,
    token: str | None = None,
    project: str | None = None,
    client: object | None = None,
    settings: Settings | None = None,
) -> None:
    """Set how the SDK reaches the server from now on (``atlas.configure`` documents the
    arguments). A new ``url`` or ``token`` without a ``client`` drops a client configured
    before: it would reach the old server with the old token."""
    with _Configured.lock:
        # Another server than the settings' gets its own token (ATLAS_TOKEN, the settings
        # file, or what `atlas login` stored for it), never the token of the first one.
        base = settings if settings is not None else sdk_settings_for(url)
        _Configured.settings = base.with_overrides(url=url, token=token, project=project)
        if client is not None:
            _Configured.client = client
        elif url is not None or token is not None:
            _Configured.client = None


def sdk_settings() -> Settings:
    """The SDK's settings: those ``configure`` set, else resolved now from the defaults,
    the settings file and the environment."""
    settings = _Configured.settings
    if settings is not None:
        return settings
    from atlas.settings import load_settings

    return load_settings()


def sdk_settings_for(url: str | None) -> Settings:
    """The SDK's settings for reaching ``url`` (``None``: the settings' own server). For
    another server, ``url`` and ``token`` are resolved anew with ``url`` given, so the token
    is ``ATLAS_TOKEN``, the settings file's, or the one ``atlas login`` stored for ``url``,
    never one meant for the settings' server."""
    settings = sdk_settings()
    from atlas.credentials import server_key

    if url is None or server_key(url) == server_key(settings.url):
        return settings
    from dataclasses import replace

    from atlas.settings import load_settings

    return replace(settings, url=url, token=load_settings({"url": url}).token)


def configured_client() -> object | None:
    """The client ``configure`` set (an ``atlas.Client``), if any."""
    return _Configured.client


def reset() -> None:
    """Forget what ``configure`` set (tests use it between cases)."""
    with _Configured.lock:
        _Configured.settings = None
        _Configured.client = None
