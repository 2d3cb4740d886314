"""`atlas sweep`: a sweep's YAML file, started, followed, listed, stopped, resumed and
extended against a real `atlas server` running real trial jobs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from atlas.cli.main import cli
from atlas.cli.sweep import _watch
from atlas.domain import SweepStatus
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke

# A trial: the objective is (x - 2)^2, logged at three steps.
TRIAL = """\
import atlas

x = float(atlas.load_parameters()["x"])
for step in range(3):
    atlas.log_metric("loss", (x - 2) ** 2 + 1 / (step + 1), step=step)
"""

DEAD_URL = "http://127.0.0.1:9"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def offline(*args: str) -> tuple[int, str, str]:
    """Run `atlas` against no server (for what is refused before any request)."""
    result = CliRunner().invoke(cli, ["--url", DEAD_URL, *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_yaml_syntax_error_is_a_usage_error_with_its_place(tmp_path: Path) -> None:
    write(tmp_path, {"sweep.yaml": "command: python trial.py\nspace: {x: [1, 2}\n"})
    code, out, err = offline("sweep", "create", "sweep.yaml")
    assert code == 2
    assert out == ""
    assert err.startswith("error: sweep.yaml is not valid YAML at line 2, column ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- command: python trial.py\n", "a list"), ("", "nothing"), ("just text\n", "a str")],
)
def test_a_file_that_is_not_a_mapping_is_a_usage_error(
    tmp_path: Path, text: str, kind: str
) -> None:
    write(tmp_path, {"sweep.yaml": text})
    code, _, err = offline("sweep", "create", "sweep.yaml")
    assert code == 2
    assert err == (
        "error: sweep.yaml must hold a mapping of sweep settings (command, objective, "
        f"space, ...), not {kind}\n"
    )


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = offline("sweep", "create", "nowhere.yaml")
    assert code == 2
    assert "nowhere.yaml" in err
    assert "does not exist" in err


def test_add_takes_a_positive_count() -> None:
    code, _, err = offline("sweep", "add", "someid", "0")
    assert code == 2
    assert "0 is not in the range x>=1" in err


SWEEP = """\
name: x-search
project: {project}
command: python trial.py
objective: {{metric: loss, direction: minimize}}
sampler: {{name: random, seed: 3}}
trials: 3
parallel: 2
space:
  x: {{type: float, low: 0.0, high: 4.0}}
params:
  - {{x: 2.0}}
"""


def test_a_sweep_from_a_yaml_file_runs_and_is_shown(atlas: Invoke, project_name: str) -> None:
    code = write(
        Path("code"), {"trial.py": TRIAL, "sweep.yaml": SWEEP.format(project=project_name)}
    )
    created = atlas("sweep", "create", "--wait", str(code / "sweep.yaml"), str(code))
    assert created.exit_code == 0, created.output
    lines = created.stdout.splitlines()
    sweep_id = lines[0]
    assert lines[1].endswith(f"/projects/{project_name}/sweeps/{sweep_id}")
    ended = [line for line in lines[2:] if line.startswith("trial ")]
    assert len(ended) == 3
    assert "trial 0 complete (job " in "\n".join(ended)
    assert (
        "loss 0.333333; x=2" in ended[[line.startswith("trial 0 ") for line in ended].index(True)]
    )
    assert lines[-1].startswith("best: trial 0 complete")
    assert f"Started sweep {sweep_id} in project {project_name!r}: 3 trials, 2 at a time." in (
        created.stderr
    )
    assert created.stderr.endswith(f"Sweep {sweep_id} completed.\n")

    shown = atlas("sweep", "show", sweep_id)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert f"Sweep {sweep_id} in project {project_name!r}" in text
    assert "objective: minimize loss" in text
    assert "sampler:   random (seed 3)" in text
    assert "trials:    3 of 3 done (complete 3), 0 running, 2 at a time" in text
    assert "Best trial\n  trial 0 complete" in text
    header = next(line for line in text.splitlines() if line.strip().startswith("#  JOB"))
    assert header.split() == ["#", "JOB", "STATE", "LOSS", "PRUNED", "AT", "x"]

    data = json.loads(atlas("sweep", "show", "--json", sweep_id).stdout)
    assert data["sweep"]["status"] == "completed"
    assert data["sweep"]["best"][0]["params"] == {"x": 2.0}
    assert [t["number"] for t in data["trials"]] == [0, 1, 2]
    assert data["trials"][0]["values"] == [pytest.approx(1 / 3)]

    listed = atlas("sweep", "ls", "-p", project_name)
    assert listed.exit_code == 0, listed.output
    [row] = listed.stdout.splitlines()[1:]
    assert row.split()[:5] == [sweep_id, "x-search", "completed", "3/3", "0"]
    items = json.loads(atlas("sweep", "ls", "-p", project_name, "--json").stdout)["items"]
    assert [s["id"] for s in items] == [sweep_id]


def test_following_a_sweep_reads_its_trials_only_when_one_ended(
    atlas: Invoke, atlas_server: str, project_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = write(
        Path("code"), {"trial.py": TRIAL, "sweep.yaml": SWEEP.format(project=project_name)}
    )
    created = atlas("sweep", "create", "--json", str(code / "sweep.yaml"), str(code))
    assert created.exit_code == 0, created.output
    sweep_id = json.loads(created.stdout)["id"]
    sent: list[str] = []

    def record(request: httpx.Request) -> None:
        sent.append(request.url.path.removeprefix("/api/v1"))

    with (
        httpx.Client(base_url=atlas_server, event_hooks={"request": [record]}) as http,
        Client(http=http) as client,
    ):
        started = client.get_sweep(sweep_id)
        sent.clear()
        capsys.readouterr()
        ended, best = _watch(client, started, quiet=False)
    assert ended.status is SweepStatus.COMPLETED
    assert [t.number for t in best] == [0]  # read with the sweep: no request of its own
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[1] for line in lines) == ["0", "1", "2"]  # each trial once
    polls = sent.count(f"/sweeps/{sweep_id}")
    lists = sent.count(f"/sweeps/{sweep_id}/trials")
    assert len(sent) == polls + lists
    # a list at most per trial ended, none for the polls before the first one ended
    assert 1 <= lists <= 3
    assert lists < polls


def test_every_problem_the_server_finds_is_a_line(atlas: Invoke, project_name: str) -> None:
    text = (
        "command: python trial.py\nobjective: loss\ntrials: 0\n"
        "space: {x: {type: float, low: 0, hgih: 1}}\n"
    )
    write(Path("."), {"trial.py": TRIAL, "sweep.yaml": text})
    refused = atlas("sweep", "create", "-p", project_name, "sweep.yaml")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) >= 2
    assert all(line.startswith("error: sweep.yaml: ") for line in lines)
    assert any(line.startswith("error: sweep.yaml: space.x.hgih: ") for line in lines)
    assert any(line.startswith("error: sweep.yaml: trials: ") for line in lines)
    nothing = atlas("sweep", "ls", "-p", project_name)  # not even the project was made
    assert nothing.stderr == f"error: project {project_name!r} not found\n"


def test_stop_add_and_resume(atlas: Invoke, project_name: str) -> None:
    slow = "import time\ntime.sleep(60)\n"
    text = (
        "command: python slow.py\nobjective: loss\ntrials: 2\n"
        "space: {x: {type: float, low: 0, high: 4}}\n"
    )
    write(Path("."), {"slow.py": slow, "sweep.yaml": text})
    created = atlas("sweep", "create", "-p", project_name, "--json", "sweep.yaml")
    assert created.exit_code == 0, created.output
    answer = json.loads(created.stdout)  # the REST API's Sweep, nothing else
    assert (answer["status"], answer["trials"], answer["project"]) == ("running", 2, project_name)
    sweep_id = answer["id"]
    stopped = atlas("sweep", "stop", sweep_id)
    assert stopped.stdout == (
        f"Sweep {sweep_id} stopped; `atlas sweep resume {sweep_id}` goes on.\n"
    )
    added = atlas("sweep", "add", sweep_id, "2")
    assert added.exit_code == 0, added.output
    assert "a budget of 4 trials" in added.stdout
    resumed = atlas("sweep", "resume", sweep_id)
    assert resumed.stdout == f"Sweep {sweep_id} running: a budget of 4 trials.\n"
    assert atlas("sweep", "stop", sweep_id).exit_code == 0
    missing = atlas("sweep", "show", "0000000000000000")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: ")


def test_a_sweep_that_cannot_go_on_says_why(atlas: Invoke, project_name: str) -> None:
    text = (
        "command: python trial.py\nobjective: accuracy\ntrials: 3\nparallel: 3\n"
        "space: {x: {type: float, low: 0, high: 4}}\n"
    )
    write(Path("."), {"trial.py": TRIAL, "sweep.yaml": text})
    waited = atlas("sweep", "create", "-p", project_name, "--wait", "--json", "sweep.yaml")
    assert waited.exit_code == 1, waited.output
    ended = json.loads(waited.stdout)  # only the ended sweep: nothing else on stdout
    assert ended["status"] == "failed"
    assert "no trial logged metric accuracy" in ended["error"]["message"]
    assert ended["best"] == []
    shown = atlas("sweep", "show", ended["id"]).stdout
    [error] = [line for line in shown.splitlines() if line.startswith("  error:")]
    assert "no trial logged metric accuracy" in error
    assert "Failed trials\n  trials 0, 1, 2: logged no metric accuracy" in shown
