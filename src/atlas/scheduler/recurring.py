"""Recurring jobs: schedules that submit a job on a cron expression, stepped by ``tick(now)``.

Each tick fires every schedule whose next run time has come: its job is submitted through
the :class:`Scheduler` (checked, queued and dispatched like any submission), and in the same
transaction the schedule's ``last_slot`` moves to the slot by a compare-and-set, so a slot
fires once even when two servers or a retry try it (``Store.fire_schedule``). The next run
time is the cron expression's first time after *now*: a server that was down over several
slots fires **one** catch-up run (for the first slot it missed) when it is back, not one per
missed slot. A run that cannot be submitted (its snapshot deleted, resources no longer on
the machine, or, with authentication on, a maker who is no longer an active editor of the
project) is logged, its slot skipped and the reason kept as the schedule's ``last_error``
(shown by ``atlas schedule ls``, the REST API and the GUI), so the schedule goes on with the
next one.

Only the active scheduler fires (a standby server serves the API only). A background thread
ticks at the next run time, at least every :data:`MAX_WAIT` seconds (schedules created on
another server of the database), and when a schedule is created or changed here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from atlas import cron
from atlas.domain import ROLES, Job, JobKind, JobSpec, Role
from atlas.errors import (
    AtlasError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from atlas.scheduler.scheduler import Scheduler
from atlas.schedules import Schedule
from atlas.store.api import Store
from atlas.store.schedule_api import UNCHANGED, Unchanged

__all__ = [
    "ERROR_WAIT",
    "MAX_WAIT",
    "RETRY_WAIT",
    "SCHEDULE_TAG",
    "STANDBY_WAIT",
    "Recurring",
    "run_spec",
]

logger = logging.getLogger(__name__)

MAX_WAIT = 60.0
"""Most seconds between two ticks: a schedule made on another server of the same database
is picked up within this."""
ERROR_WAIT = 5.0
"""Seconds before the next tick after one failed (the database away)."""
STANDBY_WAIT = 5.0
"""Seconds between two looks at the scheduler while another server runs the jobs (and fires
the schedules): this one fires within this of taking over."""
RETRY_WAIT = 0.5
"""Seconds before the next tick when a schedule is due still after one."""
SCHEDULE_TAG = "schedule"
"""The tag each run's job carries: the id of the schedule that submitted it."""


class _SlotTakenError(ConflictError):
    """The schedule changed since it was read: another server or try fired this slot."""


class _MakerRefusedError(PermissionDeniedError):
    """The schedule's maker may no longer submit jobs in its project."""


class Recurring:
    """Keeps and fires the recurring jobs of ``store`` through ``scheduler``; ``clock`` gives
    the time of the background thread's ticks (seconds since the epoch). With ``auth`` (a
    server with authentication on) each run first checks that the schedule's maker is still
    an enabled user and an editor of the project (or an admin); a run of one who is not is
    skipped, with the reason as the schedule's last error."""

    def __init__(
        self,
        store: Store,
        scheduler: Scheduler,
        *,
        clock: Callable[[], float] = time.time,
        auth: bool = False,
    ) -> None:
        self.store = store
        self.scheduler = scheduler
        self.clock = clock
        self.auth = auth
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what users do ----------------------------------------------------------------------
    def create(
        self,
        spec: JobSpec,
        *,
        cron_expr: str,
        timezone: str = "UTC",
        name: str = "",
        user: str,
        paused: bool = False,
        now: datetime | None = None,
    ) -> Schedule:
        """Keep a schedule submitting ``spec`` (a scheduled job, checked now as a submission
        would be) in ``spec.project`` (which must exist). ``InvalidInputError`` for a cron
        expression that is wrong or never fires, or an unknown time zone."""
        if spec.kind != JobKind.SCHEDULED:
            raise InvalidInputError("a schedule submits scheduled jobs (kind scheduled)")
        parsed = cron.parse(cron_expr)
        cron.zone(timezone)
        self.scheduler.check(spec)
        next_run = None if paused else cron.next_after(parsed, _now(now), timezone)
        schedule = self.store.create_schedule(
            spec, cron=cron_expr, timezone=timezone, name=name, user=user, next_run_at=next_run
        )
        self.wake()
        return schedule

    def update(
        self,
        schedule_id: str,
        *,
        name: str | None = None,
        cron_expr: str | None = None,
        timezone: str | None = None,
        paused: bool | None = None,
        now: datetime | None = None,
    ) -> Schedule:
        """Rename, pause, resume or change when the schedule fires. A resumed schedule, or
        one given a new cron expression or zone, next fires at its first slot after now
        (slots missed while paused are not made up). Anything else leaves the next run time
        as the database has it: the one read here may be a slot fired since."""
        current = self.store.get_schedule(schedule_id)
        expr = current.cron if cron_expr is None else cron.parse(cron_expr).text
        zone = current.timezone if timezone is None else cron.zone(timezone).key
        stopped = current.paused if paused is None else paused
        next_run: datetime | Unchanged | None = UNCHANGED
        if stopped:
            next_run = None
        elif current.paused or expr != current.cron or zone != current.timezone:
            next_run = cron.next_after(expr, _now(now), zone)
        schedule = self.store.update_schedule(
            schedule_id,
            name=name,
            cron=cron_expr,
            timezone=timezone,
            paused=paused,
            next_run_at=next_run,
        )
        self.wake()
        return schedule

    # -- firing -----------------------------------------------------------------------------
    def tick(self, now: datetime) -> list[str]:
        """Fire each schedule due at ``now`` once; the ids of the jobs submitted. Nothing
        while the scheduler stands by for another server."""
        if not self.scheduler.active:
            return []
        fired = []
        for schedule in self.store.due_schedules(now):
            job = self._fire(schedule, now)
            if job is not None:
                fired.append(job.id)
        return fired

    def _fire(self, schedule: Schedule, now: datetime) -> Job | None:
        next_run = cron.next_after(schedule.cron, now, schedule.timezone)
        spec = run_spec(schedule)

        def write(checked: JobSpec) -> Job:
            job = self.store.fire_schedule(schedule, checked, next_run_at=next_run)
            if job is None:
                raise _SlotTakenError(f"schedule {schedule.id} changed while it fired")
            return job

        try:
            self._check_maker(schedule)
            job = self.scheduler.submit(spec, write=write)
        except _SlotTakenError:
            return None
        except AtlasError as exc:  # the run cannot be queued: skip the slot, go on
            logger.warning(
                "schedule %s: the run for %s was not submitted and is skipped: %s",
                schedule.id,
                schedule.next_run_at,
                exc.message,
            )
            self.store.skip_schedule(schedule, next_run_at=next_run, error=exc.message)
            return None
        logger.info(
            "schedule %s: job %s submitted for %s", schedule.id, job.id, schedule.next_run_at
        )
        return job

    def _check_maker(self, schedule: Schedule) -> None:
        """``_MakerRefusedError`` when, with authentication on, the schedule's maker is no
        longer an enabled user who may submit jobs in its project."""
        if not self.auth:
            return
        maker, project = schedule.created_by, schedule.project
        try:
            user = self.store.get_user(maker)
        except NotFoundError:
            raise _MakerRefusedError(f"its maker {maker!r} is not a user of this server") from None
        if user.disabled:
            raise _MakerRefusedError(f"its maker {maker!r} is disabled")
        role = self.store.project_role(project, maker)
        if not user.admin and (role is None or ROLES.index(role) < ROLES.index(Role.EDITOR)):
            raise _MakerRefusedError(
                f"its maker {maker!r} is no longer an editor of project {project!r}"
            )

    # -- the thread -------------------------------------------------------------------------
    def wake(self) -> None:
        """Tick soon (a schedule was created or changed)."""
        self._wake.set()

    def start(self) -> None:
        """Start the background thread (after the scheduler's start)."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="atlas-recurring", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the background thread (before the scheduler's stop)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.tick(datetime.fromtimestamp(self.clock(), UTC))
                wait = self.next_wait()
            except Exception:
                logger.exception("a recurring jobs tick failed; trying again")
                wait = ERROR_WAIT
            self._wake.wait(wait)

    def next_wait(self) -> float:
        """Seconds the thread sleeps after a tick: until the next run time, at most
        :data:`MAX_WAIT`; :data:`STANDBY_WAIT` while another server fires the schedules;
        :data:`RETRY_WAIT` when one is due still (it fired on another server meanwhile, or
        came due during the tick)."""
        if not self.scheduler.active:
            return STANDBY_WAIT
        at = self.store.next_schedule_at()
        if at is None:
            return MAX_WAIT
        wait = at.timestamp() - self.clock()
        return RETRY_WAIT if wait <= 0 else min(MAX_WAIT, wait)


def run_spec(schedule: Schedule) -> JobSpec:
    """The job one run of ``schedule`` submits: its spec, named after the schedule when the
    spec has no name, tagged with the schedule's id."""
    spec = schedule.spec
    return replace(
        spec,
        project=schedule.project,
        name=spec.name or schedule.name,
        tags={**spec.tags, SCHEDULE_TAG: schedule.id},
    )


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now
