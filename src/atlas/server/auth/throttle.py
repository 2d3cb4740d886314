"""Brute-force protection of the login: failures counted per user name and per address.

After ``PER_USER`` failed logins for one user name, or ``PER_ADDRESS`` from one address,
within ``WINDOW`` seconds, further attempts are refused (429 ``too_many_attempts``) until the
oldest failure leaves the window, without checking the password: a guesser learns nothing
more. Each attempt counts as a failure from the moment it starts (:meth:`LoginThrottle.begin`),
so many attempts sent at once cannot all slip past the count while their passwords are
checked; a success takes its own count back and clears the user name's failures. Counts live
in the server's memory.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

from atlas.errors import TooManyAttemptsError

__all__ = ["PER_ADDRESS", "PER_USER", "WINDOW", "LoginThrottle"]

PER_USER = 5
PER_ADDRESS = 20
WINDOW = 15 * 60.0
_MAX_KEYS = 100_000
_HELD = contextlib.nullcontext()


class LoginThrottle:
    """Failed logins per user name and per address; safe to share between threads. ``now``
    (monotonic seconds) may be given by tests."""

    def __init__(self, *, per_user: int = PER_USER, per_address: int = PER_ADDRESS) -> None:
        self._limits = {"user": per_user, "address": per_address}
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(
        self, user: str, address: str, *, now: float | None = None, locked: bool = False
    ) -> None:
        """``TooManyAttemptsError`` (with ``retry_after``) when either is over its limit
        (``locked``: the caller holds the lock)."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock if not locked else _HELD:
            for key in (("user", user.lower()), ("address", address)):
                failures = self._recent(key, now)
                if len(failures) >= self._limits[key[0]]:
                    wait = max(wait, failures[0] + WINDOW - now)
        if wait > 0:
            seconds = int(wait) + 1
            raise TooManyAttemptsError(
                f"too many failed logins: try again in {seconds} s",
                detail={"retry_after": seconds},
            )

    def begin(self, user: str, address: str, *, now: float | None = None) -> float:
        """Start an attempt: ``TooManyAttemptsError`` as :meth:`check` says, else count it
        as failed (atomically with the check) and return its mark for :meth:`succeeded`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self.check(user, address, now=now, locked=True)
            self._count(user, address, now)
        return now

    def failed(self, user: str, address: str, *, now: float | None = None) -> None:
        """Count a failed login."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._count(user, address, now)

    def succeeded(
        self, user: str, address: str | None = None, *, mark: float | None = None
    ) -> None:
        """Forget the user name's failures, and the address's count of the attempt that
        :meth:`begin` marked ``mark``."""
        with self._lock:
            self._failures.pop(("user", user.lower()), None)
            failures = self._failures.get(("address", address or ""))
            if failures is not None and mark is not None and mark in failures:
                failures.remove(mark)

    def _count(self, user: str, address: str, now: float) -> None:
        if len(self._failures) > _MAX_KEYS:
            self._failures.clear()
        for key in (("user", user.lower()), ("address", address)):
            self._recent(key, now).append(now)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - WINDOW:
            failures.popleft()
        return failures
