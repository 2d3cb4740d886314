"""``atlas users``: a team server's user accounts, managed on its host.

These commands work directly on the database the server's settings name (``--db-url``,
``--home``, ``ATLAS_*``, the TOML file), like ``atlas db upgrade``, not through a server: so
the first admin can be made before any server serves, and an admin locked out can be let
back in. Each change is written to the audit trail as done by ``cli:<OS user>``.

Passwords are never flags (they would sit in the shell history and in ``ps``): they are
prompted twice, or read as one line from stdin with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from atlas.cli.db import database_options
from atlas.cli.formats import cell, dumps, format_time
from atlas.cli.tables import Column, render_table
from atlas.domain import User
from atlas.settings import load_settings

if TYPE_CHECKING:
    from atlas.store.sql_store import SqlStore

__all__ = ["read_password", "user_json", "users_group", "users_table"]

_COLUMNS = (
    Column("NAME", shrink=True, min_width=12),
    Column("ADMIN"),
    Column("SOURCE"),
    Column("DISABLED"),
    Column("LAST LOGIN"),
)


def users_table(users: list[User], *, width: int | None = None) -> str:
    """The ``users ls`` table: name, admin, source, disabled, last login."""
    rows = [
        [
            cell(user.name),
            "yes" if user.admin else "no",
            user.source,
            "yes" if user.disabled else "no",
            format_time(user.last_login_at) if user.last_login_at else "never",
        ]
        for user in users
    ]
    return render_table(_COLUMNS, rows, width=width).text


def user_json(user: User) -> dict[str, object]:
    """A user in the REST API's ``User`` shape."""
    return {
        "name": user.name,
        "display_name": user.display_name,
        "email": user.email,
        "admin": user.admin,
        "disabled": user.disabled,
        "source": user.source,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def read_password(*, from_stdin: bool, prompt: str = "Password") -> str:
    """A new password that follows the rule (8 to 1,024 characters): one line of stdin, or
    prompted twice without echo. ``InvalidInputError`` with the rule otherwise."""
    from atlas.server.auth.passwords import check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            prompt, hide_input=True, confirmation_prompt=True, err=True, show_default=False
        )
    return check_password(password)


@contextmanager
def _database(db_url: str | None, home: str | None) -> Iterator[SqlStore]:
    from atlas.cli.server import open_database

    settings = load_settings({"db_url": db_url, "home": home})
    store = open_database(settings.resolved_db_url)
    try:
        yield store
    finally:
        store.close()


def _audit(store: SqlStore, action: str, name: str) -> None:
    actor = f"cli:{getpass.getuser()}"[:100]
    store.record_audit(actor=actor, action=f"atlas users {action}", target=name, address="")


@click.group("users")
def users_group() -> None:
    """Manage a team server's users, on its host (directly on its database)."""


@users_group.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the user an instance admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line of stdin.")
@database_options
def users_add(
    name: str, admin: bool, password_stdin: bool, db_url: str | None, home: str | None
) -> None:
    """Add the user NAME with a password (prompted twice, or from stdin)."""
    from atlas.names import check_user_name
    from atlas.server.auth.passwords import hash_password

    check_user_name(name)
    hashed = hash_password(read_password(from_stdin=password_stdin))
    with _database(db_url, home) as store:
        user = store.create_user(name, password_hash=hashed, admin=admin)
        _audit(store, "add", name)
    role = "admin " if user.admin else ""
    click.echo(f"Added {role}user {user.name!r}.")


@users_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@database_options
def users_ls(as_json: bool, db_url: str | None, home: str | None) -> None:
    """List the users, by name."""
    with _database(db_url, home) as store:
        users = store.list_users()
    if as_json:
        click.echo(dumps({"items": [user_json(u) for u in users]}))
    elif not users:
        click.echo("No users yet. Add one with `atlas users add NAME --admin`.", err=True)
    else:
        click.echo(users_table(users))


@users_group.command("disable")
@click.argument("name")
@database_options
def users_disable(name: str, db_url: str | None, home: str | None) -> None:
    """Disable the user NAME: their sessions end and their tokens stop working."""
    _set_disabled(name, disabled=True, db_url=db_url, home=home)


@users_group.command("enable")
@click.argument("name")
@database_options
def users_enable(name: str, db_url: str | None, home: str | None) -> None:
    """Enable the user NAME again (their tokens work again)."""
    _set_disabled(name, disabled=False, db_url=db_url, home=home)


def _set_disabled(name: str, *, disabled: bool, db_url: str | None, home: str | None) -> None:
    action, done = ("disable", "Disabled") if disabled else ("enable", "Enabled")
    with _database(db_url, home) as store:
        store.update_user(name, disabled=disabled)
        _audit(store, action, name)
    click.echo(f"{done} user {name!r}.")


@users_group.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line of stdin.")
@database_options
def users_set_password(
    name: str, password_stdin: bool, db_url: str | None, home: str | None
) -> None:
    """Set the password of the user NAME (prompted twice, or from stdin); their browser
    sessions end."""
    from atlas.server.auth.passwords import hash_password

    with _database(db_url, home) as store:
        store.get_user(name)  # an unknown user is told before the password is asked
        hashed = hash_password(read_password(from_stdin=password_stdin, prompt="New password"))
        store.update_user(name, password_hash=hashed)
        _audit(store, "set-password", name)
    click.echo(f"Set the password of user {name!r}.")
