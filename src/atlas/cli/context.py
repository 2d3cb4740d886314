"""What every client command shares: the global options and the way to reach the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from atlas.settings import Settings, load_settings

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["CliContext", "pass_cli"]


@dataclass(frozen=True, slots=True)
class CliContext:
    """The global options (``--url``, ``--token``); ``None`` means "from settings"."""

    url: str | None = None
    token: str | None = None

    def settings(self, **overrides: str | None) -> Settings:
        """Settings with the global options and ``overrides`` (CLI flags) applied."""
        return load_settings({"url": self.url, "token": self.token, **overrides})

    @contextmanager
    def client(self, settings: Settings | None = None) -> Iterator[Client]:
        """An open SDK client for the configured server, closed on exit."""
        from atlas.sdk.client import Client  # the HTTP stack loads only when needed

        resolved = settings or self.settings()
        client = Client(resolved.url, token=resolved.token, timeout=resolved.timeout)
        try:
            yield client
        finally:
            client.close()


pass_cli = click.make_pass_decorator(CliContext, ensure=True)
"""Decorator handing a command the :class:`CliContext` built by the ``atlas`` group."""
