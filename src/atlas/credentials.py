"""The credentials file: the API tokens ``atlas login`` stored, one per server, and which
server is the current one. Standard library only.

It lives at ``$ATLAS_HOME/credentials`` (``~/.atlas/credentials``), is TOML, and is readable
by its owner only (mode 0600: a file other users may read is refused, with the ``chmod`` to
fix it)::

    current = "https://atlas.example.com"

    [servers."https://atlas.example.com"]
    token = "atlas_..."
    token_id = "4f1c9a0b2d3e"

Writes replace the file atomically (a new file made with mode 0600, then renamed over the
old one), so a reader sees the old file or the new one, never half of either.
``atlas.settings.load_settings`` reads it for the ``url`` and ``token`` settings.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

from atlas.errors import InvalidInputError

__all__ = [
    "CREDENTIALS_FILE",
    "Credentials",
    "StoredToken",
    "credentials_path",
    "read_credentials",
    "server_key",
    "write_credentials",
]

CREDENTIALS_FILE = "credentials"
"""The file's name in the Atlas home folder."""
_MODE = 0o600


def server_key(url: str) -> str:
    """The form of a server URL that names it in the file: scheme and host in lower case,
    no trailing slash (``HTTP://Box:5555/`` and ``http://box:5555`` are one server)."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, "")
    )


@dataclass(frozen=True, slots=True)
class StoredToken:
    """The token stored for one server: its secret, and its id when known (``atlas logout``
    revokes it by id; a token pasted at ``atlas login`` has none)."""

    token: str
    token_id: str | None = None


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the file holds: the ``current`` server (``None``: none chosen) and a token per
    server URL (keys as :func:`server_key` writes them)."""

    current: str | None = None
    servers: Mapping[str, StoredToken] = field(default_factory=lambda: MappingProxyType({}))

    def stored_for(self, url: str) -> StoredToken | None:
        """The token stored for the server ``url``; ``None`` when there is none."""
        return self.servers.get(server_key(url))

    def token_for(self, url: str) -> str | None:
        """The secret of the token stored for the server ``url``; ``None`` when there is
        none. A token is only ever found for its own server."""
        stored = self.stored_for(url)
        return None if stored is None else stored.token

    def with_login(self, url: str, token: str, *, token_id: str | None = None) -> Credentials:
        """These credentials with ``token`` stored for ``url``, which becomes current."""
        key = server_key(url)
        servers = {**self.servers, key: StoredToken(token, token_id)}
        return Credentials(current=key, servers=MappingProxyType(servers))

    def without(self, url: str) -> Credentials:
        """These credentials without ``url``'s token (no longer current, if it was)."""
        key = server_key(url)
        servers = {k: v for k, v in self.servers.items() if k != key}
        current = None if self.current == key else self.current
        return Credentials(current=current, servers=MappingProxyType(servers))


def credentials_path(home: str | os.PathLike[str]) -> Path:
    """The credentials file of the Atlas home folder ``home``."""
    return Path(home).expanduser() / CREDENTIALS_FILE


def read_credentials(path: Path) -> Credentials:
    """The credentials in ``path``; empty ones when there is no file.

    ``InvalidInputError`` when other users may read or write the file (with the ``chmod
    600`` that fixes it), or when it is not a credentials file."""
    import tomllib  # only when a file exists: keeps `import atlas` light

    try:
        with path.open("rb") as handle:
            _check_private(path, os.fstat(handle.fileno()).st_mode)
            data = tomllib.load(handle)
    except FileNotFoundError:
        return Credentials()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the credentials file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"the credentials file {path} is not valid TOML: {exc}") from None
    return _parse(path, data)


def write_credentials(path: Path, credentials: Credentials) -> None:
    """Replace ``path`` with ``credentials`` at once, readable by its owner only (the folder
    is made, mode 0700, when missing)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), _MODE)  # O_CREAT's mode does not apply to a leftover
            handle.write(_render(credentials))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _check_private(path: Path, mode: int) -> None:
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise InvalidInputError(
            f"the credentials file {path} may be read by other users (mode "
            f"{stat.S_IMODE(mode):o}): it holds API tokens. Run: chmod 600 {path}",
            detail={"path": str(path)},
        )


def _parse(path: Path, data: Mapping[str, object]) -> Credentials:
    current = data.get("current")
    servers = data.get("servers", {})
    if (current is not None and not isinstance(current, str)) or not isinstance(servers, dict):
        raise InvalidInputError(
            f"the credentials file {path} is not one `atlas login` wrote: "
            "`current` must be a URL and [servers] a table"
        )
    stored: dict[str, StoredToken] = {}
    for url, entry in servers.items():
        token = entry.get("token") if isinstance(entry, dict) else None
        token_id = entry.get("token_id") if isinstance(entry, dict) else None
        if not isinstance(token, str) or not isinstance(token_id, str | None):
            raise InvalidInputError(
                f"the credentials file {path}: [servers.{json.dumps(url)}] has no token"
            )
        stored[server_key(url)] = StoredToken(token, token_id)
    return Credentials(
        current=None if current is None else server_key(current),
        servers=MappingProxyType(stored),
    )


def _render(credentials: Credentials) -> str:
    # JSON strings are valid TOML basic strings for everything a URL or token holds.
    lines = ["# Written by `atlas login`; readable by its owner only (chmod 600).", ""]
    if credentials.current is not None:
        lines += [f"current = {json.dumps(credentials.current)}", ""]
    for url, stored in sorted(credentials.servers.items()):
        lines += [f"[servers.{json.dumps(url)}]", f"token = {json.dumps(stored.token)}"]
        if stored.token_id is not None:
            lines.append(f"token_id = {json.dumps(stored.token_id)}")
        lines.append("")
    return "\n".join(lines)
