"""Secrets Atlas hands out: API tokens, job tokens and browser sessions.

A secret is shown once and stored only as its SHA-256 digest: 256 random bits need no slow
hash, and a lookup by digest compares nothing character by character. Standard library only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

__all__ = ["TOKEN_PREFIX", "NewSecret", "digest", "looks_like_token", "new_secret"]

TOKEN_PREFIX = "atlas_"
"""What every API and job token starts with (secret scanners can look for it)."""
_SECRET_BYTES = 32
_ID_BYTES = 6
_MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True, slots=True)
class NewSecret:
    """A fresh secret: ``id`` names it in listings, ``secret`` goes to its holder once,
    ``digest`` is what the store keeps."""

    id: str
    secret: str
    digest: str


def new_secret(prefix: str = TOKEN_PREFIX) -> NewSecret:
    """A new random secret with its public id and its digest."""
    secret = prefix + secrets.token_urlsafe(_SECRET_BYTES)
    return NewSecret(id=secrets.token_hex(_ID_BYTES), secret=secret, digest=digest(secret))


def digest(secret: str) -> str:
    """The stored form of ``secret``: its SHA-256, as 64 hex digits."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Whether ``value`` could be a token Atlas made (a cheap check before any lookup)."""
    return value.startswith(TOKEN_PREFIX) and len(value) <= _MAX_TOKEN_LENGTH
