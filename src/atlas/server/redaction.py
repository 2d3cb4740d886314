"""What the server may say about where its data lives, without secrets.

``/api/v1/info`` and the start-up log name the database kind and the artifact location; a
URL's user name and password (``s3://key:secret@bucket``) never appear.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["db_kind", "public_location"]


def db_kind(url: str) -> str:
    """``"sqlite"`` or ``"postgresql"`` (any other backend by its name) for a store URL."""
    scheme = url.partition(":")[0].lower()
    backend = scheme.partition("+")[0]
    return "postgresql" if backend in ("postgres", "postgresql") else backend


def public_location(location: str) -> str:
    """``location`` (a folder or a URL) without any user name or password in it."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    if "@" not in parts.netloc:
        return location
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
