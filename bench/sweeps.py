"""Hyperparameter sweeps end to end through a real ``atlas server`` (``ATLAS_CPUS=4``), each
trial a job running a script of ``bench/peers/sweep_trial/`` (the sweep's one snapshot).

Sweeps are created as ``atlas.sweep`` creates them: the trial folder's snapshot uploaded
unless stored (``PUT /api/v1/snapshots/<sha256>``), then ``POST /api/v1/sweeps``; their state
is read with ``GET /api/v1/sweeps/<id>`` and ``/trials``. No Atlas server code is imported.

Three results:

- ``sweeps_overhead``: 200 trials of a 0.1 s objective (sleep, then log Branin of ``x1`` and
  ``x2``), TPE seed 0, 4 at once; wall time from just before the snapshot to the sweep's end
  as the server recorded it (``finished_at``). The ideal is 200 x 0.1 s / 4 plus one trial's
  start-up, measured in the same repetition as a 1-trial sweep's wall time less its 0.1 s.
  The peer, alternating with ours: Ray Tune with ``OptunaSearch`` (TPE, seed 0) on the same
  objective as a function trainable, ``max_concurrent_trials=4`` on ``ray.init(num_cpus=4)``
  (bench/peers/ray_tune.py in its own venv); its wall time is ``Tuner(...).fit()``'s.
- ``sweeps_quality``: 100 trials of Branin, TPE seed 0, one at a time, against Optuna run in
  this process with ``TPESampler(seed=0)``, the same space suggested in the same order: the
  best values must be equal (within 1e-9). Both sides are deterministic: one repetition.
- ``sweeps_pruning``: 40 trials (random sampler, seed 0) of a 20-step learning curve with the
  median pruner against the same sweep without a pruner: the share of trial steps saved (the
  steps each trial ran, as it counted them) and whether the best trial is the same.
"""

from __future__ import annotations

import compileall
import contextlib
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import psutil

from atlas.sdk.client import Client
from atlas.sdk.snapshot import build_snapshot
from bench.peer import PEERS_ROOT, peer_venv
from bench.ray_peer import RAY_ENV, tree
from bench.result import PeerFigure, Result
from bench.server import AtlasServer
from bench.stats import Stats
from bench.trial import Context, Sample, alternate, progress, stats
from bench.worker import PEERS_DIR, BenchError, Worker

NAME = "sweeps"
PROJECT = "bench-sweeps"
SLOTS = 4
TRIAL_CODE = PEERS_DIR / "sweep_trial"
SPACE = {
    "x1": {"type": "float", "low": -5.0, "high": 10.0},
    "x2": {"type": "float", "low": 0.0, "high": 15.0},
}
CURVE_SPACE = {
    "x": {"type": "float", "low": 0.0, "high": 1.0},
    "y": {"type": "float", "low": 0.0, "high": 1.0},
}
SEED = 0
OVERHEAD_TRIALS = 200
OVERHEAD_PARALLEL = 4
OBJECTIVE_S = 0.1
OVERHEAD_REPETITIONS = 3
"""A repetition takes 1-2 minutes (ours and Ray Tune's): 3 of them, not 5, keep the
whole benchmark within 15 minutes; the other two results are deterministic or nearly so."""
WARMUP_TRIALS = 20
TARGET_IDEAL_RATIO = 1.5
TARGET_PEER_RATIO = 3.0
QUALITY_TRIALS = 100
QUALITY_TOLERANCE = 1e-9
PRUNING_TRIALS = 40
PRUNING_PARALLEL = 4
PRUNING_STEPS = 20
PRUNING_STEP_S = 0.2
PRUNING_REPETITIONS = 3
TARGET_SAVED = 40.0
SWEEP_DEADLINE_S = 900.0
POLL_S = 0.25
TUNE_REQUIREMENTS = ["ray[tune]", "optuna"]
TUNE_PROBE = (
    "import ray, optuna; from ray.tune.search.optuna import OptunaSearch; "
    "print(ray.__version__, optuna.__version__)"
)


def run(context: Context) -> Iterator[Result]:
    """Overhead beside Ray Tune, quality beside Optuna in process, then pruning."""
    optuna = _optuna()
    python, versions = peer_venv(
        PEERS_ROOT / "ray-tune", TUNE_REQUIREMENTS, probe=TUNE_PROBE, env=RAY_ENV
    )
    _compile_atlas()
    with context.workdir(NAME) as work:
        code = shutil.copytree(
            TRIAL_CODE, work / "code", ignore=shutil.ignore_patterns("__pycache__")
        )
        with (
            AtlasServer(work / "atlas", settings={"ATLAS_CPUS": str(SLOTS)}) as server,
            _AtlasSweeps(server.url, code, server.pid) as ours,
        ):
            with _TunePeer(python, work) as peer:
                ray_version, optuna_version = versions.split()
                yield _overhead(context, ours, peer, f"{ray_version} (optuna {optuna_version})")
            yield _quality(ours, optuna)
            yield _pruning(context, ours, optuna, work / "steps")


def _optuna() -> ModuleType:
    """Optuna as the server has it (the same venv), for the in-process side of quality."""
    try:
        import optuna
    except ImportError as exc:
        raise BenchError("the sweeps benchmark needs Optuna: pip install -e '.[dev]'") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _compile_atlas() -> None:
    """Byte-compile the ``atlas`` package as ``pip install`` does. Every trial is a new Python
    process importing the SDK; from a checkout on a machine with ``PYTHONDONTWRITEBYTECODE``
    set (this one), each would compile the SDK's modules from source again (about 80 ms of
    CPU a trial): a cost no installed Atlas has."""
    import atlas

    compileall.compile_dir(Path(atlas.__file__).parent, quiet=1)


class _AtlasSweeps:
    """Our side: sweeps through the REST API, the snapshot uploaded as ``atlas.sweep`` does."""

    def __init__(self, url: str, code: Path, server_pid: int) -> None:
        self.client = Client(url, "", timeout=60)
        self.http = httpx.Client(base_url=f"{url}/api/v1", timeout=60)
        self.code = code
        self.server = psutil.Process(server_pid)

    def __enter__(self) -> _AtlasSweeps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.client.close()

    def create(self, spec: dict[str, Any]) -> tuple[str, float]:
        """Create a sweep; answer its id and the wall clock just before its snapshot."""
        started = time.time()
        snapshot = build_snapshot(self.code, limit_bytes=None)
        try:
            if not self.client.has_snapshot(snapshot.sha256):
                self.client.upload_snapshot(snapshot.sha256, snapshot.path)
        finally:
            snapshot.path.unlink(missing_ok=True)
        body = {"project": PROJECT, "snapshot": snapshot.sha256, "spec": spec}
        created = _json(self.http.post("/sweeps", json=body), 201, "POST /sweeps")
        return str(created["id"]), started

    def wait(self, sweep_id: str) -> dict[str, Any]:
        """The sweep once it has ended; BenchError unless it completed."""
        deadline = time.monotonic() + SWEEP_DEADLINE_S
        while time.monotonic() < deadline:
            sweep = _json(self.http.get(f"/sweeps/{sweep_id}"), 200, "GET /sweeps/ID")
            if sweep["status"] != "running":
                if sweep["status"] != "completed":
                    raise BenchError(f"sweep {sweep_id} ended {sweep['status']}: {sweep['error']}")
                return sweep
            time.sleep(POLL_S)
        raise BenchError(f"sweep {sweep_id} did not end within {SWEEP_DEADLINE_S:g} s")

    def run(self, spec: dict[str, Any]) -> tuple[dict[str, Any], float]:
        """Create the sweep and wait for it; answer it and its wall time in seconds."""
        sweep_id, started = self.create(spec)
        sweep = self.wait(sweep_id)
        return sweep, _timestamp(sweep["finished_at"]) - started

    def trials(self, sweep_id: str) -> list[dict[str, Any]]:
        answer = _json(self.http.get(f"/sweeps/{sweep_id}/trials"), 200, "GET trials")
        return sorted(answer["items"], key=lambda trial: int(trial["number"]))


class _TunePeer(Worker):
    """bench/peers/ray_tune.py with a short temporary folder of its own for Ray (its unix
    sockets' paths are limited to 107 bytes), removed at the end with every process Ray
    started that is still there."""

    def __init__(self, python: Path, work: Path) -> None:
        self.temp = tempfile.mkdtemp(prefix="rt-", dir="/tmp")
        super().__init__(
            python,
            "ray_tune.py",
            [str(work / "tune-results"), self.temp],
            log_path=work / "ray-tune.log",
            env=RAY_ENV,
        )

    def __enter__(self) -> _TunePeer:
        try:
            super().__enter__()
        except BaseException:
            self.close()  # Ray may have started processes before set-up failed
            raise
        return self

    def close(self) -> None:
        family = tree(self.pid) if self._process is not None else []
        super().close()
        _, alive = psutil.wait_procs(family, timeout=10)
        for leftover in alive:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        shutil.rmtree(self.temp, ignore_errors=True)


def _branin_spec(trials: int, parallel: int, sleep_s: float) -> dict[str, Any]:
    return {
        "name": f"branin-{trials}x{parallel}",
        "command": ["python", "branin.py", f"{sleep_s:g}"],
        "objective": {"metric": "value", "direction": "minimize", "summary": "last"},
        "sampler": {"name": "tpe", "seed": SEED},
        "trials": trials,
        "parallel": parallel,
        "space": SPACE,
        "resources": {"cpus": 1},
    }


def _overhead_once(ours: _AtlasSweeps, trials: int) -> Sample:
    _, single = ours.run(_branin_spec(1, 1, OBJECTIVE_S))
    before = ours.server.cpu_times()
    sweep, wall = ours.run(_branin_spec(trials, OVERHEAD_PARALLEL, OBJECTIVE_S))
    after = ours.server.cpu_times()
    counts = sweep["counts"]
    if counts["complete"] != trials:
        raise BenchError(f"atlas sweep {sweep['id']}: {counts} of {trials} trials")
    startup = single - OBJECTIVE_S
    ideal = trials * OBJECTIVE_S / OVERHEAD_PARALLEL + startup
    # The server's own CPU, and that of the processes it started and reaped (each trial's
    # launcher, which reaps the trial's command): what a trial costs, whatever else runs.
    server_s = after.user + after.system - before.user - before.system
    jobs_s = (
        after.children_user + after.children_system - before.children_user - before.children_system
    )
    return {
        "value": wall,
        "startup": startup,
        "ideal": ideal,
        "over_ideal": wall / ideal,
        "server_ms": 1000 * server_s / trials,
        "jobs_ms": 1000 * jobs_s / trials,
    }


def _tune_once(peer: Worker, trials: int) -> Sample:
    answer = peer.call("sweep", trials=trials, parallel=OVERHEAD_PARALLEL, sleep_s=OBJECTIVE_S)
    if answer["completed"] != trials:
        raise BenchError(f"ray tune: {answer['completed']} of {trials} trials completed")
    return {"value": answer["wall_s"], "best": answer["best"]}


def _overhead(context: Context, ours: _AtlasSweeps, peer: Worker, version: str) -> Result:
    label = f"{NAME}_overhead"
    for _ in range(context.warmup):
        _overhead_once(ours, WARMUP_TRIALS)
        _tune_once(peer, WARMUP_TRIALS)
    repetitions = min(context.repetitions, OVERHEAD_REPETITIONS)
    mine, theirs = alternate(
        label,
        lambda: _overhead_once(ours, OVERHEAD_TRIALS),
        lambda: _tune_once(peer, OVERHEAD_TRIALS),
        repetitions=repetitions,
        warmup=0,
    )
    atlas, tune = stats(mine), stats(theirs)
    over_ideal = _median(mine, "over_ideal")
    faster = tune.median / atlas.median
    return Result(
        name=label,
        unit="s",
        ours=atlas,
        peer=PeerFigure("ray-tune", version, tune),
        target=(
            f"<= {TARGET_IDEAL_RATIO:g}x the ideal ({OVERHEAD_TRIALS} x {OBJECTIVE_S:g} s / "
            f"{OVERHEAD_PARALLEL} + one trial's start-up) and >= {TARGET_PEER_RATIO:g}x faster "
            "than Ray Tune"
        ),
        meets_target=over_ideal <= TARGET_IDEAL_RATIO and faster >= TARGET_PEER_RATIO,
        note=(
            f"{OVERHEAD_TRIALS} trials of a {OBJECTIVE_S:g} s objective (sleep, then Branin of "
            f"x1, x2), TPE seed {SEED}, {OVERHEAD_PARALLEL} at once. atlas: a real atlas "
            f"server (SQLite, ATLAS_CPUS={SLOTS}), each trial a job `python branin.py` that "
            f"logs the metric with atlas.log_metric (the atlas package byte-compiled first, "
            f"as pip install does); from just before the snapshot to the "
            f"sweep's finished_at. One trial's start-up (a 1-trial sweep's wall time less "
            f"{OBJECTIVE_S:g} s, same repetition): {_median(mine, 'startup'):.3g} s, so the "
            f"ideal is {_median(mine, 'ideal'):.3g} s and atlas took {over_ideal:.3g}x it "
            f"(median; {_span(mine, 'over_ideal')}). CPU a trial (psutil, medians): "
            f"{_median(mine, 'server_ms'):.0f} ms in the server, "
            f"{_median(mine, 'jobs_ms'):.0f} ms in its launcher and `python branin.py`; "
            f"on {os.cpu_count()} cores the {OVERHEAD_TRIALS} trials need at least "
            f"{_cpu_floor(mine, OVERHEAD_TRIALS):.0f} s. ray tune: Tuner.fit() of a function "
            f"trainable (sleep, tune.report) with OptunaSearch(seed={SEED}), "
            f"max_concurrent_trials={OVERHEAD_PARALLEL}, reuse_actors=True (Tune's faster "
            f"setting for short trials), ray.init(num_cpus={SLOTS}) done beforehand as the "
            f"server is started beforehand. {repetitions} repetitions (each over a "
            f"minute), alternating, after a {WARMUP_TRIALS}-trial warm-up on each side"
        ),
    )


def _quality(ours: _AtlasSweeps, optuna: ModuleType) -> Result:
    label = f"{NAME}_quality"
    sweep, wall = ours.run(_branin_spec(QUALITY_TRIALS, 1, 0.0))
    trials = ours.trials(sweep["id"])
    values = [float(t["values"][0]) for t in trials if t["state"] == "complete"]
    if len(values) != QUALITY_TRIALS:
        raise BenchError(f"atlas sweep {sweep['id']}: {len(values)} of {QUALITY_TRIALS} trials")
    reference = _optuna_branin(optuna)
    best, peer_best = min(values), min(reference)
    same = sum(
        math.isclose(a, b, rel_tol=0, abs_tol=QUALITY_TOLERANCE)
        for a, b in zip(values, reference, strict=True)
    )
    progress(label, f"atlas best {best!r}, optuna best {peer_best!r}, {same} trials alike")
    return Result(
        name=label,
        unit="branin",
        ours=Stats.of([best]),
        peer=PeerFigure("optuna (in process)", str(optuna.__version__), Stats.of([peer_best])),
        target=f"best value equal to Optuna's in process within {QUALITY_TOLERANCE:g}",
        meets_target=abs(best - peer_best) <= QUALITY_TOLERANCE,
        note=(
            f"best Branin value (minimum 0.397887) after {QUALITY_TRIALS} trials, TPE seed "
            f"{SEED}, one at a time. atlas: a sweep through a real atlas server, each trial a "
            f"job computing Branin and logging it; optuna: TPESampler(seed={SEED}) in this "
            f"process, suggesting x1 then x2 over the same ranges. {same} of {QUALITY_TRIALS} "
            f"trials had the same value on both sides, trial by trial (best: atlas {best!r}, "
            f"optuna {peer_best!r}). One repetition: both "
            f"sides are deterministic. The atlas sweep took {wall:.0f} s"
        ),
    )


def _optuna_branin(optuna: ModuleType) -> list[float]:
    """The values of ``QUALITY_TRIALS`` trials of Optuna's TPE in process, by number."""
    from bench.peers.sweep_trial.branin import branin

    def objective(trial: Any) -> float:
        x1 = trial.suggest_float("x1", SPACE["x1"]["low"], SPACE["x1"]["high"])
        return branin(x1, trial.suggest_float("x2", SPACE["x2"]["low"], SPACE["x2"]["high"]))

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=SEED))
    study.optimize(objective, n_trials=QUALITY_TRIALS)
    return [float(trial.value) for trial in study.trials]


def _cpu_floor(samples: list[Sample], trials: int) -> float:
    """The shortest wall time the trials' CPU allows on this machine's cores, in seconds."""
    per_trial_ms = _median(samples, "server_ms") + _median(samples, "jobs_ms")
    return trials * per_trial_ms / 1000 / (os.cpu_count() or 1)


def _json(answer: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if answer.status_code != status:
        raise BenchError(f"{what} answered {answer.status_code}: {answer.text[:2000]}")
    body: dict[str, Any] = answer.json()
    return body


def _timestamp(text: str) -> float:
    """Seconds since the epoch of the server's ISO time (UTC when it names no zone)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _median(samples: list[Sample], key: str) -> float:
    return Stats.of([s[key] for s in samples]).median


def _span(samples: list[Sample], key: str) -> str:
    return f"{min(s[key] for s in samples):.3g}-{max(s[key] for s in samples):.3g}"


def _curve_spec(pruner: str, steps_dir: Path) -> dict[str, Any]:
    steps = [str(steps_dir), str(PRUNING_STEPS), f"{PRUNING_STEP_S:g}"]
    return {
        "name": f"curve-{pruner}",
        "command": ["python", "curve.py", *steps],
        "objective": {"metric": "loss", "direction": "minimize", "summary": "last"},
        "sampler": {"name": "random", "seed": SEED},
        "pruner": pruner,
        "trials": PRUNING_TRIALS,
        "parallel": PRUNING_PARALLEL,
        "space": CURVE_SPACE,
        "resources": {"cpus": 1},
    }


def _curve_sweep(ours: _AtlasSweeps, pruner: str, steps_dir: Path) -> dict[str, Any]:
    """Run one learning-curve sweep; answer the steps its trials ran (as they counted them),
    the steps they would have run had each stopped at its pruning decision, the pruned
    trials and the best trial."""
    steps_dir.mkdir(parents=True)
    sweep, wall = ours.run(_curve_spec(pruner, steps_dir))
    trials = ours.trials(sweep["id"])
    failed = [t for t in trials if t["state"] not in ("complete", "pruned")]
    if failed or len(trials) != PRUNING_TRIALS or not sweep["best"]:
        raise BenchError(f"sweep {sweep['id']}: {len(trials)} trials, not all ended well: {failed}")
    best = sweep["best"][0]
    return {
        "steps": sum(_counted(steps_dir / str(t["job_id"])) for t in trials),
        "decided": sum(int(t["pruned_step"] or PRUNING_STEPS) for t in trials),
        "pruned": sum(t["state"] == "pruned" for t in trials),
        "params": best["params"],
        "value": float(best["values"][0]),
        "wall": wall,
    }


def _counted(path: Path) -> int:
    return len(path.read_text(encoding="ascii").split()) if path.exists() else 0


def _pruning(context: Context, ours: _AtlasSweeps, optuna: ModuleType, steps: Path) -> Result:
    label = f"{NAME}_pruning"
    reference = _curve_sweep(ours, "none", steps / "none")
    progress(label, f"no pruner: {reference['steps']} steps, best {reference['params']}")
    repetitions = min(context.repetitions, PRUNING_REPETITIONS)
    samples: list[Sample] = []
    for index in range(repetitions):
        got = _curve_sweep(ours, "median", steps / f"median-{index}")
        same = got["params"] == reference["params"]
        samples.append(
            {
                "value": 100 * (1 - got["steps"] / reference["steps"]),
                "decided": 100 * (1 - got["decided"] / reference["steps"]),
                "pruned": got["pruned"],
                "same": float(same),
                "wall": got["wall"],
            }
        )
        progress(
            label,
            f"repetition {index + 1}/{repetitions}: {samples[-1]['value']:.1f}% steps saved, "
            f"{got['pruned']} pruned, best {'the same' if same else got['params']}",
        )
    saved = stats(samples)
    all_same = all(s["same"] for s in samples)
    return Result(
        name=label,
        unit="% steps saved",
        ours=saved,
        peer=None,
        target=f">= {TARGET_SAVED:g}% of trial steps saved, the same best trial found",
        meets_target=saved.median >= TARGET_SAVED and all_same,
        note=(
            f"{PRUNING_TRIALS} trials (random sampler seed {SEED}, so both sweeps try the "
            f"same params; {PRUNING_PARALLEL} at once) of a {PRUNING_STEPS}-step learning "
            f"curve loss_t = (x-0.3)^2 + (y-0.7)^2 + (0.5+x)/sqrt(t), one step every "
            f"{PRUNING_STEP_S:g} s, logged each step (SDK flush_interval 0.1 s), through a "
            f"real atlas server: the median pruner against no pruner ({reference['steps']} "
            f"steps, {reference['wall']:.0f} s). Steps are those the trials ran, counted by "
            f"the trials themselves, so steps run after the pruner's decision and before the "
            f"trial was stopped count as spent; had each pruned trial stopped at the step "
            f"its pruning was decided at, {_median(samples, 'decided'):.1f}% would have been "
            f"saved. {_median(samples, 'pruned'):.0f} trials pruned (median). Best trial "
            f"{'the same' if all_same else 'NOT the same'} in every repetition as without a "
            f"pruner ({_params(reference['params'])}, loss {reference['value']:.4f}). Optuna "
            f"in process, one trial at a time and no reporting delay, saves "
            f"{_in_process_saved(optuna):.1f}%. {repetitions} repetitions of the pruned sweep "
            f"(each about {_median(samples, 'wall'):.0f} s) against one unpruned sweep"
        ),
        higher_is_better=True,
    )


def _in_process_saved(optuna: ModuleType) -> float:
    """The share of steps the median pruner saves on the same curve and params in process."""
    from bench.peers.sweep_trial.curve import loss

    def ran(pruner: Any) -> int:
        count = 0

        def objective(trial: Any) -> float:
            nonlocal count
            x = trial.suggest_float("x", 0.0, 1.0)
            y = trial.suggest_float("y", 0.0, 1.0)
            for t in range(1, PRUNING_STEPS + 1):
                count += 1
                trial.report(loss(x, y, t), t)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return float(loss(x, y, PRUNING_STEPS))

        sampler = optuna.samplers.RandomSampler(seed=SEED)
        optuna.create_study(sampler=sampler, pruner=pruner).optimize(objective, PRUNING_TRIALS)
        return count

    return 100 * (1 - ran(optuna.pruners.MedianPruner()) / ran(optuna.pruners.NopPruner()))


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={float(value):.4f}" for key, value in params.items())
