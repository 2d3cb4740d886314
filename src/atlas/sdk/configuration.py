"""The SDK's settings and client: one owner for how the SDK reaches a server.

``atlas.configure(...)`` sets them for the process; everything else in the SDK asks here:
tracking (``atlas.init`` and the first tracking call), ``atlas.submit``, ``atlas.Job`` and
``atlas.Client()`` built without a URL, token or timeout. Without ``configure`` the settings
are resolved at each use by ``atlas.settings.load_settings()`` (defaults, the settings file,
``ATLAS_*`` variables), so a changed environment is seen; ``atlas.settings`` is the only
reader of the environment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlas.sdk.client import Client
    from atlas.settings import Settings

__all__ = ["configure", "configured_client", "reset", "sdk_client", "sdk_settings"]


class _Configured:
    """What ``configure`` set."""

    settings: Settings | None = None
    client: Client | None = None
    lock = threading.Lock()


def configure(
    *,
    url: str | None = None,
    token: str | None = None,
    project: str | None = None,
    client: Client | None = None,
    settings: Settings | None = None,
) -> None:
    """Set how the SDK reaches the server from now on: ``settings`` replaces the resolved
    settings (``atlas.settings.load_settings()`` by default); ``url``, ``token`` and
    ``project`` override theirs; ``client`` (an ``atlas.Client``, e.g. built on a test
    client) is used instead of one made from the settings. A new ``url`` or ``token``
    without a ``client`` drops a client configured before (it would reach the old server
    with the old token). Jobs already started keep what they had."""
    with _Configured.lock:
        base = settings if settings is not None else sdk_settings()
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


def configured_client() -> Client | None:
    """The client ``configure`` set, if any."""
    return _Configured.client


@contextmanager
def sdk_client() -> Iterator[Client]:
    """The configured client, or a new one made from :func:`sdk_settings` (closed after
    the ``with`` block)."""
    configured = _Configured.client
    if configured is not None:
        yield configured
        return
    from atlas.sdk.client import Client

    settings = sdk_settings()
    client = Client(settings.url, settings.token or "", timeout=settings.timeout)
    try:
        yield client
    finally:
        client.close()


def reset() -> None:
    """Forget what ``configure`` set (tests use it between cases)."""
    with _Configured.lock:
        _Configured.settings = None
        _Configured.client = None
