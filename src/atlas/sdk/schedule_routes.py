"""The ``Client`` methods of the recurring jobs' routes (docs/jobs.md, "Recurring jobs"):
create, list, read, pause, resume, change and delete schedules. Each answers a
:class:`atlas.schedules.Schedule` read from the server's JSON ``Schedule``
(docs/rest-api.md, "Recurring jobs"). ``atlas.sdk.client.Client`` has them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from atlas.domain import JobKind, JobSpec
from atlas.schedules import Schedule
from atlas.sdk.connection import segment
from atlas.sdk.wire import (
    _answer,
    _int,
    _object,
    _optional_text,
    _optional_time,
    _params,
    _strings,
    _text,
    items_of,
    parse_time,
)

if TYPE_CHECKING:
    from atlas.sdk.connection import Connection

__all__ = ["ScheduleRoutes", "parse_schedule"]


class ScheduleRoutes:
    """What a ``Client`` asks of the recurring jobs' routes; errors as for every ``Client``
    method (``InvalidInputError`` for a cron expression that is wrong or never fires,
    ``NotFoundError`` for an unknown schedule)."""

    _connection: Connection  # set by Client.__init__

    def create_schedule(
        self,
        project: str,
        job: Mapping[str, object],
        *,
        cron: str,
        timezone: str = "UTC",
        name: str = "",
        paused: bool = False,
    ) -> Schedule:
        """Submit ``job`` (the body of a submission, ``Submission.body``) in ``project`` on
        the cron expression ``cron``, in the IANA zone ``timezone``."""
        body = {
            "cron": cron,
            "timezone": timezone,
            "name": name,
            "paused": paused,
            "job": dict(job),
        }
        return parse_schedule(self._connection.json("POST", _listing(project), body=body))

    def list_schedules(self, project: str) -> list[Schedule]:
        """The project's schedules by name, each with its ``next_run_at``."""
        answer = self._connection.json("GET", _listing(project))
        return [parse_schedule(item) for item in items_of(answer)]

    def get_schedule(self, schedule_id: str) -> Schedule:
        """The schedule; ``NotFoundError`` when unknown."""
        return parse_schedule(self._connection.json("GET", _path(schedule_id)))

    def update_schedule(self, schedule_id: str, **changes: object) -> Schedule:
        """Change any of ``paused``, ``cron``, ``timezone``, ``name``; a resumed schedule
        next fires at its first slot from now."""
        return parse_schedule(self._connection.json("PATCH", _path(schedule_id), body=changes))

    def delete_schedule(self, schedule_id: str) -> None:
        """Delete the schedule; the jobs it submitted stay."""
        self._connection.send("DELETE", _path(schedule_id))


def _listing(project: str) -> str:
    return f"/projects/{segment(project)}/schedules"


def _path(schedule_id: str) -> str:
    return f"/schedules/{segment(schedule_id)}"


@_answer("schedule")
def parse_schedule(data: object) -> Schedule:
    """A ``Schedule`` object, with the job each run submits as a ``JobSpec``."""
    body = _object(data)
    project = _text(body["project"])
    return Schedule(
        id=_text(body["id"]),
        project=project,
        name=_text(body.get("name")),
        cron=_text(body["cron"]),
        timezone=_text(body["timezone"]),
        spec=_spec(project, _object(body["job"])),
        created_by=_text(body.get("created_by")),
        paused=bool(body.get("paused")),
        next_run_at=_optional_time(body.get("next_run_at")),
        last_slot=_optional_time(body.get("last_slot")),
        last_job_id=_optional_text(body.get("last_job_id")),
        created_at=parse_time(body["created_at"]),
        updated_at=parse_time(body["updated_at"]),
        last_error=_optional_text(body.get("last_error")),
        last_error_at=_optional_time(body.get("last_error_at")),
    )


def _spec(project: str, job: dict[str, object]) -> JobSpec:
    timeout = job.get("timeout")
    return JobSpec(
        project=project,
        kind=JobKind.SCHEDULED,
        command=_text(job.get("command")),
        name=_text(job.get("name")),
        user=_text(job.get("user")),
        params=_params(job.get("params")),
        tags=_strings(job.get("tags")),
        resources=dict(_object(job.get("resources") or {})),
        priority=_int(job.get("priority", 0)),
        snapshot=_optional_text(job.get("snapshot")),
        timeout=None if timeout is None else float(str(timeout)),
        env_mode=_text(job.get("env_mode") or "auto"),
        image=_optional_text(job.get("image")),
        retries=_int(job.get("retries", 0)),
    )
