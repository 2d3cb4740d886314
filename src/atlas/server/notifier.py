"""The notifier: sends the notifications the outbox holds (docs/notifications.md).

Every status change of a job enqueues its deliveries in the store, in the transaction of
the change (``atlas.store.notification_outbox``). The notifier, a thread of the server,
claims the due ones (a claim is a conditional ``UPDATE``, so of several servers on one
database each delivery is sent by one), posts each from a bounded pool of sender threads
and records the attempt. A receiver that fails or answers an error status is tried again
after ``BACKOFF_S`` (five attempts over about 15 minutes), then the delivery is ``failed``;
one that hangs is cut off after ``READ_TIMEOUT_S``, and one send ends by ``SEND_DEADLINE_S``
however its receiver trickles its answer (``notify_transport``). A rule's URL reaches only
public addresses unless the server allows private ones (``notify_private_hosts``). At most
``PER_RULE_IN_FLIGHT`` sends of one rule run at once, so a receiver that hangs holds two
threads, never the others' turns; nothing here runs on the scheduler's thread or in its
transactions. Once an hour the thread deletes the log's ended rows older than
``notify_log_days``.

The thread wakes when this server's store enqueues (``on_notifications_enqueued``) and polls
every ``POLL_S`` seconds for what other servers enqueued. Tests call ``tick(now)`` with any
``now`` and :meth:`Notifier.drain`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from atlas.notifications import NotifyTarget
from atlas.server.notifier_messages import render
from atlas.server.notify_transport import (
    RefusedHostError,
    guarded_transport,
    past_deadline,
    sending,
)
from atlas.settings import Settings
from atlas.store.api import Store
from atlas.store.notification_api import Outgoing
from atlas.store.notification_outbox import target_key

__all__ = [
    "BACKOFF_S",
    "CLAIM_S",
    "MAX_ATTEMPTS",
    "PER_RULE_IN_FLIGHT",
    "POLL_S",
    "PRUNE_EVERY_S",
    "READ_TIMEOUT_S",
    "SEND_DEADLINE_S",
    "SEND_THREADS",
    "Notifier",
    "SlackApi",
    "server_base_url",
]

logger = logging.getLogger(__name__)

BACKOFF_S = (30.0, 90.0, 270.0, 540.0)
"""Seconds before each retry: attempts at 0 s, 30 s, 2 min, 6.5 min and 15.5 min."""
MAX_ATTEMPTS = len(BACKOFF_S) + 1
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
"""Longest wait for a receiver's answer (and for each part of it)."""
SEND_DEADLINE_S = 60.0
"""Longest one send takes, connecting and reading the answer included."""
CLAIM_S = 120.0
"""How long a claim keeps other senders off a delivery: longer than any one send
(``SEND_DEADLINE_S``)."""
SEND_THREADS = 8
PER_RULE_IN_FLIGHT = 2
POLL_S = 1.0
PRUNE_EVERY_S = 3600.0
"""How often the thread deletes the log's old rows (``notify_log_days``)."""
_PRUNE_BATCH = 1000
_RESPONSE_BYTES = 300
"""Bytes of an error answer kept in the delivery log."""


@dataclass(frozen=True, slots=True)
class SlackApi:
    """Slack's Web API as old Atlas used it: ``chat.postMessage`` with a bot token."""

    token: str | None
    base_url: str = "https://slack.com/api"


def server_base_url(settings: Settings) -> str:
    """Where users reach this server: ``public_url``, else the bound address."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}"


class Notifier:
    """Sends due deliveries of ``store``; links point at ``base_url``. A rule's URL may
    lead to a loopback, link-local or private address only with ``allow_private``; each
    send ends within ``deadline_s`` seconds; delivered and failed deliveries older than
    ``keep_days`` days are deleted (``0``: kept)."""

    def __init__(
        self,
        store: Store,
        *,
        base_url: str,
        slack: SlackApi | None = None,
        threads: int = SEND_THREADS,
        allow_private: bool = False,
        deadline_s: float = SEND_DEADLINE_S,
        keep_days: float = 0.0,
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.slack = slack or SlackApi(None)
        self.allow_private = allow_private
        self.deadline_s = deadline_s
        self.keep_days = keep_days
        self._pruned_at = float("-inf")
        limits = httpx.Limits(max_connections=threads * 2)
        self.http = httpx.Client(
            transport=guarded_transport(limits=limits),
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            follow_redirects=False,
        )
        self.threads = threads
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="atlas-notify")
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._futures: set[Future[None]] = set()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings, store: Store) -> Notifier:
        """The server's notifier for ``settings``."""
        slack = SlackApi(settings.slack_token, settings.slack_api_url.rstrip("/"))
        return cls(
            store,
            base_url=server_base_url(settings),
            slack=slack,
            allow_private=settings.notify_private_allowed,
            keep_days=settings.notify_log_days,
        )

    # -- one step ----------------------------------------------------------------------------
    def tick(self, now: float) -> int:
        """Claim the deliveries due at ``now`` (seconds since the epoch) that free sender
        threads can take and start sending them; return how many were started."""
        with self._lock:
            free = self.threads - sum(self._in_flight.values())
            busy = dict(self._in_flight)
        if free <= 0:
            return 0
        at = datetime.fromtimestamp(now, UTC)
        claimed = self.store.claim_deliveries(
            at,
            until=at + timedelta(seconds=CLAIM_S),
            limit=free,
            per_target=PER_RULE_IN_FLIGHT,
            busy=busy,
        )
        for outgoing in claimed:
            self._start(outgoing, now)
        return len(claimed)

    def prune(self, now: float) -> int:
        """Delete the delivered and failed deliveries made more than ``keep_days`` days
        before ``now`` (nothing when ``keep_days`` is 0); return how many."""
        if self.keep_days <= 0:
            return 0
        before = datetime.fromtimestamp(now, UTC) - timedelta(days=self.keep_days)
        deleted = 0
        while (batch := self.store.prune_deliveries(before, limit=_PRUNE_BATCH)) > 0:
            deleted += batch
            if batch < _PRUNE_BATCH or self._stopped.is_set():
                break
        if deleted:
            logger.info(
                "notifier: deleted %d deliveries older than %g days", deleted, self.keep_days
            )
        return deleted

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until the sends started so far are recorded (tests)."""
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.result(timeout)

    def _start(self, outgoing: Outgoing, now: float) -> None:
        key = _rule_key(outgoing)
        with self._lock:
            self._in_flight[key] += 1
            future = self._pool.submit(self._send, outgoing, now)
            self._futures.add(future)
        future.add_done_callback(lambda done: self._done(key, done))

    def _done(self, key: str, future: Future[None]) -> None:
        with self._lock:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]
            self._futures.discard(future)
        self._wake.set()  # a thread is free: what waited for one may go

    # -- one send ----------------------------------------------------------------------------
    def _send(self, outgoing: Outgoing, claimed_at: float) -> None:
        delivery = outgoing.delivery
        try:
            result = self._post(outgoing)
        except Exception as exc:  # a sender thread never dies; the attempt is recorded
            logger.exception("notification %s: sending failed", delivery.id)
            result = _Attempt(None, f"{type(exc).__name__}: {_without(str(exc), outgoing.url)}")
        code, error = result.code, result.error
        attempts = delivery.attempts + 1
        retry_at = None
        if error is not None and not result.final and attempts < MAX_ATTEMPTS:
            delay = BACKOFF_S[attempts - 1]
            retry_at = datetime.fromtimestamp(max(claimed_at, time.time()) + delay, UTC)
        if error is not None:
            logger.warning(
                "notification %s (%s of job %s): attempt %d failed: %s%s",
                delivery.id,
                delivery.event,
                delivery.job_id,
                attempts,
                error,
                "" if retry_at else "; giving up",
            )
        try:
            self.store.record_delivery_attempt(
                delivery.id,
                at=datetime.now(UTC),
                delivered=error is None,
                response_code=code,
                error=error,
                retry_at=retry_at,
            )
        except Exception:  # the database is away: the claim runs out and it is sent again
            logger.exception("notification %s: recording attempt %d failed", delivery.id, attempts)

    def _post(self, outgoing: Outgoing) -> _Attempt:
        """What one attempt to send ``outgoing`` came to."""
        delivery = outgoing.delivery
        if not outgoing.enabled and delivery.event != "test":
            return _Attempt(None, "the rule was turned off before this was sent", final=True)
        body = render(delivery, base_url=self.base_url, sent_at=datetime.now(UTC))
        headers: dict[str, str] = {"User-Agent": "Atlas notifications"}
        if delivery.kind == NotifyTarget.SLACK_API:
            if not self.slack.token:
                return _Attempt(None, _NO_TOKEN.format(channel=delivery.channel), final=True)
            url = f"{self.slack.base_url}/chat.postMessage"
            body["channel"] = delivery.channel
            headers["Authorization"] = f"Bearer {self.slack.token}"
        elif outgoing.url is None:
            return _Attempt(None, "the delivery's rule has no URL", final=True)
        else:
            url = outgoing.url
        slack_api = delivery.kind == NotifyTarget.SLACK_API
        # The admin's Slack API URL may be internal; a rule's URL is a user's: checked.
        check = not slack_api and not self.allow_private
        with sending(deadline_s=self.deadline_s, check_hosts=check):
            return self._exchange(url, body, headers, slack_api=slack_api)

    def _exchange(
        self, url: str, body: dict[str, object], headers: dict[str, str], *, slack_api: bool
    ) -> _Attempt:
        try:
            with self.http.stream("POST", url, json=body, headers=headers) as response:
                answer = b""
                for chunk in response.iter_bytes():
                    answer += chunk
                    if len(answer) >= _RESPONSE_BYTES * 4:
                        break
        except RefusedHostError as exc:
            return _Attempt(None, str(exc), final=True)
        except httpx.TimeoutException:
            if past_deadline():
                return _Attempt(None, f"no whole answer within {self.deadline_s:g} s")
            return _Attempt(None, f"no answer within {READ_TIMEOUT_S:g} s")
        except httpx.HTTPError as exc:
            return _Attempt(None, f"{type(exc).__name__}: {_without(str(exc), url)}")
        code = response.status_code
        text = answer[:_RESPONSE_BYTES].decode("utf-8", "replace").strip()
        if not 200 <= code < 300:
            return _Attempt(code, f"HTTP {code}" + (f": {text}" if text else ""))
        if slack_api and b'"ok":false' in answer.replace(b" ", b""):
            return _Attempt(code, f"Slack refused the message: {text}")
        return _Attempt(code, None)

    # -- the thread --------------------------------------------------------------------------
    def wake(self) -> None:
        """Look for due deliveries now (called after this server's store enqueued)."""
        self._wake.set()

    def start(self) -> None:
        """Start the notifier's thread, woken by this server's enqueues."""
        self.store.on_notifications_enqueued(self.wake)
        self._thread = threading.Thread(target=self._loop, name="atlas-notifier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread; sends in flight are abandoned (their claim ends, and whichever
        server runs next sends them again)."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.http.close()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                started = self.tick(time.time())
            except Exception:
                logger.exception("notifier: reading the due notifications failed")
                started = 0
            self._prune_when_due()
            if started:
                continue  # more may be due
            self._wake.wait(POLL_S)

    def _prune_when_due(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = time.monotonic()
        try:
            self.prune(time.time())
        except Exception:
            logger.exception("notifier: deleting old deliveries failed")


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One attempt's outcome: the HTTP status, what went wrong (``None``: delivered), and
    whether trying again cannot help (``final``)."""

    code: int | None
    error: str | None
    final: bool = False


_NO_TOKEN = (
    "the server has no slack_token (ATLAS_SLACK_TOKEN or FOUNDATIONS_SLACK_TOKEN) to post to "
    "channel {channel!r}"
)


def _rule_key(outgoing: Outgoing) -> str:
    return target_key(outgoing.delivery.rule_id, outgoing.delivery.channel)


def _without(text: str, url: str | None) -> str:
    """``text`` without ``url`` (a webhook's URL often holds its secret)."""
    return text.replace(url, "<the rule's URL>") if url else text
