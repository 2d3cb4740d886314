"""End to end: `atlas submit --retries N` on a real `atlas server` queues a failing job
again until it succeeds, records each attempt, and keeps every attempt in the log; a bad
count is refused by the server with a clear 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import JobStatus
from atlas.errors import InvalidInputError, NotFoundError
from atlas.names import MAX_RETRIES
from atlas.sdk.client import Client
from tests.cli.conftest import Invoke, running_server

FLAKY = """\
import pathlib, sys
counter = pathlib.Path(sys.argv[1])
count = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(count))
print(f"try {count}", flush=True)
sys.exit(0 if count > 2 else 7)
"""


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("retries-server")) as server:
        yield server.url


@pytest.fixture
def client(atlas_server: str) -> Iterator[Client]:
    with Client(atlas_server, token="", timeout=10.0) as api:
        yield api


def test_a_job_that_fails_twice_completes_on_its_third_attempt(
    atlas: Invoke, client: Client, tmp_path: Path, project_name: str
) -> None:
    root = tmp_path / "code"
    root.mkdir()
    (root / "flaky.py").write_text(FLAKY)
    counter = tmp_path / "attempts.txt"
    result = atlas(
        "submit", "-p", project_name, "--retries", "2", str(root), "python", "flaky.py",
        str(counter),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert counter.read_text() == "3"
    job = client.list_jobs(project_name).items[0]
    assert job.status is JobStatus.COMPLETED
    assert job.exit_code == 0
    assert job.retries == 2
    assert [(a["attempt"], a["status"], a["exit_code"]) for a in job.attempts] == [
        (1, "failed", 7),
        (2, "failed", 7),
    ]
    log = client.read_log(job.id).data.decode()
    for line in ("try 1", "[atlas] attempt 2 of 3", "try 2", "[atlas] attempt 3 of 3", "try 3"):
        assert line in log
    assert log.index("try 1") < log.index("attempt 2 of 3") < log.index("try 2")
    assert "[atlas] attempt 2 of 3" in result.stdout  # the followed log goes on

    shown = atlas("jobs", "show", job.id)
    assert shown.exit_code == 0, shown.output
    assert "retries:   2 (attempt 3 of 3)" in shown.stdout
    assert "Earlier attempts" in shown.stdout
    assert "ExitCode: exited with code 7" in shown.stdout


@pytest.mark.parametrize("retries", [-1, MAX_RETRIES + 1])
def test_a_retry_count_out_of_range_is_refused(
    client: Client, project_name: str, retries: int
) -> None:
    body = {"project": project_name, "command": ["python", "-V"], "retries": retries}
    with pytest.raises(InvalidInputError) as caught:
        client.submit_job(body)
    bound = "greater than or equal to 0" if retries < 0 else f"less than or equal to {MAX_RETRIES}"
    assert caught.value.message == f"invalid retries: Input should be {bound}"
    with pytest.raises(NotFoundError):  # nothing was written
        client.get_project(project_name)


def test_the_cli_refuses_a_retry_count_out_of_range(atlas: Invoke, tmp_path: Path) -> None:
    result = atlas("submit", "--retries", str(MAX_RETRIES + 1), str(tmp_path), "python", "x.py")
    assert result.exit_code == 2
    assert "--retries" in result.output
