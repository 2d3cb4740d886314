"""Domain rules: the transition table and job ids."""

from __future__ import annotations

from atlas import domain
from atlas.domain import FINAL_STATUSES, TRANSITIONS, JobStatus, can_transition, new_job_id


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(JobStatus)


def test_final_statuses_are_final_except_lost() -> None:
    for status in FINAL_STATUSES - {JobStatus.LOST}:
        assert not TRANSITIONS[status]
    assert can_transition(JobStatus.RUNNING, JobStatus.COMPLETED)
    assert not can_transition(JobStatus.COMPLETED, JobStatus.RUNNING)


def test_job_ids_are_short_unique_and_sortable() -> None:
    ids = [new_job_id(now=1_700_000_000 + i) for i in range(100)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 100
    assert all(len(i) == 16 and i.isalnum() and i.islower() for i in ids)
    assert len({new_job_id(now=1_700_000_000) for _ in range(1000)}) == 1000


def test_public_names_are_sorted() -> None:
    assert domain.__all__ == sorted(domain.__all__)
