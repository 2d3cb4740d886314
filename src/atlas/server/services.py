"""The server's background services: the threads that run beside its requests.

``BackgroundServices.start`` starts them in order, each kept on the app's state: the
scheduler (which runs jobs), the sweep controller and recurring jobs (which submit through
the scheduler, so they start after it), and the notifier (which sends the store's outbox of
job state changes). ``stop`` stops those that started, the last first, so no service outlives
one it uses; each is ``None`` on the state once stopped. A start that fails part way leaves
the ones before it to ``stop``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from starlette.datastructures import State

from atlas.hpo.controller import SweepController
from atlas.scheduler.recurring import Recurring
from atlas.scheduler.scheduler import Scheduler
from atlas.server.auth.credentials import Lookups
from atlas.server.notifier import Notifier
from atlas.settings import Settings

__all__ = ["BackgroundServices"]

_Service = TypeVar("_Service")


class BackgroundServices:
    """The background services of one app's lifespan, kept on its ``state`` (``scheduler``,
    ``sweeps``, ``recurring``, ``notifier``); the store, artifacts, executor and lookups
    are on the state before :meth:`start`."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._stops: list[tuple[str, Callable[[], object]]] = []

    async def start(self, settings: Settings) -> threading.Event:
        """Start the services in order (see the module docstring); answer the event the
        caller sets once the spool's import is done, which the sweeps' first tick waits
        for (a trial that ended while no server ran may have spooled its objective's
        points there)."""
        state = self._state
        scheduler = self._keep("scheduler", await anyio.to_thread.run_sync(self._scheduler))
        self._stops.append(("scheduler", scheduler.stop))
        lookups: Lookups = state.lookups
        # A job's token dies with the job: forget it here at once, not when the cache ages.
        scheduler.ended.append(lambda _job_id: lookups.forget_token())
        spool_imported = threading.Event()
        sweeps = self._keep("sweeps", SweepController(state.store, scheduler, ready=spool_imported))
        self._run("sweeps", sweeps.start, sweeps.stop_thread)
        recurring = self._keep(
            "recurring", Recurring(state.store, scheduler, auth=settings.auth_enabled)
        )
        self._run("recurring", recurring.start, recurring.stop)
        # Sent by a thread of its own, so a slow receiver never holds the scheduler
        # (docs/notifications.md).
        notifier = self._keep("notifier", Notifier.from_settings(settings, state.store))
        self._run("notifier", notifier.start, notifier.stop)
        return spool_imported

    async def stop(self) -> None:
        """Stop every service that started, the last first, each on a worker thread, and
        set it to ``None`` on the state."""
        while self._stops:
            name, stop = self._stops.pop()
            await anyio.to_thread.run_sync(stop)
            setattr(self._state, name, None)

    def _scheduler(self) -> Scheduler:
        from atlas.scheduler.runtime import open_scheduler

        state = self._state
        return open_scheduler(state.settings, state.store, state.artifacts, executor=state.executor)

    def _keep(self, name: str, service: _Service) -> _Service:
        setattr(self._state, name, service)
        return service

    def _run(self, name: str, start: Callable[[], object], stop: Callable[[], object]) -> None:
        # Stopped even when its start fails part way: its thread may have begun.
        self._stops.append((name, stop))
        start()
