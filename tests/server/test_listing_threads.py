"""Job listings run in threads of their own: however many wait on the database at once, the
threads that /healthz, ingest and every other route share stay free (issue 7, defect 3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from atlas.domain import Job, Page
from atlas.server import create_app
from atlas.server.deps import LISTING_THREADS
from atlas.settings import Settings
from atlas.store.api import JobQuery
from atlas.store.sql_store import SqlStore
from tests.server.conftest import API, BASE_URL, TestClient

FLOOD = 48
"""Listings held at once: more than the 40 threads the other routes share."""

DEADLINE_S = 10.0


class HeldListings(SqlStore):
    """A real store whose listings wait for ``release`` (a slow database, made to order)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0

    def list_jobs(self, project: str, query: JobQuery) -> Page[Job]:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            assert self.release.wait(DEADLINE_S * 3)
            return super().list_jobs(project, query)
        finally:
            with self.lock:
                self.inside -= 1


def _within(seconds: float, call: Callable[[], int]) -> int | None:
    """``call()``'s answer, or ``None`` when it takes longer than ``seconds``."""
    answers: list[int] = []
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    return answers[0] if answers else None


def test_held_listings_leave_health_and_ingest_their_threads(settings: Settings) -> None:
    store = HeldListings(settings.resolved_db_url)
    with TestClient(create_app(settings, store=store), base_url=BASE_URL) as client:
        job = client.post(f"{API}/jobs", json={"project": "held", "name": "a"}).json()["id"]
        statuses: list[int] = []

        def list_jobs() -> None:
            statuses.append(client.get(f"{API}/projects/held/jobs").status_code)

        flood = [threading.Thread(target=list_jobs) for _ in range(FLOOD)]
        for thread in flood:
            thread.start()
        try:
            deadline = time.monotonic() + DEADLINE_S
            while store.inside < LISTING_THREADS and time.monotonic() < deadline:
                time.sleep(0.01)
            assert store.inside == LISTING_THREADS  # the rest wait without holding a thread

            health = _within(DEADLINE_S, lambda: client.get("/healthz").status_code)
            batch = {
                "batch_id": "held-1",
                "encoding": "json",
                "series": [{"key": "loss", "steps": [0], "times": [1.0], "values": [0.5]}],
            }
            ingest = _within(
                DEADLINE_S,
                lambda: client.post(f"{API}/jobs/{job}/metrics", json=batch).status_code,
            )
            other = _within(DEADLINE_S, lambda: client.get(f"{API}/jobs/{job}").status_code)
        finally:
            store.release.set()
            for thread in flood:
                thread.join(DEADLINE_S * 3)
    store.close()
    assert (health, ingest, other) == (200, 200, 200)
    assert statuses == [200] * FLOOD
    assert store.most_inside == LISTING_THREADS
