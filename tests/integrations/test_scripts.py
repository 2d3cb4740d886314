"""Adapters in scripts, as users run them: a job the adapter starts ends with the script
(completed, or failed by an exception), and in a job Atlas runs (``ATLAS_JOB_ID``) the
adapter logs into that job and leaves its status to the scheduler. XGBoost stands for every
adapter (they share ``atlas.integrations.runs``)."""

from __future__ import annotations

from pathlib import Path

from atlas.domain import JobKind, JobStatus
from atlas.sdk.client import Client
from tests.sdk.conftest import ServerProcess, make_script, only_job

TRAIN = """
import numpy as np, xgboost
from atlas.integrations.xgboost import AtlasCallback

x = np.random.default_rng(0).random((40, 3))
data = xgboost.DMatrix(x, label=x.sum(axis=1))
xgboost.train({"max_depth": 2}, data, num_boost_round=3, evals=[(data, "train")],
              verbose_eval=False, callbacks=[AtlasCallback(project=PROJECT, name="script")])
"""


def test_the_job_a_callback_starts_ends_with_the_script(
    tmp_path: Path, atlas_server: ServerProcess, client: Client, project: str
) -> None:
    script = make_script(tmp_path, atlas_server.url)
    script.run(f"PROJECT = {project!r}\n{TRAIN}", check=True)
    job = only_job(client, project)
    assert (job.name, job.status, job.exit_code) == ("script", JobStatus.COMPLETED, 0)
    assert client.get_metric(job.id, "train-rmse").steps == [0, 1, 2]

    failing = f"PROJECT = {project + '-f'!r}\n{TRAIN}\nraise RuntimeError('evaluation broke')\n"
    assert script.run(failing).returncode == 1
    job = only_job(client, project + "-f")
    assert job.status == JobStatus.FAILED
    assert job.error is not None
    assert job.error.message == "evaluation broke"
    assert job.metrics["train-rmse"].count == 3


def test_in_a_job_atlas_runs_the_callback_logs_into_it(
    tmp_path: Path, atlas_server: ServerProcess, client: Client, project: str
) -> None:
    job = client.create_job(project, name="scheduled", kind=JobKind.SCHEDULED)
    script = make_script(tmp_path, atlas_server.url, ATLAS_JOB_ID=job.id)
    script.run(f"PROJECT = 'elsewhere'\n{TRAIN}", check=True)
    assert client.list_jobs(project).total == 1
    stored = client.get_job(job.id)
    assert stored.status == JobStatus.QUEUED  # the scheduler reports the end, not the SDK
    assert stored.project == project  # as atlas.init(project=...) in a job: its own
    assert stored.name == "script"  # as atlas.init(name=...) in a job: the name is added
    assert stored.params["max_depth"] == 2
    assert client.get_metric(job.id, "train-rmse").steps == [0, 1, 2]
