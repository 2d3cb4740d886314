"""Keys of params, tags and metrics, checked as the server checks them.

A key is a string of 1-250 characters without control characters (``/`` groups metric
keys: ``system/cpu``). Kept free of heavy imports: the metric buffer checks every new key.
"""

from __future__ import annotations

from atlas.errors import InvalidInputError

__all__ = ["MAX_KEY_LENGTH", "check_key"]

MAX_KEY_LENGTH = 250


def _is_control(char: str) -> bool:
    return char < " " or "\x7f" <= char <= "\x9f"


def check_key(key: object, kind: str) -> str:
    """``key`` when it is a valid ``kind`` key (param, tag, metric).

    ``TypeError`` for a key that is not a string, ``InvalidInputError`` for a bad string.
    """
    if not isinstance(key, str):
        raise TypeError(f"a {kind} key must be a string, not {type(key).__name__}: {key!r:.60}")
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"a {kind} key has 1 to {MAX_KEY_LENGTH} characters: {key[:40]!r}",
            detail={"field": kind, "key": key[:MAX_KEY_LENGTH]},
        )
    if any(_is_control(char) for char in key):
        raise InvalidInputError(
            f"a {kind} key may not hold control characters: {key!r}",
            detail={"field": kind, "key": key},
        )
    return key
