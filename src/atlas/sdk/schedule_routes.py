"""The ``Client`` methods of the recurring jobs' routes (docs/jobs.md, "Recurring jobs"):
create, list, read, pause, resume, change and delete schedules. Each answers the server's
JSON ``Schedule`` (docs/rest-api.md, "Recurring jobs") as a dict.
``atlas.sdk.client.Client`` has them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from atlas.errors import AtlasError
from atlas.sdk import wire
from atlas.sdk.connection import segment

if TYPE_CHECKING:
    from atlas.sdk.connection import Connection

__all__ = ["ScheduleRoutes"]


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
    ) -> dict[str, object]:
        """Submit ``job`` (the body of a submission, ``Submission.body``) in ``project`` on
        the cron expression ``cron``, in the IANA zone ``timezone``."""
        body = {
            "cron": cron,
            "timezone": timezone,
            "name": name,
            "paused": paused,
            "job": dict(job),
        }
        return _schedule(self._connection.json("POST", _listing(project), body=body))

    def list_schedules(self, project: str) -> list[dict[str, object]]:
        """The project's schedules by name, each with its ``next_run_at``."""
        answer = self._connection.json("GET", _listing(project))
        return [_schedule(item) for item in wire.items_of(answer)]

    def get_schedule(self, schedule_id: str) -> dict[str, object]:
        """The schedule; ``NotFoundError`` when unknown."""
        return _schedule(self._connection.json("GET", _path(schedule_id)))

    def update_schedule(self, schedule_id: str, **changes: object) -> dict[str, object]:
        """Change any of ``paused``, ``cron``, ``timezone``, ``name``; a resumed schedule
        next fires at its first slot from now."""
        return _schedule(self._connection.json("PATCH", _path(schedule_id), body=changes))

    def delete_schedule(self, schedule_id: str) -> None:
        """Delete the schedule; the jobs it submitted stay."""
        self._connection.send("DELETE", _path(schedule_id))


def _listing(project: str) -> str:
    return f"/projects/{segment(project)}/schedules"


def _path(schedule_id: str) -> str:
    return f"/schedules/{segment(schedule_id)}"


def _schedule(answer: object) -> dict[str, object]:
    if not isinstance(answer, dict):
        raise AtlasError(f"expected a schedule from the server, got {type(answer).__name__}")
    return {str(key): value for key, value in answer.items()}
