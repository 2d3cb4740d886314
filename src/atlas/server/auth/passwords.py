"""Password hashes (argon2id, argon2-cffi's defaults) and the rule a new password follows.

At most ``CONCURRENT_HASHES`` hashes run at once (each takes 0.1-0.3 s of a core and 64 MiB):
a flood of logins waits its turn instead of taking every worker thread and the memory.

A login for an unknown user, a disabled user or one without a password verifies against a
fixed dummy hash, so the time a failed login takes tells nothing about which it was.
"""

from __future__ import annotations

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from atlas.names import invalid

__all__ = [
    "CONCURRENT_HASHES",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_password",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused before hashing: argon2 would take them, at a cost."""

CONCURRENT_HASHES = 4
_HASHER = PasswordHasher()
_SLOTS = threading.BoundedSemaphore(CONCURRENT_HASHES)


def check_password(password: object, *, field: str = "password") -> str:
    """``password`` when it may be a user's password: 8 to 1,024 characters."""
    if not isinstance(password, str) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise invalid(
            field,
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
        )
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (checked with :func:`check_password` first)."""
    check_password(password)
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    """Whether ``password`` matches ``hashed``. ``None`` (no such user, or no password)
    is checked against a dummy hash and is never a match: every failure costs the same."""
    too_long = len(password) > MAX_PASSWORD_LENGTH  # never a password: same cost, no match
    if too_long:
        hashed, password = None, password[:MAX_PASSWORD_LENGTH]
    against = hashed or _dummy_hash()
    try:
        with _SLOTS:
            return _HASHER.verify(against, password) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    with _SLOTS:
        return _HASHER.hash("an unguessable password nobody has")
