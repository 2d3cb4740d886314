"""The sweep controller: runs every running sweep's trials as jobs, stepped by ``tick(now)``.

Each tick, for each running sweep: trials whose job ended are recorded (``complete`` with
the objective read from the job's metric summaries, else ``failed`` with the reason) and told
to the sweep's Optuna study; running trials' new metric points are reported to the pruner,
which may stop them (their job cancelled through the scheduler, error type ``pruned``); new
trials are asked and submitted up to ``parallel`` and the budget; a sweep whose budget is
done is ``completed``. State lives in the store: the trial row is written with its job in
one transaction (``Store.submit_job``), and the study is rebuilt from the rows when a
server starts (:class:`atlas.hpo.study.Search`). A background thread ticks when a trial's
job ends (the scheduler's ``ended`` callbacks), every :data:`PRUNING_INTERVAL` seconds
while a sweep with a pruner has running trials, and every ``interval`` seconds otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import shlex
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from atlas.domain import (
    FINAL_STATUSES,
    Job,
    JobError,
    JobKind,
    JobSpec,
    JobStatus,
    ParamValue,
    Sweep,
    SweepError,
    SweepStatus,
    Trial,
    TrialState,
)
from atlas.errors import AtlasError, ConflictError, NotFoundError
from atlas.hpo.spec import SweepSpec, can_grow, parse_spec
from atlas.hpo.study import Search, check_tools
from atlas.names import MAX_JOB_NAME_LENGTH, MAX_SWEEP_TRIALS, invalid
from atlas.scheduler.scheduler import Scheduler
from atlas.store.api import Store

__all__ = [
    "FAILED_STEPS",
    "INTERVAL",
    "MISSING_METRIC_TRIALS",
    "PRUNING_INTERVAL",
    "SweepController",
]

logger = logging.getLogger(__name__)

MISSING_METRIC_TRIALS = 3
"""When this many trials have failed while none completed (nor was pruned), the sweep fails
instead of running its whole budget: ``objective_missing`` when each one's job completed
without the objective metric, else ``trials_failed`` with the most common reason. A trial
whose job was cancelled (the sweep stopped, a user) does not count."""
FAILED_STEPS = 10
"""Steps of one sweep that may fail in a row (an error of ours, the database away) before
the sweep fails with the error as its reason."""
INTERVAL = 1.0
"""Seconds between two ticks when no trial's job ends."""
PRUNING_INTERVAL = 0.2
"""Seconds between two ticks while a sweep with a pruner has running trials (each tick reads
their new metric points): a trial the pruner stops is stopped within this of its point."""


@dataclass(slots=True)
class _Run:
    """What the controller keeps of a sweep it runs: its spec, its Optuna study and the last
    metric step reported to the pruner for each running trial."""

    spec: SweepSpec
    search: Search
    reported: dict[int, int] = field(default_factory=dict)


class SweepController:
    """Runs the sweeps in ``store``, submitting their trials through ``scheduler``.

    ``clock`` gives the thread's ``now``; ``interval`` the longest wait between ticks;
    the thread's first tick waits for ``ready`` (the server's import of the local spool, where
    a trial that ended while no server ran left its last metric points).
    """

    def __init__(
        self,
        store: Store,
        scheduler: Scheduler,
        *,
        clock: Callable[[], float] = time.time,
        interval: float = INTERVAL,
        ready: threading.Event | None = None,
    ) -> None:
        self.store = store
        self._ready = ready
        self.scheduler = scheduler
        self.clock = clock
        self.interval = interval
        self.lock = threading.RLock()
        self._runs: dict[str, _Run] = {}
        self._errors: dict[str, int] = {}
        self._pruning = False
        """Whether the last tick watched running trials for a pruner."""
        self._ended_count = 0
        """Trials recorded as ended by this controller (a tick reads the trials again after
        one)."""
        self._settled: set[str] = set()
        """Stopped or failed sweeps seen with no running trial left (a sweep runs again only
        through ``running``, which takes it out)."""
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what the API asks --------------------------------------------------------------
    def check(self, raw: object, *, project: str, snapshot: str | None) -> SweepSpec:
        """The checked spec ``raw`` of a sweep in ``project`` (``InvalidInputError`` listing
        every problem), writing nothing: its sampler and pruner are built once, and a
        trial's job is checked as the scheduler would queue it (resources, image, the
        ``snapshot`` uploaded)."""
        spec = replace(parse_spec(raw, project=project), project=project)
        check_tools(spec)
        sample = Sweep(
            id="0" * 16,
            project=project,
            name=spec.name,
            user="",
            status=SweepStatus.RUNNING,
            spec={},
            trials=spec.trials,
            parallel=spec.parallel,
            created_at=datetime.now(UTC),
            snapshot=snapshot,
        )
        self.scheduler.check(self._job_spec(sample, spec, MAX_SWEEP_TRIALS - 1, {}))
        return spec

    def create(self, spec: SweepSpec, *, project: str, user: str, snapshot: str | None) -> Sweep:
        """Create the sweep of ``spec`` (from :meth:`check`) running in ``project``."""
        sweep = self.store.create_sweep(
            project=project,
            name=spec.name,
            user=user,
            spec=spec.to_json(),
            snapshot=snapshot,
            trials=spec.trials,
            parallel=spec.parallel,
        )
        logger.info("sweep %s created in %s: %d trials", sweep.id, project, sweep.trials)
        self.wake()
        return sweep

    def stop(self, sweep_id: str) -> Sweep:
        """Stop a sweep: no new trials, its running trials cancelled (recorded failed,
        "stopped with the sweep"). Stopping a sweep that ended changes nothing."""
        with self.lock:
            sweep = self.store.get_sweep(sweep_id)
            if sweep.status != SweepStatus.RUNNING:
                return sweep
            sweep = self.store.update_sweep(sweep_id, status=SweepStatus.STOPPED)
            self._end_running(sweep_id, "stopped with the sweep")
            self._runs.pop(sweep_id, None)
        return sweep

    def resume(self, sweep_id: str) -> Sweep:
        """Run a stopped or failed sweep again (its error cleared); a sweep whose budget is
        done completes again at the next tick."""
        with self.lock:
            sweep = self.store.get_sweep(sweep_id)
            if sweep.status == SweepStatus.RUNNING:
                return sweep
            sweep = self.store.update_sweep(sweep_id, status=SweepStatus.RUNNING, clear_error=True)
        self.wake()
        return sweep

    def add_trials(self, sweep_id: str, count: int) -> Sweep:
        """Raise the budget by ``count``; a completed sweep runs again."""
        with self.lock:
            sweep = self.store.get_sweep(sweep_id)
            total = sweep.trials + count
            if count < 1 or total > MAX_SWEEP_TRIALS:
                message = f"count: the budget may grow to at most {MAX_SWEEP_TRIALS} trials"
                raise invalid("count", message)
            spec = parse_spec(sweep.spec)
            if not can_grow(spec):
                raise ConflictError(
                    f"sweep {sweep_id} runs a fixed set of trials ("
                    + ("its grid" if spec.space else "its param sets")
                    + "): every one is already in its budget",
                    detail={"sweep_id": sweep_id},
                )
            status = SweepStatus.RUNNING if sweep.status == SweepStatus.COMPLETED else None
            sweep = self.store.update_sweep(sweep_id, trials=total, status=status)
        self.wake()
        return sweep

    def search_count(self) -> int:
        """How many sweeps' studies this controller holds in memory (the running ones it
        has seen)."""
        return len(self._runs)

    # -- the tick -----------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """One step of every running sweep (see the module docstring). Nothing while the
        scheduler stands by for another server: the lease holder runs the sweeps."""
        if not self.scheduler.active:
            self._runs.clear()  # rebuilt from the rows once this server runs them again
            return
        with self.lock:
            self._pruning = False
            running = self.store.list_sweep_ids(SweepStatus.RUNNING)
            for gone in set(self._runs) - set(running):  # stopped or failed elsewhere
                del self._runs[gone]
            for sweep_id in running:
                self._settled.discard(sweep_id)
                try:
                    self._step(self.store.get_sweep(sweep_id))
                    self._errors.pop(sweep_id, None)
                except Exception as exc:  # one sweep's trouble never stops the others
                    if self._gone(sweep_id):
                        continue
                    logger.exception("sweep %s: a step failed", sweep_id)
                    self._step_failed(sweep_id, exc)
            self._settle_ended()

    def _gone(self, sweep_id: str) -> bool:
        """Whether the sweep was deleted (with its project) meanwhile: forgotten if so."""
        try:
            self.store.get_sweep(sweep_id)
        except NotFoundError:
            self._runs.pop(sweep_id, None)
            self._errors.pop(sweep_id, None)
            return True
        except Exception:  # the database itself may be the trouble: a failed step
            return False
        return False

    def _settle_ended(self) -> None:
        """Record the trials of stopped and failed sweeps whose jobs could not be cancelled
        (they ended meanwhile, or run on another server): each from its job's outcome."""
        for status in (SweepStatus.STOPPED, SweepStatus.FAILED):
            for sweep_id in self.store.list_sweep_ids(status):
                if sweep_id in self._settled:
                    continue
                try:
                    if self._settle(sweep_id):
                        self._settled.add(sweep_id)
                except Exception:  # one sweep's trouble never stops the others
                    logger.exception("sweep %s: its ended trials could not be recorded", sweep_id)
                    count = self._errors.get(sweep_id, 0) + 1
                    self._errors[sweep_id] = count
                    if count >= FAILED_STEPS:  # not tried again (nor logged) every tick
                        del self._errors[sweep_id]
                        self._settled.add(sweep_id)

    def _settle(self, sweep_id: str) -> bool:
        """Record the ended jobs of a sweep that no longer runs; whether none is left."""
        active = [t for t in self.store.list_trials(sweep_id) if t.state == TrialState.RUNNING]
        if not active:
            return True
        jobs = {job.id: job for job in self.store.get_jobs([t.job_id for t in active if t.job_id])}
        spec = parse_spec(self.store.get_sweep(sweep_id).spec)
        left = 0
        values: list[float] | None
        error: str | None
        for trial in active:
            job = jobs.get(trial.job_id or "")
            if job is not None and job.status not in FINAL_STATUSES:
                left += 1
                continue
            if job is None:
                state, values, error = TrialState.FAILED, None, "its job was deleted"
            else:
                state, values, error = _outcome(spec, trial, job)
            self.store.finish_trial(sweep_id, trial.number, state=state, values=values, error=error)
            logger.info(
                "sweep %s: trial %s of the ended sweep is %s", sweep_id, trial.number, state
            )
        return left == 0

    def _step_failed(self, sweep_id: str, exc: Exception) -> None:
        """Rebuild the sweep's study from the rows at the next tick; fail the sweep with
        the error once its steps failed :data:`FAILED_STEPS` times in a row."""
        self._runs.pop(sweep_id, None)
        count = self._errors.get(sweep_id, 0) + 1
        self._errors[sweep_id] = count
        if count >= FAILED_STEPS:
            del self._errors[sweep_id]
            message = f"the controller failed {count} times in a row: {exc}"
            with contextlib.suppress(Exception):  # the database itself may be the trouble
                self._fail(sweep_id, "controller_failed", message)

    def _step(self, sweep: Sweep) -> None:
        run = self._run(sweep)
        if run is None:
            return
        trials = self.store.list_trials(sweep.id)
        ended = self._ended_count
        self._sync(sweep, run, trials)
        if self._ended_count != ended:  # read again only when a trial ended
            trials = self.store.list_trials(sweep.id)
        if self._failing(sweep, run, trials):
            return
        running = sum(1 for trial in trials if trial.state == TrialState.RUNNING)
        total = len(trials)
        while running < sweep.parallel and total < sweep.trials:
            if not self._submit(sweep, run, total):
                return
            running += 1
            total += 1
        if running == 0 and total >= sweep.trials:
            if not any(trial.state == TrialState.COMPLETE for trial in trials):
                reason = _common_reason(trials)
                message = f"none of its {total} trials completed" + (
                    f"; most often: {reason}" if reason else ""
                )
                self._fail(sweep.id, "trials_failed", message)
                return
            self.store.update_sweep(sweep.id, status=SweepStatus.COMPLETED)
            self._runs.pop(sweep.id, None)
            logger.info("sweep %s completed: %d trials", sweep.id, total)

    def _run(self, sweep: Sweep) -> _Run | None:
        """The sweep's run, its study rebuilt from the store at first sight; a study that
        cannot be built fails the sweep with the reason."""
        run = self._runs.get(sweep.id)
        if run is not None:
            return run
        try:
            spec = parse_spec(sweep.spec)
            trials = self.store.list_trials(sweep.id)
            curves = self._curves(spec, trials)
            search = Search(spec, trials, curves, name=sweep.id, study_attrs=sweep.system_attrs)
        except AtlasError as exc:
            self._fail(sweep.id, "sampler_failed", exc.message)
            return None
        except Exception as exc:
            logger.exception("sweep %s: its study could not be built", sweep.id)
            self._fail(sweep.id, "sampler_failed", f"the study could not be built: {exc}")
            return None
        run = _Run(spec=spec, search=search)
        for trial in trials:  # what a running trial reported before is not reported again
            curve = curves.get(trial.number)
            if trial.state == TrialState.RUNNING and curve:
                run.reported[trial.number] = max(curve)
        self._runs[sweep.id] = run
        return run

    def _curves(self, spec: SweepSpec, trials: list[Trial]) -> dict[int, dict[int, float]]:
        """The pruner's history when a study is rebuilt: each trial's points of the
        objective's metric by step (none without a pruner: the samplers do not use them)."""
        if spec.pruner.name == "none":
            return {}
        metric = spec.objectives[0].metric
        curves: dict[int, dict[int, float]] = {}
        for trial in trials:
            if trial.job_id is None or trial.state == TrialState.FAILED:
                continue
            try:
                series = self.store.read_series(trial.job_id, metric)
            except NotFoundError:  # its job was deleted, or it never logged the metric
                continue
            curves[trial.number] = {
                step: value
                for step, value in zip(series.steps, series.values, strict=True)
                if math.isfinite(value)
            }
        return curves

    # -- trials that ended or report ----------------------------------------------------
    def _sync(self, sweep: Sweep, run: _Run, trials: list[Trial]) -> None:
        active = [trial for trial in trials if trial.state == TrialState.RUNNING]
        if not active:
            return
        self._pruning = self._pruning or run.spec.pruner.name != "none"
        jobs = {job.id: job for job in self.store.get_jobs([t.job_id for t in active if t.job_id])}
        for trial in active:
            job = jobs.get(trial.job_id or "")
            if job is None:
                self._finish(sweep, run, trial, TrialState.FAILED, error="its job was deleted")
            elif job.status in FINAL_STATUSES:
                self._ended(sweep, run, trial, job)
            elif job.status == JobStatus.RUNNING and run.spec.pruner.name != "none":
                self._watch(sweep, run, trial, job)

    def _ended(self, sweep: Sweep, run: _Run, trial: Trial, job: Job) -> None:
        if job.status == JobStatus.COMPLETED and run.spec.pruner.name != "none":
            self._report_new(run, trial, job)  # its curve, for the pruner to judge later trials
        state, values, error = _outcome(run.spec, trial, job)
        self._finish(sweep, run, trial, state, values=values, error=error)

    def _watch(self, sweep: Sweep, run: _Run, trial: Trial, job: Job) -> None:
        """Report the running trial's new points of the objective metric; stop it when the
        pruner says so."""
        step = self._report_new(run, trial, job)
        if step is not None and run.search.should_prune(trial.number):
            self._prune(sweep, run, trial, job, step)
        elif step is not None:  # the pruner may have recorded a rung it passed
            self._save_attrs(sweep, run, trial.number)

    def _report_new(self, run: _Run, trial: Trial, job: Job) -> int | None:
        """Report the trial's points of the objective's metric not reported yet; return the
        last step reported now (``None``: nothing new). A step logged twice counts once, its
        later value (Optuna takes one value per step)."""
        metric = run.spec.objectives[0].metric
        last = run.reported.get(trial.number)
        summary = job.metrics.get(metric)
        if summary is None or (last is not None and summary.last_step <= last):
            return None
        since = None if last is None else last + 1
        series = self.store.read_series(job.id, metric, min_step=since)
        points = dict(zip(series.steps, series.values, strict=True))
        for step, value in points.items():
            if math.isfinite(value):
                run.search.report(trial.number, value, step)
        if not points:
            return None
        run.reported[trial.number] = max(points)
        return max(points)

    def _prune(self, sweep: Sweep, run: _Run, trial: Trial, job: Job, step: int) -> None:
        message = f"pruned by the {run.spec.pruner.name} pruner at step {step}"
        try:
            self.scheduler.cancel(job.id)
            self.store.update_job(job.id, error=JobError(type="pruned", message=message))
        except AtlasError as exc:  # it ended meanwhile: the next tick records how
            logger.info("sweep %s: trial %s not pruned: %s", sweep.id, trial.number, exc)
            return
        self._finish(sweep, run, trial, TrialState.PRUNED, pruned_step=step)
        logger.info("sweep %s: trial %s %s", sweep.id, trial.number, message)

    def _finish(
        self,
        sweep: Sweep,
        run: _Run,
        trial: Trial,
        state: TrialState,
        *,
        values: list[float] | None = None,
        pruned_step: int | None = None,
        error: str | None = None,
    ) -> None:
        self.store.finish_trial(
            sweep.id, trial.number, state=state, values=values, pruned_step=pruned_step,
            error=error,
        )  # fmt: skip
        self._ended_count += 1
        run.reported.pop(trial.number, None)
        run.search.tell(trial.number, state, values)
        self._save_attrs(sweep, run, trial.number)

    def _save_attrs(self, sweep: Sweep, run: _Run, number: int) -> None:
        """Store the trial's and the study's Optuna system attributes when they changed,
        for the study rebuilt from the rows to go on as this one."""
        changed = run.search.changed_attrs(number)
        if changed is not None:
            trial_attrs, study_attrs = changed
            self.store.save_system_attrs(
                sweep.id, number, trial_attrs=trial_attrs, study_attrs=study_attrs
            )

    def _failing(self, sweep: Sweep, run: _Run, trials: list[Trial]) -> bool:
        """Fail the sweep when :data:`MISSING_METRIC_TRIALS` trials failed while none
        completed nor was pruned (see there)."""
        if any(trial.state in (TrialState.COMPLETE, TrialState.PRUNED) for trial in trials):
            return False
        failed = [t for t in trials if t.state == TrialState.FAILED and _counts_as_failed(t)]
        if len(failed) < MISSING_METRIC_TRIALS:
            return False
        if all(trial.job_status == JobStatus.COMPLETED for trial in failed):
            metrics = ", ".join(objective.metric for objective in run.spec.objectives)
            message = (
                f"no trial logged metric {metrics}: the first {len(failed)} trials ended "
                f"without it (log it with atlas.log_metric({run.spec.objectives[0].metric!r}, "
                "value))"
            )
            self._fail(sweep.id, "objective_missing", message)
            return True
        message = f"its first {len(failed)} trials failed, none completed; most often: " + (
            _common_reason(failed) or "no reason recorded"
        )
        self._fail(sweep.id, "trials_failed", message)
        return True

    # -- new trials ---------------------------------------------------------------------
    def _submit(self, sweep: Sweep, run: _Run, number: int) -> bool:
        """Ask the study for trial ``number`` and submit its job; a sampler or a submission
        that fails fails the sweep with the reason."""
        try:
            asked, params = run.search.ask()
        except Exception as exc:
            logger.exception("sweep %s: the sampler failed", sweep.id)
            self._fail(
                sweep.id, "sampler_failed", f"the {run.spec.sampler.name} sampler failed: {exc}"
            )
            return False
        spec = self._job_spec(sweep, run.spec, number, params)
        try:
            job = self.scheduler.submit(spec)
        except AtlasError as exc:
            run.search.tell(asked, TrialState.FAILED)
            self._fail(
                sweep.id, "submit_failed", f"trial {number} could not be queued: {exc.message}"
            )
            return False
        logger.debug("sweep %s: trial %s is job %s", sweep.id, number, job.id)
        if asked != number:  # the study and the rows disagree: rebuild from the rows
            logger.warning("sweep %s: study trial %s is row %s", sweep.id, asked, number)
            self._runs.pop(sweep.id, None)
        else:
            self._save_attrs(sweep, run, number)
        return True

    def _job_spec(
        self, sweep: Sweep, spec: SweepSpec, number: int, params: Mapping[str, ParamValue]
    ) -> JobSpec:
        resources: dict[str, object] = dict(spec.resources)
        if spec.labels:
            resources["labels"] = dict(spec.labels)
        suffix = f"-{number}"  # a long sweep name is shortened to keep the job name valid
        return JobSpec(
            project=sweep.project,
            kind=JobKind.SWEEP_TRIAL,
            command=shlex.join(spec.command),
            name=(sweep.name or sweep.id)[: MAX_JOB_NAME_LENGTH - len(suffix)] + suffix,
            user=sweep.user,
            params=params,
            tags=dict(spec.tags),
            resources=resources,
            snapshot=sweep.snapshot,
            timeout=spec.timeout,
            image=spec.image,
            sweep_id=sweep.id,
        )

    # -- ending -------------------------------------------------------------------------
    def _fail(self, sweep_id: str, code: str, message: str) -> None:
        logger.warning("sweep %s failed: %s", sweep_id, message)
        self.store.update_sweep(
            sweep_id, status=SweepStatus.FAILED, error=SweepError(code=code, message=message)
        )
        self._end_running(sweep_id, f"the sweep failed: {message}")
        self._runs.pop(sweep_id, None)

    def _end_running(self, sweep_id: str, reason: str) -> None:
        """Cancel the sweep's running trials' jobs and record each one cancelled failed with
        ``reason``. A job that cannot be cancelled (it ended meanwhile, or runs where this
        server cannot reach it) leaves its trial running: a later tick records its real
        outcome (:meth:`_settle_ended`)."""
        for trial in self.store.list_trials(sweep_id):
            if trial.state != TrialState.RUNNING:
                continue
            if trial.job_id is not None:
                try:
                    self.scheduler.cancel(trial.job_id)
                except AtlasError as exc:
                    logger.info(
                        "sweep %s: trial %s not cancelled (%s): recorded when its job ends",
                        sweep_id, trial.number, exc.message,
                    )  # fmt: skip
                    continue
            self.store.finish_trial(sweep_id, trial.number, state=TrialState.FAILED, error=reason)

    # -- the thread ---------------------------------------------------------------------
    def wake(self, _job_id: str | None = None) -> None:
        """Make the thread tick now (a scheduler ``ended`` callback: a trial may have
        ended)."""
        self._wake.set()

    def start(self) -> None:
        """Start the background thread (after the scheduler's start)."""
        self._stopping.clear()
        self.scheduler.ended.append(self.wake)
        self._thread = threading.Thread(target=self._loop, name="atlas-sweeps", daemon=True)
        self._thread.start()

    def stop_thread(self, *, timeout: float = 10.0) -> None:
        """Stop the background thread (before the scheduler's stop); trials go on running,
        and the next start takes the sweeps up from the store."""
        self._stopping.set()
        self._wake.set()
        if self.wake in self.scheduler.ended:
            self.scheduler.ended.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while self._ready is not None and not self._ready.wait(0.1):
            if self._stopping.is_set():
                return
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.tick(self.clock())
            except Exception:
                logger.exception("a sweep controller tick failed; trying again")
            self._wake.wait(PRUNING_INTERVAL if self._pruning else self.interval)


def _outcome(
    spec: SweepSpec, trial: Trial, job: Job
) -> tuple[TrialState, list[float] | None, str | None]:
    """How a trial whose job ended went: ``complete`` with its objective values read from
    the job's metric summaries, else ``failed`` with the reason."""
    if job.status != JobStatus.COMPLETED:
        reason = job.error.message if job.error is not None else ""
        why = f"its job {job.id} ended {job.status}" + (f": {reason}" if reason else "")
        return TrialState.FAILED, None, why
    values: list[float] = []
    for objective in spec.objectives:
        summary = job.metrics.get(objective.metric)
        if summary is None:
            return (
                TrialState.FAILED,
                None,
                f"trial {trial.number} logged no metric {objective.metric}",
            )
        value = {"last": summary.last, "min": summary.min, "max": summary.max}[objective.summary]
        if not math.isfinite(value):
            error = f"trial {trial.number}: metric {objective.metric} is {value}"
            return TrialState.FAILED, None, error
        values.append(value)
    return TrialState.COMPLETE, values, None


def _counts_as_failed(trial: Trial) -> bool:
    """Whether a failed trial counts against its sweep: not when its job was cancelled (the
    sweep was stopped, or a user cancelled the job)."""
    return trial.job_status != JobStatus.CANCELLED


_IDS = re.compile(r"\b(job [0-9a-z]{16}|trial \d+)\b")


def _common_reason(trials: list[Trial]) -> str | None:
    """The most common reason among ``trials``' errors, their job ids and numbers left out
    (so that one reason of many trials counts once)."""
    reasons = Counter(
        _IDS.sub(lambda match: match.group(1).split()[0], trial.error)
        for trial in trials
        if trial.state == TrialState.FAILED and trial.error and _counts_as_failed(trial)
    )
    if not reasons:
        return None
    reason, count = reasons.most_common(1)[0]
    return f"{reason} ({count} of {sum(reasons.values())})"
