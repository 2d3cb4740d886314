"""``atlas login``, ``atlas logout`` and ``atlas whoami``: signing the CLI and the SDK in to
a team server.

``atlas login URL`` stores an API token for URL in the credentials file
(``$ATLAS_HOME/credentials``, ``atlas.credentials``) and makes URL the current server: later
commands and scripts use both without ``--url`` or ``ATLAS_TOKEN``. With ``--user`` it logs
in with the password and makes a token named ``cli on HOSTNAME`` through that session (the
session itself then ends). Token secrets are never printed.
"""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.credentials import credentials_path, read_credentials, server_key, write_credentials
from atlas.errors import AtlasError, InvalidInputError, UnauthenticatedError
from atlas.names import MAX_TOKEN_NAME_LENGTH

if TYPE_CHECKING:
    from atlas.sdk.accounts import Identity
    from atlas.sdk.client import Client

__all__ = ["login_command", "logout_command", "whoami_command"]


def _client(url: str, token: str, cli: CliContext) -> Client:
    from atlas.sdk.client import Client

    return Client(url, token=token, timeout=cli.settings().timeout)


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError(f"{url!r} is not a server URL: give it as https://HOST or http://…")
    return server_key(url)


def _auth_is_on(client: Client) -> None:
    if not client.me().auth:
        raise AtlasError(
            f"authentication is off on {client.url}: no login is needed, every request acts "
            "as its admin"
        )


def _token_name() -> str:
    return f"cli on {socket.gethostname()}"[:MAX_TOKEN_NAME_LENGTH]


def _by_password(client: Client, name: str, password: str) -> tuple[str, str]:
    """Log in, make the CLI's token through the session, end the session."""
    client.login(name, password)
    try:
        created = client.create_token(_token_name())
    finally:
        client.logout()
    return created.secret, created.token.id


def _by_token(client: Client, url: str, token: str, cli: CliContext) -> None:
    with _client(url, token, cli) as checked:
        identity = checked.me()
    if identity.user is None:  # /auth/me takes a token it does not know for nobody
        raise UnauthenticatedError("invalid or expired token")
    if identity.kind != "token":
        raise UnauthenticatedError(f"that is not a user's API token for {url}")


@click.command("login")
@click.argument("url")
@click.option("--token", "token_option", metavar="TOKEN", help="An API token (else prompted).")
@click.option("--user", metavar="NAME", help="Log in with NAME's password instead of a token.")
@click.option("--password-stdin", is_flag=True, help="With --user: read the password from stdin.")
@pass_cli
def login_command(
    cli: CliContext, url: str, token_option: str | None, user: str | None, password_stdin: bool
) -> None:
    """Sign the CLI and the SDK in to the server URL and make it the current server.

    With --user, logs in with the password (prompted) and creates an API token named
    "cli on HOSTNAME"; else checks the API token given with --token or pasted at the prompt.
    The token is stored in the credentials file ($ATLAS_HOME/credentials, mode 0600).
    """
    if token_option is not None and user is not None:
        raise click.UsageError("give --token or --user, not both")
    url = _check_url(url)
    path = credentials_path(cli.settings().home)
    stored = read_credentials(path)  # a file with loose permissions stops us before a login
    with _client(url, "", cli) as client:
        _auth_is_on(client)
        token_id: str | None = None
        if user is not None:
            password = _login_password(from_stdin=password_stdin)
            token, token_id = _by_password(client, user, password)
        else:
            token = token_option or click.prompt("API token", hide_input=True, err=True)
            _by_token(client, url, token.strip(), cli)
            token = token.strip()
    previous = stored.stored_for(url)
    write_credentials(path, stored.with_login(url, token, token_id=token_id))
    if previous is not None and previous.token_id is not None and previous.token != token:
        _revoke(url, previous.token, previous.token_id, cli, quiet=True)
    with _client(url, token, cli) as client:
        identity = client.me()
    click.echo(f"Logged in to {url} as {_who(identity)}; it is now the current server.")


def _login_password(*, from_stdin: bool) -> str:
    """A password to log in with: one line of stdin, or prompted once without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, err=True))


def _revoke(url: str, token: str, token_id: str, cli: CliContext, *, quiet: bool) -> bool:
    """Revoke the token ``token_id`` with itself, best effort: say so when it fails."""
    try:
        with _client(url, token, cli) as client:
            client.revoke_token(token_id)
    except AtlasError as exc:
        if not quiet:
            click.echo(
                f"note: could not revoke the token {token_id} on {url} ({exc.message}); it "
                f"works until it is revoked (atlas tokens revoke {token_id}, or in the GUI)",
                err=True,
            )
        return False
    return True


@click.command("logout")
@click.argument("url", required=False)
@pass_cli
def logout_command(cli: CliContext, url: str | None) -> None:
    """Revoke and forget the token stored for URL (default: the current server)."""
    settings = cli.settings()
    url = server_key(url or settings.url)
    path = credentials_path(settings.home)
    stored = read_credentials(path)
    entry = stored.stored_for(url)
    if entry is None:
        click.echo(f"Not logged in to {url}: nothing to forget.", err=True)
        return
    revoked = entry.token_id is not None and _revoke(
        url, entry.token, entry.token_id, cli, quiet=False
    )
    write_credentials(path, stored.without(url))
    if entry.token_id is None:
        click.echo(
            "note: the token was pasted at login, so its id is unknown: revoke it with "
            "`atlas tokens ls` and `atlas tokens revoke ID`, or in the GUI",
            err=True,
        )
    done = "revoked and forgot" if revoked else "forgot"
    click.echo(f"Logged out of {url}: {done} its token.")


def _who(identity: Identity) -> str:
    user = identity.user
    if user is None:
        return "nobody"
    return f"{user.name} (admin)" if user.admin else user.name


_HOW = {
    "token": "an API token",
    "job": "a job's token",
    "session": "a browser session",
}


@click.command("whoami")
@pass_cli
def whoami_command(cli: CliContext) -> None:
    """Say who the server takes you for, how you are signed in, and which server it is."""
    settings = cli.settings()
    with cli.client(settings) as client:
        identity = client.me()
        url = client.url
    if not identity.auth:
        click.echo(f"Authentication is off on {url}: every request acts as its admin 'local'.")
        return
    if identity.user is None:
        raise UnauthenticatedError(f"not signed in to {url}: run `atlas login {url}`")
    stored = read_credentials(credentials_path(settings.home)).token_for(url)
    source = "stored by `atlas login`" if stored == settings.token else "from --token or settings"
    how = _HOW.get(identity.kind, identity.kind)
    if identity.kind == "token":
        how = f"{how} ({source})"
    click.echo(f"user:    {_who(identity)}")
    click.echo(f"server:  {url}")
    click.echo(f"through: {how}")
