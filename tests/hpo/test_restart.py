"""A server restart mid-sweep neither loses nor duplicates a trial: the trials' jobs go on
while the server is down, and the controller rebuilds the study from the rows."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.hpo.conftest import API, create_sweep, get, start_server, wait_sweep
from tests.hpo.test_trials import trials_of, wait_for_trials

SLOW = """\
import time
import atlas
x = atlas.load_parameters()["x"]
time.sleep(1.5)
atlas.log_metric("loss", (x - 0.3) ** 2)
"""


def test_a_restart_mid_sweep_loses_and_repeats_no_trial(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = start_server(home, cpus=2)
    try:
        spec = {
            "objective": "loss",
            "sampler": {"name": "tpe", "seed": 2},
            "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
            "trials": 6,
            "parallel": 2,
        }
        sweep = create_sweep(server, spec, code=SLOW)
        wait_for_trials(server, sweep["id"], 3)  # two ran, the third runs now
        before = trials_of(server, sweep["id"])
        server.stop()  # trials go on running while the server is down
        server.start()
        done = wait_sweep(server, sweep["id"])
        assert done["status"] == "completed", done
        trials = trials_of(server, sweep["id"])
        assert [t["number"] for t in trials] == list(range(6))
        assert [(t["state"], t["error"]) for t in trials] == [("complete", None)] * 6
        assert trials[: len(before)] == [
            {**t, **{k: trials[i][k] for k in ("state", "values", "job_status", "started_at",
                                                 "finished_at", "error")}}
            for i, t in enumerate(before)
        ]  # fmt: skip
        jobs = httpx.get(
            f"{server.url}{API}/projects/hpo/jobs",
            params={"filter": f'sweep = "{sweep["id"]}"', "limit": 100},
            timeout=10,
        ).json()
        assert jobs["total"] == 6  # one job per trial, none submitted twice
        assert {job["id"] for job in jobs["items"]} == {t["job_id"] for t in trials}
        for trial in trials:
            assert get(server, f"/jobs/{trial['job_id']}")["params"] == trial["params"]
    finally:
        server.stop()
