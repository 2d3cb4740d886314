"""The server's background services (atlas.server.services) in the real app's lifespan:
their threads run while it serves and none outlives it, also when a start fails part way."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from atlas.server import create_app
from atlas.settings import Settings
from atlas.store.sql_store import SqlStore

from .conftest import BASE_URL, TestClient

SERVICES = ("scheduler", "sweeps", "recurring", "notifier")
THREADS = {"atlas-scheduler", "atlas-sweeps", "atlas-recurring", "atlas-notifier"}


def test_the_services_run_while_the_app_serves_and_stop_with_it(settings: Settings) -> None:
    before = set(threading.enumerate())
    app = create_app(settings)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/projects").status_code == 200
        started = set(threading.enumerate()) - before
        assert {thread.name for thread in started} >= THREADS
        assert all(getattr(app.state, name) is not None for name in SERVICES)
    assert [t.name for t in started if t.name in THREADS and t.is_alive()] == []
    assert [name for name in SERVICES if getattr(app.state, name) is not None] == []


class RefusingStore(SqlStore):
    """A real store whose notifier hook fails: the last service's start fails."""

    def on_notifications_enqueued(self, callback: Callable[[], None]) -> None:
        raise RuntimeError("no notifications here")


def test_a_start_that_fails_part_way_stops_the_services_started_before(
    settings: Settings,
) -> None:
    store = RefusingStore(settings.resolved_db_url)
    before = set(threading.enumerate())
    app = create_app(settings, store=store)
    try:
        with (
            pytest.raises(RuntimeError, match="no notifications here"),
            TestClient(app, base_url=BASE_URL),
        ):
            pass
    finally:
        store.close()
    left = [t.name for t in set(threading.enumerate()) - before if t.name in THREADS]
    assert left == []
    assert [name for name in SERVICES if getattr(app.state, name) is not None] == []
