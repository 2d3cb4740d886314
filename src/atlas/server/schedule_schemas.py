"""Wire models of recurring jobs (docs/rest-api.md, "Recurring jobs"): a schedule is a cron
expression, a time zone and the job it submits, given as the body of a submission
(``SubmissionCreate``), so a schedule takes exactly what ``POST /submissions`` takes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, JsonValue, StringConstraints

from atlas.cron import MAX_CRON_LENGTH, MAX_TIMEZONE_LENGTH
from atlas.domain import JobSpec
from atlas.names import MAX_JOB_NAME_LENGTH
from atlas.schedules import Schedule
from atlas.server.schemas import SubmissionCreate, Text, UtcDatetime, WireModel

__all__ = [
    "ScheduleCreate",
    "ScheduleListOut",
    "ScheduleOut",
    "ScheduleUpdate",
    "ScheduledJobOut",
]

Cron = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_CRON_LENGTH),
    Field(
        description="five fields, minute hour day-of-month month day-of-week "
        "(e.g. '0 3 * * *'), or @hourly, @daily, @weekly, @monthly, @yearly",
        examples=["0 3 * * *"],
    ),
]
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TIMEZONE_LENGTH),
    Field(description="the IANA time zone the cron expression's times are in"),
]
ScheduleName = Annotated[Text, Field(max_length=MAX_JOB_NAME_LENGTH)]


class ScheduleCreate(WireModel):
    cron: Cron
    timezone: TimeZone = "UTC"
    name: ScheduleName = ""
    paused: bool = False
    job: SubmissionCreate = Field(
        description="what each run submits, as the body of POST /submissions (its project "
        "is the schedule's)"
    )


class ScheduleUpdate(WireModel):
    name: ScheduleName | None = None
    cron: Cron | None = None
    timezone: TimeZone | None = None
    paused: bool | None = None


class ScheduledJobOut(WireModel):
    command: str
    name: str
    user: str
    snapshot: str | None
    params: dict[str, JsonValue]
    tags: dict[str, str]
    resources: dict[str, JsonValue]
    priority: int
    timeout: float | None
    image: str | None
    retries: int
    env_mode: str

    @classmethod
    def from_domain(cls, spec: JobSpec) -> ScheduledJobOut:
        """The wire form of the job a schedule submits."""
        return cls.model_construct(
            command=spec.command,
            name=spec.name,
            user=spec.user,
            snapshot=spec.snapshot,
            params=dict(spec.params),
            tags=dict(spec.tags),
            resources=dict(spec.resources),
            priority=spec.priority,
            timeout=spec.timeout,
            image=spec.image,
            retries=spec.retries,
            env_mode=spec.env_mode,
        )


class ScheduleOut(WireModel):
    id: str
    project: str
    name: str
    cron: str
    timezone: str
    paused: bool
    next_run_at: UtcDatetime | None = Field(description="when it fires next; null while paused")
    last_slot: UtcDatetime | None = Field(description="the slot it last fired for")
    last_job_id: str | None = Field(description="the job of its last run (maybe deleted since)")
    created_by: str
    created_at: UtcDatetime
    updated_at: UtcDatetime
    last_error: str | None = Field(
        description="why its latest slot submitted no job (null once a run is submitted)"
    )
    last_error_at: UtcDatetime | None = Field(description="when that was")
    job: ScheduledJobOut

    @classmethod
    def from_domain(cls, schedule: Schedule) -> ScheduleOut:
        """The wire form of ``schedule``."""
        return cls.model_construct(
            id=schedule.id,
            project=schedule.project,
            name=schedule.name,
            cron=schedule.cron,
            timezone=schedule.timezone,
            paused=schedule.paused,
            next_run_at=schedule.next_run_at,
            last_slot=schedule.last_slot,
            last_job_id=schedule.last_job_id,
            created_by=schedule.created_by,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
            last_error=schedule.last_error,
            last_error_at=schedule.last_error_at,
            job=ScheduledJobOut.from_domain(schedule.spec),
        )


class ScheduleListOut(WireModel):
    items: list[ScheduleOut]
