"""A machine whose clock is off: the server refuses its times, and the SDK's records still
land, stamped by the server's clock (the real app, in process)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from atlas.domain import JobStatus, new_job_id
from atlas.errors import InvalidInputError
from atlas.sdk.client import Client
from atlas.sdk.records import CreateJob, UpdateJob


def test_a_clock_an_hour_fast_loses_its_times_not_the_job(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = new_job_id()
    fast = time.time() + 3600
    with caplog.at_level(logging.WARNING, logger="atlas.sdk.records"):
        CreateJob("clocks", {"started_at": fast}).send(client, job_id, careful=False)
        UpdateJob(status=JobStatus.COMPLETED, exit_code=0, at=fast + 5).send(
            client, job_id, careful=False
        )
    job = client.get_job(job_id)
    now = datetime.now(UTC)
    assert (job.status, job.exit_code) == (JobStatus.COMPLETED, 0)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at <= now + timedelta(seconds=1)
    refused = [
        r.getMessage() for r in caplog.records if "refused this machine's time" in r.getMessage()
    ]
    assert len(refused) == 2
    assert all(job_id in message and "future" in message for message in refused)


def test_an_end_before_the_start_still_ends_the_job(client: Client) -> None:
    job_id = new_job_id()
    CreateJob("clocks", {"started_at": time.time()}).send(client, job_id, careful=False)
    before = time.time() - 600  # a clock stepped back ten minutes meanwhile
    UpdateJob(status=JobStatus.FAILED, exit_code=2, at=before).send(client, job_id, careful=False)
    job = client.get_job(job_id)
    assert (job.status, job.exit_code) == (JobStatus.FAILED, 2)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.finished_at >= job.started_at


def test_other_refusals_are_not_retried(client: Client) -> None:
    job_id = new_job_id()
    CreateJob("clocks", {"started_at": time.time()}).send(client, job_id, careful=False)
    with pytest.raises(InvalidInputError, match="exit_code"):
        UpdateJob(status=JobStatus.FAILED, exit_code=2**40, at=time.time()).send(
            client, job_id, careful=False
        )
    assert client.get_job(job_id).status == JobStatus.RUNNING
