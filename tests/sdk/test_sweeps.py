"""`atlas.sweep` and the `Sweep` handle: the spec the SDK shapes, and sweeps run by a real
server whose trials are real jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import atlas
from atlas.domain import JobKind, JobStatus, SweepStatus, TrialState
from atlas.errors import InvalidInputError, NotFoundError
from atlas.hpo.spec import parse_spec
from atlas.sdk.client import Client
from atlas.sdk.sweeps import sweep_spec
from tests.sdk.conftest import ServerProcess

# A trial: the objective is (x - 2)^2 + y, logged at three steps so a pruner could act.
TRIAL = """\
import sys
import time

import atlas

params = atlas.load_parameters()
x, y = float(params["x"]), float(params.get("y", 0))
if "--sleep" in sys.argv and params.get("y") == 0:
    time.sleep(60)
for step in range(3):
    atlas.log_metric("loss", (x - 2) ** 2 + y + 1 / (step + 1), step=step)
    atlas.log_metric("size", abs(x), step=step)
"""

# The old idiom: a loop over atlas.submit with random params.
LOOP = """\
import json
import random

import atlas

random.seed(7)
jobs = [atlas.submit("python trial.py", params={"x": random.uniform(0, 4)}) for _ in range(3)]
print(json.dumps([job.wait(timeout=60) for job in jobs]))
"""

DEADLINE_S = 90.0


def test_the_spec_is_what_the_server_reads() -> None:
    spec = sweep_spec(
        {
            "lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True},
            "layers": {"type": "int", "low": 1, "high": 8},
            "optimizer": {"type": "categorical", "choices": ("adam", "sgd")},
            "momentum": {"type": "float", "low": 0.0, "high": 0.99, "when": {"optimizer": "sgd"}},
        },
        command="train.py --epochs 3",
        objective="val_loss",
        summary="min",
        sampler="tpe",
        seed=3,
        pruner="median",
        trials=20,
        parallel=4,
        params=[{"lr": 0.01, "layers": 2, "optimizer": "adam"}],
        cpus=2,
        memory="512M",
        tags=["search"],
        timeout=60,
        name="lr-search",
    )
    assert spec["command"] == ["python", "train.py", "--epochs", "3"]
    assert spec["objective"] == {"metric": "val_loss", "direction": "minimize", "summary": "min"}
    assert spec["sampler"] == {"name": "tpe", "seed": 3}
    assert spec["resources"] == {"cpus": 2, "memory": 512 * 1024 * 1024}
    normal = parse_spec(json.loads(json.dumps(spec))).to_json()
    assert normal["trials"] == 20
    assert normal["parallel"] == 4
    assert normal["pruner"] == {"name": "median", "options": {}}
    assert normal["tags"] == {"search": ""}
    assert list(normal["space"]) == ["lr", "layers", "optimizer", "momentum"]  # type: ignore[call-overload]


def test_what_is_not_given_is_left_to_the_server() -> None:
    spec = sweep_spec(None, command=["python", "t.py"], objective="loss", params=[{"x": 1}])
    assert spec == {
        "command": ["python", "t.py"],
        "objective": {"metric": "loss", "direction": "minimize", "summary": "last"},
        "sampler": "tpe",
        "space": {},
        "params": [{"x": 1}],
    }
    assert parse_spec(spec).trials == 1  # without a space: one trial per param set


def test_several_objectives_take_one_direction_each() -> None:
    spec = sweep_spec(
        {"x": {"type": "float", "low": 0, "high": 1}},
        command="python t.py",
        objective=["loss", "size"],
        direction=["minimize", "maximize"],
    )
    assert [o["direction"] for o in spec["objective"]] == ["minimize", "maximize"]  # type: ignore[union-attr,index]
    assert parse_spec(spec).multi_objective
    with pytest.raises(InvalidInputError, match="2 objectives need 2 directions, not 3"):
        sweep_spec({}, command="t.py", objective=["a", "b"], direction=["minimize"] * 3)
    with pytest.raises(InvalidInputError, match="one objective takes one direction"):
        sweep_spec({}, command="t.py", objective="a", direction=["minimize"])


def test_shapes_the_server_could_not_read_are_refused_at_the_call() -> None:
    with pytest.raises(InvalidInputError, match="the space maps each parameter"):
        sweep_spec(["lr"], command="t.py", objective="a")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="params must be a list of param sets"):
        sweep_spec({}, command="t.py", objective="a", params={"x": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="command is empty"):
        sweep_spec({}, command="", objective="a")


def test_reaching_atlas_sweep_loads_no_optuna() -> None:
    code = (
        "import sys, json, atlas\n"
        "atlas.sweep, atlas.Sweep, atlas.get_sweep\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = set(json.loads(out))
    heavy = ["optuna", "scipy", "numpy", "sqlalchemy", "fastapi", "atlas.hpo", "atlas.server"]
    assert [name for name in heavy if name in loaded] == []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the module's sweeps (a start costs a second or two)."""
    with ServerProcess(tmp_path_factory.mktemp("server-home")) as process:
        yield process


@pytest.fixture
def folder(tmp_path: Path, server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The trial's folder (named ``search``); ATLAS_URL points at the server, as a user's
    shell would."""
    for name in list(os.environ):
        if name.startswith("ATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_URL", server.url)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "client-home"))
    root = tmp_path / "search"
    root.mkdir()
    (root / "trial.py").write_text(TRIAL)
    return root


def loss(x: float) -> float:
    """The objective a trial reports for ``x`` (its last step's value)."""
    return (x - 2) ** 2 + 1 / 3


def test_a_sweep_runs_its_trials_as_jobs_and_finds_the_best(folder: Path) -> None:
    sweep = atlas.sweep(
        {"x": {"type": "float", "low": 0.0, "high": 4.0}},
        command="python trial.py",
        directory=folder,
        objective="loss",
        sampler="random",
        seed=1,
        trials=4,
        parallel=2,
        tags={"team": "vision"},
    )
    assert sweep.project == "search"  # the folder's name, as for atlas.submit
    assert sweep.wait(timeout=DEADLINE_S) is SweepStatus.COMPLETED
    trials = sweep.trials()
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 4
    snapshots = set()
    for trial in trials:
        x = trial.params["x"]
        assert isinstance(x, float)
        assert 0.0 <= x <= 4.0
        assert trial.values == (pytest.approx(loss(x)),)
        assert trial.job_id is not None
        job = atlas.Job(trial.job_id).info()
        assert (job.kind, job.sweep_id, job.status) == (
            JobKind.SWEEP_TRIAL,
            sweep.id,
            JobStatus.COMPLETED,
        )
        assert job.params == trial.params  # atlas.load_parameters() read them
        assert job.tags["team"] == "vision"
        snapshots.add(job.snapshot)
    assert len(snapshots) == 1  # one snapshot, uploaded once
    info = sweep.info()
    assert {info.snapshot} == snapshots
    for trial in trials:  # the server's times: asked after the sweep began, run after
        assert trial.started_at is not None
        assert info.created_at <= trial.created_at <= trial.started_at
    best = sweep.best()
    assert best is not None
    assert best.values == (min(t.values[0] for t in trials if t.values),)
    assert sweep.best_trials() == [best]
    again = atlas.get_sweep(sweep.id)
    assert (again, again.project) == (sweep, "search")
    info = again.info()
    assert info.counts.get(TrialState.COMPLETE) == 4
    assert info.trials == 4
    assert info.error is None
    assert sweep.importances() == {"x": pytest.approx(1.0)}  # the only param explains it all


def test_best_reads_the_sweep_once(folder: Path, server: ServerProcess) -> None:
    sent: list[str] = []

    def record(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    with (
        httpx.Client(base_url=server.url, event_hooks={"request": [record]}) as http,
        Client(http=http) as client,
    ):
        sweep = atlas.sweep(
            None,
            command="python trial.py",
            directory=folder,
            objective="loss",
            params=[{"x": 1.5}],
            client=client,
        )
        assert sweep.wait(timeout=DEADLINE_S) is SweepStatus.COMPLETED
        sent.clear()
        best = sweep.best()
    assert best is not None
    assert (best.number, best.values) == (0, (pytest.approx(loss(1.5)),))
    assert sent == [f"GET /api/v1/sweeps/{sweep.id}"]


def test_explicit_param_sets_are_a_fixed_list_of_runs(folder: Path) -> None:
    sweep = atlas.sweep(
        None,
        command=["python", "trial.py"],
        directory=folder,
        objective="loss",
        params=[{"x": 1.0}, {"x": 3.5}],
        parallel=2,
        project="fixed-runs",
    )
    assert sweep.wait(timeout=DEADLINE_S) is SweepStatus.COMPLETED
    trials = sweep.trials()
    assert [t.params for t in trials] == [{"x": 1.0}, {"x": 3.5}]
    assert [t.values for t in trials] == [(pytest.approx(loss(1.0)),), (pytest.approx(loss(3.5)),)]
    best = sweep.best()
    assert best is not None
    assert best.number == 0


def test_several_objectives_have_a_pareto_front(folder: Path) -> None:
    sweep = atlas.sweep(
        {"x": {"type": "float", "low": 0.0, "high": 4.0}},
        command="python trial.py",
        directory=folder,
        objective=["loss", "size"],
        params=[{"x": 2.0}, {"x": 0.0}, {"x": 3.0}],  # x=3 is beaten on both by x=2
        trials=3,
        parallel=3,
    )
    assert sweep.wait(timeout=DEADLINE_S) is SweepStatus.COMPLETED
    front = sweep.best_trials()
    assert sorted(t.number for t in front) == [0, 1]
    values = [t.values for t in sorted(front, key=lambda t: t.number)]
    assert values == [(pytest.approx(loss(2.0)), 2.0), (pytest.approx(loss(0.0)), 0.0)]
    with pytest.raises(InvalidInputError, match=r"2 objectives: .* best_trials\(\)"):
        sweep.best()


def test_a_sweep_stops_resumes_and_takes_more_trials(folder: Path) -> None:
    sweep = atlas.sweep(
        {
            "x": {"type": "float", "low": 0.0, "high": 4.0},
            "y": {"type": "int", "low": 0, "high": 1},
        },
        command="python trial.py --sleep",
        directory=folder,
        objective="loss",
        params=[{"x": 1.0, "y": 0}],
        trials=2,
    )
    deadline = time.monotonic() + DEADLINE_S
    while not (running := [t for t in sweep.trials() if t.job_id]):
        assert time.monotonic() < deadline, "no trial started"
        time.sleep(0.1)
    assert sweep.stop() is SweepStatus.STOPPED
    assert atlas.Job(str(running[0].job_id)).wait(timeout=DEADLINE_S) is JobStatus.CANCELLED
    assert sweep.wait(timeout=1) is SweepStatus.STOPPED
    assert sweep.add_trials(3) is SweepStatus.STOPPED
    assert sweep.info().trials == 5
    assert sweep.resume() is SweepStatus.RUNNING
    assert sweep.stop() is SweepStatus.STOPPED


def test_the_server_refuses_a_bad_spec_naming_each_field(folder: Path) -> None:
    with pytest.raises(InvalidInputError) as refused:
        atlas.sweep(
            {"x": {"type": "float", "low": 0.0, "hgih": 4.0}},
            command="python trial.py",
            directory=folder,
            objective="loss",
            trials=0,
        )
    fields = [error["field"] for error in refused.value.detail["errors"]]  # type: ignore[union-attr,index]
    assert "space.x.hgih" in fields
    assert "trials" in fields
    with pytest.raises(NotFoundError):
        atlas.get_sweep("0000000000000000")


def test_a_script_that_loops_over_submit_is_still_a_sweep(
    folder: Path, server: ServerProcess
) -> None:
    (folder / "search.py").write_text(LOOP)
    env = {k: v for k, v in os.environ.items()}
    done = subprocess.run(
        [sys.executable, "search.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == ["completed"] * 3
    with server.client() as client:
        jobs = client.list_jobs("search", filter='kind = "scheduled"').items
    xs = [job.params["x"] for job in jobs]
    assert len(xs) == 3
    assert all(isinstance(x, float) and 0 <= x <= 4 for x in xs)
