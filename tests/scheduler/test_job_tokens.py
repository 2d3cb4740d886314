"""Job tokens: a job the scheduler runs on a server with authentication on gets its own
token in ``ATLAS_TOKEN``, which works while the job runs and not after it ended."""

from __future__ import annotations

import json
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from atlas.domain import JobKind, JobSpec, JobStatus, Role
from atlas.executors.local import LocalExecutor
from atlas.scheduler.files import JobFiles
from atlas.scheduler.scheduler import Scheduler
from atlas.store.artifacts import LocalArtifactStore, log_path
from atlas.store.sql_store import SqlStore
from atlas.tokens import TOKEN_PREFIX, digest
from tests.scheduler.conftest import DEADLINE_S, inventory, wait_final

SERVER_TOKEN = "atlas_the-servers-own-token"
# The job writes the token it was given to a file and waits until the test lets it end.
JOB = """
import os, pathlib, time
out = pathlib.Path({out!r})
out.with_suffix('.tmp').write_text(os.environ['ATLAS_TOKEN'])
out.with_suffix('.tmp').rename(out)
while not pathlib.Path({go!r}).exists():
    time.sleep(0.01)
"""


def scheduler_with(
    store: SqlStore, tmp_path: Path, artifacts: LocalArtifactStore, *, job_tokens: bool
) -> Scheduler:
    executor = LocalExecutor(
        tmp_path / "work", envs_dir=tmp_path / "envs", grace=0.5, metrics_interval=0
    )
    return Scheduler(
        store,
        executor,
        inventory(),
        files=JobFiles(artifacts, tmp_path / "work"),
        server_url="http://127.0.0.1:9",
        token=SERVER_TOKEN,
        job_tokens=job_tokens,
        cancel_grace=0.5,
    )


def submit(scheduler: Scheduler, tmp_path: Path, user: str) -> str:
    code = JOB.format(out=str(tmp_path / "token.txt"), go=str(tmp_path / "go"))
    job = scheduler.submit(
        JobSpec(
            kind=JobKind.SCHEDULED,
            project="vision",
            user=user,
            command=shlex.join([sys.executable, "-c", code]),
            params={"lr": 0.1},
            env_mode="none",
        )
    )
    return job.id


def token_seen(scheduler: Scheduler, tmp_path: Path) -> str:
    out = tmp_path / "token.txt"
    deadline = time.monotonic() + DEADLINE_S
    while not out.exists():
        assert time.monotonic() < deadline, f"the job wrote no token within {DEADLINE_S} s"
        scheduler.tick(time.time())
        time.sleep(0.01)
    return out.read_text()


@pytest.mark.parametrize("user", ["ana", "someone-without-an-account"])
def test_a_job_gets_its_own_token_while_it_runs(
    store: SqlStore, tmp_path: Path, artifacts: LocalArtifactStore, user: str
) -> None:
    store.create_user("ana", password_hash=None)
    scheduler = scheduler_with(store, tmp_path, artifacts, job_tokens=True)
    job_id = submit(scheduler, tmp_path, user)
    secret = token_seen(scheduler, tmp_path)
    assert secret.startswith(TOKEN_PREFIX)
    assert secret != SERVER_TOKEN
    live = store.get_token(digest(secret), now=datetime.now(UTC))
    assert live is not None
    assert (live.job_id, live.project, live.role) == (job_id, "vision", Role.VIEWER)
    assert live.user == (user if user == "ana" else None)
    assert live.name == f"job {job_id}"

    (tmp_path / "go").touch()
    assert wait_final(scheduler, job_id).status == JobStatus.COMPLETED
    assert store.get_token(digest(secret), now=datetime.now(UTC)) is None
    # The secret is nowhere a user of the job can read it: log, params, environment.
    job = store.get_job(job_id)
    log = artifacts.root / log_path(job_id)
    assert secret not in (log.read_text() if log.exists() else "")
    assert secret not in json.dumps([job.params, job.environment, job.tags], default=str)


def test_with_auth_off_a_job_gets_the_servers_token(
    store: SqlStore, tmp_path: Path, artifacts: LocalArtifactStore
) -> None:
    scheduler = scheduler_with(store, tmp_path, artifacts, job_tokens=False)
    job_id = submit(scheduler, tmp_path, "ana")
    assert token_seen(scheduler, tmp_path) == SERVER_TOKEN
    (tmp_path / "go").touch()
    assert wait_final(scheduler, job_id).status == JobStatus.COMPLETED
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM api_tokens").scalar() == 0
