"""``atlas tokens``: one's API tokens on the server (create, list, revoke).

A token's secret is printed once, by ``tokens create``, and never again: the server keeps
only its digest.
"""

from __future__ import annotations

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_time
from atlas.cli.tables import Column, render_table
from atlas.domain import ROLES, ApiToken
from atlas.units import parse_duration

__all__ = ["token_json", "tokens_group", "tokens_table"]

_COLUMNS = (
    Column("ID"),
    Column("NAME", shrink=True, min_width=12),
    Column("USER"),
    Column("PROJECT", shrink=True, min_width=8),
    Column("ROLE"),
    Column("CREATED"),
    Column("EXPIRES"),
    Column("LAST USED"),
)


def tokens_table(tokens: list[ApiToken], *, width: int | None = None) -> str:
    """The ``tokens ls`` table: id, name, user, project and role, created, expires, last
    used."""
    rows = [
        [
            token.id,
            cell(token.name),
            cell(token.user or "-"),
            cell(token.project or "-"),
            "-" if token.role is None else str(token.role),
            format_time(token.created_at),
            format_time(token.expires_at) if token.expires_at else "never",
            format_time(token.last_used_at) if token.last_used_at else "never",
        ]
        for token in tokens
    ]
    return render_table(_COLUMNS, rows, width=width).text


def token_json(token: ApiToken) -> dict[str, object]:
    """A token in the REST API's ``Token`` shape (never its secret)."""
    return {
        "id": token.id,
        "name": token.name,
        "user": token.user,
        "project": token.project,
        "role": None if token.role is None else str(token.role),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke your API tokens on the server."""


@tokens_group.command("create")
@click.option("--name", required=True, metavar="NAME", help="What the token is for.")
@click.option("--expires", metavar="DURATION", help="Lifetime, e.g. 30d, 12h (default: never).")
@click.option("--project", metavar="PROJECT", help="Reach only this project.")
@click.option(
    "--role",
    type=click.Choice([str(r) for r in ROLES]),
    help="With --project: at most this role there (default viewer).",
)
@pass_cli
def tokens_create(
    cli: CliContext, name: str, expires: str | None, project: str | None, role: str | None
) -> None:
    """Create an API token and print its secret, this once."""
    if role is not None and project is None:
        raise click.UsageError("--role limits a token to a project: give --project too")
    expires_in = None if expires is None else parse_duration(expires, where="--expires")
    with cli.client() as client:
        created = client.create_token(name, expires_in=expires_in, project=project, role=role)
    token = created.token
    reach = (
        "every project you can reach"
        if token.project is None
        else (f"project {token.project!r} as at most {token.role}")
    )
    expiry = format_time(token.expires_at) if token.expires_at else "never"
    click.echo(f"Created token {token.id} {token.name!r} for {reach}; expires {expiry}.", err=True)
    click.echo(created.secret)
    click.echo("This secret will not be shown again: store it now.", err=True)


@tokens_group.command("ls")
@click.option("--all", "every", is_flag=True, help="Every user's tokens (admins).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def tokens_ls(cli: CliContext, every: bool, as_json: bool) -> None:
    """List your live API tokens, newest first (never their secrets)."""
    with cli.client() as client:
        tokens = client.list_tokens(all=every)
    if as_json:
        click.echo(dumps({"items": [token_json(t) for t in tokens]}))
    elif not tokens:
        click.echo("No tokens. Create one with `atlas tokens create --name NAME`.", err=True)
    else:
        click.echo(tokens_table(tokens))


@tokens_group.command("revoke")
@click.argument("token_id", metavar="ID")
@pass_cli
def tokens_revoke(cli: CliContext, token_id: str) -> None:
    """Revoke the token ID (see `atlas tokens ls`); it stops working at once."""
    with cli.client() as client:
        client.revoke_token(token_id)
    click.echo(f"Revoked token {token_id}.")
