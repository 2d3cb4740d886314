"""The JSON of the sweep routes (``/sweeps``, docs/sweeps.md "REST API") turned into
``atlas.domain`` dataclasses (no I/O here)."""

from __future__ import annotations

from atlas.domain import JobStatus, Sweep, SweepError, SweepStatus, Trial, TrialState
from atlas.sdk.wire import (
    _answer,
    _int,
    _object,
    _optional_int,
    _optional_text,
    _optional_time,
    _params,
    _text,
    items_of,
    parse_time,
    wire_float,
)

__all__ = ["parse_best", "parse_importances", "parse_sweep", "parse_trial"]


@_answer("sweep")
def parse_sweep(data: object) -> Sweep:
    """A ``Sweep`` object (its ``best`` trials: :func:`parse_best`)."""
    body = _object(data)
    error = body.get("error")
    counts = _object(body.get("counts") or {})
    return Sweep(
        id=_text(body["id"]),
        project=_text(body["project"]),
        name=_text(body.get("name")),
        user=_text(body.get("user")),
        status=SweepStatus(_text(body["status"])),
        spec=dict(_object(body.get("spec") or {})),
        trials=_int(body["trials"]),
        parallel=_int(body.get("parallel") or 1),
        created_at=parse_time(body["created_at"]),
        snapshot=_optional_text(body.get("snapshot")),
        finished_at=_optional_time(body.get("finished_at")),
        error=None if error is None else _sweep_error(error),
        counts={TrialState(state): _int(n) for state, n in counts.items()},
    )


def _sweep_error(data: object) -> SweepError:
    if isinstance(data, str):
        return SweepError(code="", message=data)
    body = _object(data)
    return SweepError(code=_text(body.get("code")), message=_text(body.get("message")))


@_answer("trial")
def parse_trial(data: object, sweep_id: str) -> Trial:
    """A ``Trial`` object of the sweep ``sweep_id``."""
    body = _object(data)
    values = body.get("values")
    status = body.get("job_status")
    return Trial(
        sweep_id=_text(body.get("sweep_id") or sweep_id),
        number=_int(body["number"]),
        job_id=_optional_text(body.get("job_id")),
        state=TrialState(_text(body["state"])),
        params=_params(body.get("params")),
        created_at=parse_time(body["created_at"]),
        values=None if values is None else tuple(wire_float(v) for v in items_list(values)),
        pruned_step=_optional_int(body.get("pruned_step")),
        error=_trial_error(body.get("error")),
        finished_at=_optional_time(body.get("finished_at")),
        job_status=None if status is None else JobStatus(_text(status)),
        started_at=_optional_time(body.get("started_at")),
    )


def items_list(data: object) -> list[object]:
    """``data`` as a JSON list (``AtlasError``-reported ``TypeError`` otherwise)."""
    if not isinstance(data, list):
        raise TypeError(f"expected a list, got {type(data).__name__}")
    return data


def _trial_error(data: object) -> str | None:
    if data is None or data == "":
        return None
    if isinstance(data, dict):
        return _text(data.get("message") or data.get("code"))
    return _text(data)


def parse_best(data: object) -> list[Trial]:
    """The ``best`` trials of a ``Sweep`` object: the best one, or the Pareto front of a
    sweep with several objectives (empty before any trial is complete)."""
    body = _object(data)
    sweep_id = _text(body.get("id"))
    return [parse_trial(t, sweep_id) for t in items_list(body.get("best") or [])]


@_answer("importances")
def parse_importances(data: object) -> dict[str, float]:
    """Each param's importance (``GET /sweeps/{id}/importances``), most important first."""
    pairs = [_object(item) for item in items_of(data)]
    ranked = sorted(pairs, key=lambda p: -wire_float(p["importance"]))
    return {_text(p["param"]): wire_float(p["importance"]) for p in ranked}
