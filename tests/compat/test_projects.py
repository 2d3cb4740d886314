"""Old-style projects driven as the old docs taught, end to end against a real server:
`foundations init`, `python main.py`, `foundations submit scheduler . main.py`,
`foundations.submit(...)` and its DeploymentWrapper, get logs, get job, delete job, and
`atlas submit scheduler . main.py`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli.main import cli as atlas_cli
from atlas.domain import JobStatus
from atlas.sdk.client import Client
from tests.polling import wait_until_final
from tests.requirements import required

from .conftest import (
    Foundations,
    RunScript,
    submitted_id,
    write_project,
)

TRAIN = """\
import foundations

params = foundations.load_parameters()
print("params:", sorted(params.items()))
foundations.log_params(
    {"model": {"layers": 3, "sizes": [8, 4], "opt": {"lr": 0.1}}, "name": "mlp"}
)
foundations.log_param("seed", 7)
foundations.set_tag("CNN")
for accuracy in (0.5, 0.7, 0.9):
    foundations.log_metric("accuracy", accuracy)
foundations.log_metric("losses", [0.3, 0.2, 0.1])
foundations.log_metric("verdict", "good")
foundations.log_metric("best", True)
with open("notes.txt", "w") as handle:
    handle.write("hello")
foundations.save_artifact("notes.txt", "Notes")
print("job", foundations.current_foundations_job().job_id)
"""


def test_init_makes_a_project_whose_main_runs_as_a_job(
    foundations: Foundations, run_script: RunScript, client: Client, project_name: str
) -> None:
    created = foundations("init", project_name)
    assert created.exit_code == 0, created.output
    assert f"Success: New Foundations project `{project_name}` created!" in created.output
    folder = Path(project_name)
    assert "import foundations" in (folder / "main.py").read_text()
    again = foundations("init", project_name)
    assert again.exit_code == 1
    assert f"project directory for `{project_name}` already exists" in again.output

    done = run_script(folder, "main.py")
    assert done.returncode == 0, done.stderr
    (job,) = client.list_jobs(project_name).items
    assert job.status is JobStatus.COMPLETED
    assert job.params == {"depth": 3, "epochs": 5, "batch_size": 256, "learning_rate": 0.001}
    assert job.metrics["loss"].count == 5
    assert [a.path for a in client.list_artifacts(job.id)] == ["Project_README"]


def test_a_plain_run_records_what_the_old_calls_logged(
    run_script: RunScript, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(
        tmp_path / "proj", {"main.py": TRAIN, "job.config.yaml": f"project_name: {project_name}\n"}
    )
    done = run_script(folder, "main.py")
    assert done.returncode == 0, done.stderr
    (job,) = client.list_jobs(project_name).items
    assert done.stdout.splitlines()[-1] == f"job {job.id}"
    assert job.params == {
        "model_layers": 3,
        "model_sizes": [8, 4],  # one level deep, as the old SDK flattened
        "model_opt.lr": 0.1,  # a deeper mapping: Atlas's own rule
        "name": "mlp",
        "seed": 7,
    }
    assert job.tags == {"CNN": "", "verdict": "good"}  # a string metric shows as a tag
    assert (job.metrics["accuracy"].count, job.metrics["accuracy"].last) == (3, 0.9)
    assert (job.metrics["losses"].count, job.metrics["losses"].last) == (3, 0.1)
    assert job.metrics["best"].last == 1.0
    assert client.read_artifact(job.id, "Notes") == b"hello"


def test_foundations_submit_scheduler_runs_the_folder(
    foundations: Foundations, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(
        tmp_path / "proj",
        {
            "main.py": TRAIN,
            "job.config.yaml": f"project_name: {project_name}\nlog_level: INFO\nnum_gpus: 0\n"
            "params:\n  opt:\n    lr: 0.25\n  layers: [1, 2]\n",
        },
    )
    result = foundations("submit", "scheduler", str(folder), "main.py")
    assert result.exit_code == 0, result.output
    job_id = submitted_id(result.output)
    assert f"Job '{job_id}' has completed." in result.output
    assert "params: [('layers', [1, 2]), ('opt', {'lr': 0.25})]" in result.output  # nested again
    job = client.get_job(job_id)
    assert job.status is JobStatus.COMPLETED
    assert job.command == "python main.py"
    assert job.params["opt.lr"] == 0.25  # Atlas's names for what it was given
    assert job.metrics["accuracy"].last == 0.9

    logs = foundations("get", "logs", "scheduler", job_id)
    assert logs.exit_code == 0, logs.output
    assert f"job {job_id}" in logs.stdout

    fetched = foundations("get", "job", "scheduler", job_id, "--save_dir", str(tmp_path / "home"))
    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / "home" / "code" / "main.py").read_text() == TRAIN
    assert (tmp_path / "home" / "artifacts" / "Notes").read_text() == "hello"

    deleted = foundations("delete", "job", "scheduler", job_id)
    assert deleted.exit_code == 0, deleted.output
    assert f"Job {job_id} successfully deleted" in deleted.output
    missing = foundations("get", "logs", "scheduler", job_id)
    assert missing.exit_code == 1
    assert f"Error: Job `{job_id}` does not exist for environment `scheduler`" in missing.output


HYPERPARAMETER_SEARCH = """\
import json, os
os.environ["FOUNDATIONS_COMMAND_LINE"] = "True"  # the old docs: no job for this script
import foundations

foundations.set_job_resources(num_gpus=0, ram=0.5)
deployment = foundations.submit(
    scheduler_config="scheduler",
    job_directory="job",
    command=["main.py", "--epochs", "2"],
    params={"opt": {"lr": 0.1}, "layers": [3, 4]},
    project_name=os.environ["PROJECT"],
)
deployment.wait_for_deployment_to_complete(wait_seconds=0.1)
details = deployment.get_job_details()
print(json.dumps({
    "id": deployment.job_name(),
    "status": deployment.get_job_status(),
    "true_status": deployment.get_true_job_status(),
    "complete": deployment.is_job_complete(),
    "accuracy": deployment.get_metric("accuracy"),
    "verdict": deployment.get_metric("verdict"),
    "lr": deployment.get_param("opt.lr"),
    "project": details["project_name"],
    "metrics": sorted(details["metrics"]),
    "tags": sorted(details["tags"]),
    "logs": deployment.get_job_logs(),
    "streamed": list(deployment.stream_job_logs()),
}))
for missing in (deployment.get_metric, deployment.get_param):
    try:
        missing("nope")
    except KeyError as exc:
        print(exc)
"""

JOB_MAIN = """\
import sys
import foundations

params = foundations.load_parameters()
foundations.log_metric("accuracy", params["opt"]["lr"] * 5)
foundations.log_metric("verdict", "fine")
print("argv", sys.argv[1:], "layers", params["layers"])
"""


def test_foundations_submit_answers_a_deployment_wrapper(
    run_script: RunScript, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(
        tmp_path / "search", {"search.py": HYPERPARAMETER_SEARCH, "job/main.py": JOB_MAIN}
    )
    done = run_script(folder, "search.py", PROJECT=project_name)
    assert done.returncode == 0, done.stderr
    *report, metric_error, param_error = done.stdout.splitlines()
    seen = json.loads(report[-1])
    assert seen["status"] == "completed"
    assert (seen["true_status"], seen["complete"]) == ("completed", True)
    assert (seen["accuracy"], seen["verdict"], seen["lr"]) == (0.5, "fine", 0.1)
    assert (seen["project"], seen["metrics"], seen["tags"]) == (
        project_name,
        ["accuracy"],
        ["verdict"],
    )
    assert "argv ['--epochs', '2'] layers [3, 4]" in seen["logs"]
    assert "argv ['--epochs', '2'] layers [3, 4]" in seen["streamed"]
    assert (metric_error, param_error) == (
        "\"Metric 'nope' does not exist.\"",
        "\"Parameter 'nope' does not exist.\"",
    )
    (job,) = client.list_jobs(project_name).items  # the search script itself is no job
    assert job.id == seen["id"]
    assert job.resources["memory"] == 1 << 29  # set_job_resources(ram=0.5): GiB


SYNC_FIRST = """\
import foundations
directory = foundations.create_syncable_directory("state", "sync")
with open("sync/model.txt", "w") as handle:
    handle.write("weights-1")
directory.upload()
print("job", foundations.current_foundations_job().job_id)
"""

SYNC_NEXT = """\
import sys
import foundations
directory = foundations.create_syncable_directory("state", "sync", sys.argv[1])
print(open("sync/model.txt").read())
"""


def test_a_syncable_directory_carries_files_to_a_later_job(
    run_script: RunScript, project_name: str, tmp_path: Path
) -> None:
    config = {"job.config.yaml": f"project_name: {project_name}\n"}
    first = write_project(tmp_path / "first", {"main.py": SYNC_FIRST, **config})
    done = run_script(first, "main.py")
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.split()[-1]
    later = write_project(tmp_path / "later", {"main.py": SYNC_NEXT, **config})
    read = run_script(later, "main.py", job_id)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "weights-1"


def test_get_metrics_for_all_jobs_is_a_dataframe_with_the_old_columns(
    run_script: RunScript, atlas_server: str, project_name: str, tmp_path: Path
) -> None:
    required("pandas")
    import atlas
    import foundations

    folder = write_project(
        tmp_path / "proj", {"main.py": TRAIN, "job.config.yaml": f"project_name: {project_name}\n"}
    )
    assert run_script(folder, "main.py").returncode == 0
    atlas.configure(url=atlas_server, token="")
    frame = foundations.get_metrics_for_all_jobs(project_name)
    assert list(frame.columns[:6]) == [
        "project_name",
        "job_id",
        "user",
        "status",
        "start_time",
        "completed_time",
    ]
    (row,) = frame.to_dict("records")
    assert (row["status"], row["accuracy"], row["seed"], row["tag_verdict"]) == (
        "completed",
        0.9,
        7,
        "good",
    )
    with pytest.raises(ValueError, match="does not exist"):
        foundations.get_metrics_for_all_jobs(project_name + "-missing")


def test_atlas_submit_takes_the_old_scheduler_form(
    atlas_server: str,
    client: Client,
    project_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = write_project(
        tmp_path / "proj", {"main.py": TRAIN, "job.config.yaml": f"project_name: {project_name}\n"}
    )
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(
        atlas_cli, ["--url", atlas_server, "submit", "--no-follow", "scheduler", ".", "main.py"]
    )
    assert result.exit_code == 0, result.output
    assert "old Atlas's form" in result.stderr
    job = wait_until_final(client, result.stdout.strip().splitlines()[-1])
    assert (job.status, job.command) == (JobStatus.COMPLETED, "python main.py")


NAMED = """\
import os
import foundations

foundations.set_project_name(os.environ["PROJECT"])
params = foundations.load_parameters()
foundations.log_metric("lr_seen", params["opt"]["lr"])
print(foundations.current_foundations_job().project_name)
"""


def test_set_project_name_and_a_parameters_file_in_a_plain_run(
    run_script: RunScript, client: Client, project_name: str, tmp_path: Path
) -> None:
    parameters = json.dumps({"opt": {"lr": 0.5}, "layers": [{"neurons": 5}]})
    folder = write_project(
        tmp_path / "proj", {"main.py": NAMED, "foundations_job_parameters.json": parameters}
    )
    done = run_script(folder, "main.py", PROJECT=project_name)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == project_name
    (job,) = client.list_jobs(project_name).items
    # logged the old way, one level deep; the deeper mapping by Atlas's rule
    assert job.params == {"opt_lr": 0.5, "layers_0.neurons": 5}
    assert job.metrics["lr_seen"].last == 0.5


TENSORBOARD = """\
import os
import foundations

foundations.set_tensorboard_logdir("tb")
os.makedirs("tb/train", exist_ok=True)
with open("tb/train/events.out.tfevents.1.host", "wb") as handle:
    handle.write(b"event bytes")
"""


def test_a_plain_runs_tensorboard_logdir_is_kept_at_exit(
    run_script: RunScript, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(
        tmp_path / "proj",
        {"main.py": TENSORBOARD, "job.config.yaml": f"project_name: {project_name}\n"},
    )
    done = run_script(folder, "main.py")
    assert done.returncode == 0, done.stderr
    (job,) = client.list_jobs(project_name).items
    assert job.tags == {"tf": "tf"}
    stored = client.read_artifact(job.id, "tensorboard/train/events.out.tfevents.1.host")
    assert stored == b"event bytes"


def test_submit_in_process_with_a_command_line_and_the_files_params(
    atlas_server: str, project_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import atlas
    import foundations

    atlas.configure(url=atlas_server, token="")
    folder = write_project(
        tmp_path / "job",
        {"main.py": JOB_MAIN, "job.config.yaml": "params:\n  opt: {lr: 0.3}\n  layers: [1]\n"},
    )
    with pytest.raises(TypeError, match="params must be a dict"):
        foundations.submit(job_directory=str(folder), command=["main.py"], params=[1])
    deployment = foundations.submit(
        scheduler_config="scheduler",
        job_directory=str(folder),
        command="main.py --epochs 2",
        params={},  # empty: the file's, as before
        project_name=project_name,
    )
    assert deployment.get_metric("accuracy", wait_seconds=0.1) == 1.5
    assert "argv ['--epochs', '2'] layers [1]" in deployment.get_job_logs()
    streamed = foundations.submit(
        job_directory=str(folder),
        command=["main.py"],
        stream_job_logs=True,
        project_name=project_name,
    )
    assert "argv [] layers [1]" in capsys.readouterr().out.splitlines()  # printed, line by line
    assert streamed.get_job_status() == "completed"
