"""`foundations stop`, `foundations clear-queue` and `foundations submit`'s options against
a real server with one CPU slot, so a second job waits in the queue."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import JobStatus
from atlas.sdk.client import Client
from tests.cli.conftest import clean_env, running_server
from tests.polling import wait_for, wait_until_final

from .conftest import Foundations, submitted_id, write_project

SLEEPER = """\
import sys, time
import foundations
foundations.log_metric("started", 1)
print("sleeping", sys.argv[1:], flush=True)
time.sleep(60)
"""


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"ATLAS_CPUS": "1", "ATLAS_CANCEL_GRACE": "2"}
    with running_server(tmp_path_factory.mktemp("queue-server"), env=env) as server:
        yield server.url


def test_stop_and_clear_queue(
    foundations: Foundations, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(
        tmp_path / "proj", {"main.py": SLEEPER, "job.config.yaml": "log_level: INFO\n"}
    )
    options = ["--project-name", project_name, "--stream-job-logs", "False"]
    first = foundations(
        "submit", *options, "--ram", "0.25", "scheduler", str(folder), "main.py", "a"
    )
    assert first.exit_code == 0, first.output
    running = submitted_id(first.output)
    wait_for(lambda: "started" in client.get_job(running).metrics, "the first job to run")
    assert client.get_job(running).resources["memory"] == 1 << 28

    second = foundations(
        "submit", *options, "--entrypoint", "python -u", "scheduler", str(folder), "main.py"
    )
    queued = submitted_id(second.output)
    assert client.get_job(queued).command == "python -u main.py"
    refused = foundations("stop", "scheduler", queued)
    assert refused.exit_code == 1
    assert f"Error: Job `{queued}` is queued and cannot be stopped" in refused.output
    no_logs = foundations("get", "logs", "scheduler", queued)
    assert f"Job `{queued}` is queued and has not produced any logs" in no_logs.output
    busy = foundations("delete", "job", "scheduler", running)
    assert busy.exit_code == 1
    assert "has status `running` and cannot be deleted" in busy.output

    other = client.create_project(f"{project_name}-other").name
    elsewhere = foundations("clear-queue", "--project-name", other, "scheduler")
    assert elsewhere.exit_code == 0, elsewhere.output
    assert "Removed 0 job(s) from queue" in elsewhere.output  # another project's: untouched
    assert client.get_job(queued).status is JobStatus.QUEUED
    cleared = foundations("clear-queue", "scheduler")  # every project's, as before
    assert cleared.exit_code == 0, cleared.output
    assert "Removed 1 job(s) from queue" in cleared.output
    assert client.get_job(queued).status is JobStatus.CANCELLED

    stopped = foundations("stop", "scheduler", running)
    assert stopped.exit_code == 0, stopped.output
    assert f"Stopped running job {running}" in stopped.output
    assert wait_until_final(client, running).status is JobStatus.CANCELLED
    again = foundations("stop", "scheduler", running)
    assert f"Job `{running}` is completed and cannot be stopped" in again.output


def test_an_option_after_scheduler_is_refused(foundations: Foundations, tmp_path: Path) -> None:
    folder = write_project(tmp_path / "proj", {"main.py": "print('hi')\n"})
    misplaced = foundations("submit", "scheduler", "--num-gpus", "1", str(folder), "main.py")
    assert misplaced.exit_code == 2
    assert "--num-gpus comes after SCHEDULER-CONFIG: options go first" in misplaced.output
    assert "(foundations submit --num-gpus ... scheduler JOB-DIRECTORY COMMAND)" in (
        misplaced.output
    )
    misspelt = foundations("submit", "--num-gpu", "1", "scheduler", str(folder), "main.py")
    assert misspelt.exit_code == 2
    assert "no such option: --num-gpu (did you mean --num-gpus?)" in misspelt.output


def test_command_arguments_like_options_go_to_the_script_with_a_warning(
    foundations: Foundations, client: Client, project_name: str, tmp_path: Path
) -> None:
    folder = write_project(tmp_path / "proj", {"main.py": "print('hi')\n"})
    options = ["--project-name", project_name, "--stream-job-logs", "False"]
    warned = foundations("submit", *options, "scheduler", str(folder), "main.py", "--num-gpus", "1")
    assert warned.exit_code == 0, warned.output
    assert (
        "warning: --num-gpus goes to main.py as its own argument, not to Atlas; to give it to "
        "Atlas, put it before the folder and the command: foundations submit --num-gpus 1 "
        "scheduler JOB-DIRECTORY COMMAND"
    ) in warned.output
    job = client.get_job(submitted_id(warned.output))
    assert (job.command, job.resources["gpus"]) == ("python main.py --num-gpus 1", 0)

    quiet = foundations(
        "submit", *options, "scheduler", str(folder), "--", "main.py", "--num-gpus", "1"
    )
    assert quiet.exit_code == 0, quiet.output
    assert "warning" not in quiet.output
    assert client.get_job(submitted_id(quiet.output)).command == "python main.py --num-gpus 1"
    for job_id in (job.id, submitted_id(quiet.output)):
        wait_until_final(client, job_id)


def test_python_m_foundations_is_the_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "foundations", "--version"],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Running Foundations version ")


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "foundations", "get", "logs", "scheduler", "abc"],
        env=clean_env(tmp_path, ATLAS_URL="http://127.0.0.1:9"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error running command: ")
    assert "Traceback" not in done.stderr
