"""Commands that turn one thing on or off by its id: ``atlas notify enable|disable ID`` and
``atlas schedule pause|resume ID``, built alike by :func:`add_toggle`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["Switch", "add_toggle"]

Switch = Callable[["Client", str, bool], str]
"""Turns the thing of an id on (``True``) or off through the client; returns the sentence
that says what became of it."""


def add_toggle(group: click.Group, name: str, *, on: bool, switch: Switch, help: str) -> None:
    """Add ``group name ID`` to ``group``: ``switch(client, ID, on)``, its sentence printed
    on stderr (an error of the server's is the command's)."""

    @group.command(name, help=help)
    @click.argument("item_id", metavar="ID")
    @pass_cli
    def toggle(cli: CliContext, item_id: str) -> None:
        with cli.client() as client:
            said = switch(client, item_id, on)
        click.echo(said, err=True)
