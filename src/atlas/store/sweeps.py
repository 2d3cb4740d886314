"""Sweeps and their trials, as functions over an open connection (one transaction).

A trial's row is written in the same transaction as its job (:func:`insert_trial`, called
by ``SqlStore.submit_job`` for a job with a ``sweep_id``), so a trial and its job never
diverge, whenever the server stops.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from atlas.domain import (
    JobStatus,
    ParamValue,
    Sweep,
    SweepError,
    SweepStatus,
    Trial,
    TrialState,
    new_job_id,
)
from atlas.errors import NotFoundError
from atlas.names import (
    MAX_SWEEP_ERROR_CODE_LENGTH,
    MAX_SWEEP_NAME_LENGTH,
    MAX_USER_LENGTH,
    is_job_id,
)
from atlas.store.conversions import dump_json, load_json, utc_now
from atlas.store.projects import ensure_project_id, project_id, touch_project
from atlas.store.tables import (
    jobs_table,
    projects_table,
    sweep_trials_table,
    sweeps_table,
)
from atlas.store.validation import check_text

__all__ = [
    "finish_trial",
    "get_sweep",
    "insert_sweep",
    "insert_trial",
    "list_sweeps",
    "list_trials",
    "save_system_attrs",
    "sweep_ids",
    "update_sweep",
]

_S = sweeps_table
_T = sweep_trials_table
_J = jobs_table
_P = projects_table
_FINAL = (SweepStatus.COMPLETED, SweepStatus.FAILED, SweepStatus.STOPPED)


def insert_sweep(
    conn: Connection,
    *,
    project: str,
    name: str,
    user: str,
    spec: Mapping[str, object],
    snapshot: str | None,
    trials: int,
    parallel: int,
) -> str:
    """Create a running sweep (and its project when missing); return its id."""
    pid = ensure_project_id(conn, project)
    sweep_id = new_job_id()
    now = utc_now()
    conn.execute(
        insert(_S).values(
            id=sweep_id,
            project_id=pid,
            name=check_text(name, field="name", max_length=MAX_SWEEP_NAME_LENGTH),
            user=check_text(user, field="user", max_length=MAX_USER_LENGTH),
            status=str(SweepStatus.RUNNING),
            spec_json=dump_json(spec),
            snapshot=snapshot,
            trials=trials,
            parallel=parallel,
            created_at=now,
        )
    )
    touch_project(conn, pid, now)
    return sweep_id


def get_sweep(conn: Connection, sweep_id: str) -> Sweep:
    """The sweep with its trial counts; ``NotFoundError`` when there is none."""
    found = _sweeps(conn, [_S.c.id == sweep_id]) if is_job_id(sweep_id) else []
    if not found:
        raise NotFoundError(f"sweep {sweep_id} not found", detail={"sweep_id": sweep_id})
    return found[0]


def list_sweeps(conn: Connection, project: str) -> list[Sweep]:
    """The project's sweeps, newest first."""
    return _sweeps(conn, [_S.c.project_id == project_id(conn, project)])


def sweep_ids(conn: Connection, status: SweepStatus) -> list[str]:
    """The ids of the sweeps in ``status``, oldest first."""
    query = select(_S.c.id).where(_S.c.status == str(status)).order_by(_S.c.created_at)
    return [str(row) for row in conn.scalars(query)]


def update_sweep(
    conn: Connection,
    sweep_id: str,
    *,
    status: SweepStatus | None = None,
    error: SweepError | None = None,
    clear_error: bool = False,
    trials: int | None = None,
) -> None:
    """Change a sweep's status (a final one stamps ``finished_at``; ``running`` clears it),
    error or budget; ``NotFoundError`` for an unknown sweep."""
    get_sweep(conn, sweep_id)
    values: dict[str, object] = {}
    if status is not None:
        values["status"] = str(status)
        values["finished_at"] = utc_now() if status in _FINAL else None
    if clear_error:
        values |= {"error_code": None, "error_message": None}
    if error is not None:
        code = check_text(error.code, field="error.code", max_length=MAX_SWEEP_ERROR_CODE_LENGTH)
        values |= {"error_code": code, "error_message": check_text(error.message, field="error")}
    if trials is not None:
        values["trials"] = trials
    if values:
        conn.execute(update(_S).where(_S.c.id == sweep_id).values(values))


def insert_trial(
    conn: Connection, sweep_id: str, job_id: str, params: Mapping[str, ParamValue]
) -> int:
    """Record job ``job_id`` as the next trial of the sweep (in the job's transaction);
    return the trial's number."""
    get_sweep(conn, sweep_id)
    last = conn.scalar(select(func.max(_T.c.number)).where(_T.c.sweep_id == sweep_id))
    number = 0 if last is None else int(last) + 1
    conn.execute(
        insert(_T).values(
            sweep_id=sweep_id,
            number=number,
            job_id=job_id,
            state=str(TrialState.RUNNING),
            params_json=dump_json(params),
            created_at=utc_now(),
        )
    )
    return number


def finish_trial(
    conn: Connection,
    sweep_id: str,
    number: int,
    *,
    state: TrialState,
    values: Sequence[float] | None = None,
    pruned_step: int | None = None,
    error: str | None = None,
) -> None:
    """Record how a running trial ended; a trial already ended is left as it is."""
    if values is not None and not all(math.isfinite(value) for value in values):
        raise ValueError(f"trial {number} of sweep {sweep_id}: values must be finite")
    conn.execute(
        update(_T)
        .where(
            _T.c.sweep_id == sweep_id,
            _T.c.number == number,
            _T.c.state == str(TrialState.RUNNING),
        )
        .values(
            state=str(state),
            values_json=None if values is None else json.dumps([float(v) for v in values]),
            pruned_step=pruned_step,
            error=None if error is None else check_text(error, field="error"),
            finished_at=utc_now(),
        )
    )


def save_system_attrs(
    conn: Connection,
    sweep_id: str,
    number: int,
    *,
    trial_attrs: Mapping[str, object],
    study_attrs: Mapping[str, object],
) -> None:
    """Store the Optuna system attributes of trial ``number`` and of the sweep's study
    (JSON values only: ``ValueError`` otherwise, rather than a value stored as some other
    one); ``NotFoundError`` for an unknown sweep."""
    get_sweep(conn, sweep_id)
    trial_json, study_json = _attrs_json(trial_attrs), _attrs_json(study_attrs)
    conn.execute(
        update(_T)
        .where(_T.c.sweep_id == sweep_id, _T.c.number == number)
        .values(system_attrs_json=trial_json)
    )
    conn.execute(update(_S).where(_S.c.id == sweep_id).values(system_attrs_json=study_json))


def _attrs_json(attrs: Mapping[str, object]) -> str:
    try:
        return json.dumps(dict(attrs), separators=(",", ":"), allow_nan=False)
    except TypeError as exc:
        raise ValueError(f"Optuna system attributes must be JSON values: {exc}") from exc


def list_trials(conn: Connection, sweep_id: str) -> list[Trial]:
    """The sweep's trials by number, with their jobs' status and times."""
    get_sweep(conn, sweep_id)
    query = (
        select(_T, _J.c.status.label("job_status"), _J.c.started_at.label("job_started"))
        .select_from(_T.outerjoin(_J, _J.c.id == _T.c.job_id))
        .where(_T.c.sweep_id == sweep_id)
        .order_by(_T.c.number)
    )
    return [_trial(row) for row in conn.execute(query)]


def _trial(row: Row[Any]) -> Trial:
    values = None if row.values_json is None else tuple(json.loads(row.values_json))
    params: dict[str, ParamValue] = load_json(row.params_json)  # type: ignore[assignment]
    return Trial(
        sweep_id=row.sweep_id,
        number=int(row.number),
        job_id=row.job_id,
        state=TrialState(row.state),
        params=params,
        created_at=row.created_at,
        values=values,
        pruned_step=None if row.pruned_step is None else int(row.pruned_step),
        error=row.error,
        finished_at=row.finished_at,
        job_status=None if row.job_status is None else JobStatus(row.job_status),
        started_at=row.job_started,
        system_attrs=load_json(row.system_attrs_json),
    )


def _sweeps(conn: Connection, where: list[Any]) -> list[Sweep]:
    query = (
        select(_S, _P.c.name.label("project"))
        .select_from(_S.join(_P, _P.c.id == _S.c.project_id))
        .where(*where)
        .order_by(_S.c.created_at.desc(), _S.c.id.desc())
    )
    rows = conn.execute(query).all()
    counts = _counts(conn, [row.id for row in rows])
    return [_sweep(row, counts.get(row.id, {})) for row in rows]


def _counts(conn: Connection, ids: list[str]) -> dict[str, dict[TrialState, int]]:
    if not ids:
        return {}
    query = (
        select(_T.c.sweep_id, _T.c.state, func.count())
        .where(_T.c.sweep_id.in_(ids))
        .group_by(_T.c.sweep_id, _T.c.state)
    )
    counts: dict[str, dict[TrialState, int]] = {}
    for sweep_id, state, count in conn.execute(query):
        counts.setdefault(sweep_id, {})[TrialState(state)] = int(count)
    return counts


def _sweep(row: Row[Any], counts: dict[TrialState, int]) -> Sweep:
    error = None
    if row.error_code is not None:
        error = SweepError(code=row.error_code, message=row.error_message or "")
    finished: datetime | None = row.finished_at
    return Sweep(
        id=row.id,
        project=row.project,
        name=row.name,
        user=row.user,
        status=SweepStatus(row.status),
        spec=load_json(row.spec_json),
        trials=int(row.trials),
        parallel=int(row.parallel),
        created_at=row.created_at,
        snapshot=row.snapshot,
        finished_at=finished,
        error=error,
        counts={state: counts.get(state, 0) for state in TrialState},
        system_attrs=load_json(row.system_attrs_json),
    )
