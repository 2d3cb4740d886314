"""The ``Client`` methods of the sweep routes (docs/sweeps.md, "REST API"): create, list and
read sweeps, their trials and param importances, stop, resume and add trials.
``atlas.sdk.client.Client`` has them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from atlas.domain import Sweep, Trial
from atlas.sdk import sweep_wire, wire
from atlas.sdk.connection import segment

if TYPE_CHECKING:
    from atlas.sdk.connection import Connection

__all__ = ["SweepRoutes"]


class SweepRoutes:
    """What a ``Client`` asks of the sweep routes; errors as for every ``Client`` method
    (``NotFoundError`` for an unknown sweep, ``InvalidInputError`` for a spec the server
    refuses, its ``detail["errors"]`` listing each problem with its field path)."""

    _connection: Connection  # set by Client.__init__

    def create_sweep(
        self,
        project: str,
        spec: Mapping[str, object],
        *,
        snapshot: str | None = None,
        user: str | None = None,
    ) -> Sweep:
        """Start a sweep in ``project`` (created when missing) from ``spec`` (the JSON shape
        of a sweep's YAML file, docs/sweeps.md); its trials run the code snapshot
        ``snapshot`` (uploaded first: ``upload_snapshot``). ``user`` is recorded when
        authentication is off (with it on, the caller is)."""
        body: dict[str, object] = {"project": project, "snapshot": snapshot, "spec": dict(spec)}
        if user:
            body["user"] = user
        return sweep_wire.parse_sweep(self._connection.json("POST", "/sweeps", body=body))

    def get_sweep(self, sweep_id: str) -> Sweep:
        """The sweep with its trial counts; ``NotFoundError`` when unknown."""
        return sweep_wire.parse_sweep(self._connection.json("GET", _path(sweep_id)))

    def get_best_trials(self, sweep_id: str) -> list[Trial]:
        """The sweep's best trial (a list of one), or the Pareto front of a sweep with
        several objectives; empty before any trial is complete."""
        return sweep_wire.parse_best(self._connection.json("GET", _path(sweep_id)))

    def get_sweep_with_best(self, sweep_id: str) -> tuple[Sweep, list[Trial]]:
        """The sweep and its best trials (as :meth:`get_best_trials`), read in one request,
        so the two agree; ``NotFoundError`` when unknown."""
        answer = self._connection.json("GET", _path(sweep_id))
        return sweep_wire.parse_sweep(answer), sweep_wire.parse_best(answer)

    def list_sweeps(self, project: str) -> list[Sweep]:
        """The project's sweeps, newest first."""
        answer = self._connection.json("GET", f"/projects/{segment(project)}/sweeps")
        return [sweep_wire.parse_sweep(s) for s in wire.items_of(answer)]

    def list_trials(self, sweep_id: str) -> list[Trial]:
        """The sweep's trials by number."""
        answer = self._connection.json("GET", f"{_path(sweep_id)}/trials")
        return [sweep_wire.parse_trial(t, sweep_id) for t in wire.items_of(answer)]

    def get_importances(self, sweep_id: str, *, objective: int = 0) -> dict[str, float]:
        """How much each param explains the objective ``objective`` (its index), most
        important first; empty while fewer than two trials are complete."""
        path = f"{_path(sweep_id)}/importances"
        answer = self._connection.json("GET", path, params={"objective": objective})
        return sweep_wire.parse_importances(answer)

    def stop_sweep(self, sweep_id: str) -> Sweep:
        """Stop the sweep: no new trials, its running trials are cancelled."""
        return sweep_wire.parse_sweep(self._connection.json("POST", f"{_path(sweep_id)}/stop"))

    def resume_sweep(self, sweep_id: str) -> Sweep:
        """Let a stopped (or failed) sweep start trials again."""
        path = f"{_path(sweep_id)}/resume"
        return sweep_wire.parse_sweep(self._connection.json("POST", path))

    def add_trials(self, sweep_id: str, count: int) -> Sweep:
        """Raise the sweep's trial budget by ``count`` (a completed sweep runs again)."""
        path = f"{_path(sweep_id)}/trials"
        answer = self._connection.json("POST", path, body={"count": count})
        return sweep_wire.parse_sweep(answer)


def _path(sweep_id: str) -> str:
    return f"/sweeps/{segment(sweep_id)}"
