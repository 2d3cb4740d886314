"""Sweeps run end to end on a real server: trials are real jobs that log their objective."""

from __future__ import annotations

from tests.hpo.conftest import create_sweep, get, wait_sweep
from tests.sdk.conftest import ServerProcess


def test_a_random_sweep_runs_its_trials_to_completion(server: ServerProcess) -> None:
    spec = {
        "objective": {"metric": "loss", "direction": "minimize"},
        "sampler": {"name": "random", "seed": 3},
        "trials": 4,
        "parallel": 2,
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
    }
    sweep = create_sweep(server, spec)
    assert sweep["status"] == "running"
    done = wait_sweep(server, sweep["id"])
    assert done["status"] == "completed", done
    assert done["counts"] == {"running": 0, "complete": 4, "pruned": 0, "failed": 0}
    trials = get(server, f"/sweeps/{sweep['id']}/trials")["items"]
    assert [t["number"] for t in trials] == [0, 1, 2, 3]
    for trial in trials:
        x = trial["params"]["x"]
        assert trial["values"] == [(x - 0.3) ** 2]
        job = get(server, f"/jobs/{trial['job_id']}")
        assert (job["kind"], job["sweep_id"], job["params"]) == (
            "sweep-trial", sweep["id"], {"x": x},
        )  # fmt: skip
    best = min(trials, key=lambda t: t["values"][0])
    assert [t["number"] for t in done["best"]] == [best["number"]]
